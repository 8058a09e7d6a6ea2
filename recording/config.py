"""What the recorder records, where and how: `<state>/logging.conf` and the node's defaults.

`logging.conf` is the community car's file (`provider=sqlite3`, `mode=always`, one `key=value` a
line); modes are `Never`, `USBOnly` and `Always` (any case), providers `mcap` and `sqlite3`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from runtime.atomic import atomic_write_text
from runtime.paths import logs_dir, state_dir

MODES = ("Never", "USBOnly", "Always")
PROVIDERS = ("mcap", "sqlite3")
DEFAULT_MODE = "Always"
DEFAULT_PROVIDER = "mcap"
MONITOR_TOPIC = "/deepracer_navigation_pkg/auto_drive"
MONITOR_TOPIC_TIMEOUT_S = 15.0
FILE_NAME_TOPIC = "/inference_pkg/model_artifact"
LOG_TOPICS = ("/inference_pkg/rl_results", "/device_info_pkg/device_status")
PAUSE_AFTER_STOP_S = 10.0          # stop_logging: no new recording for this long
MIN_FREE_MB = 200                  # a recording stops when the disk has less free space than this
USB_LOGS_FOLDER = "logs"           # a USB stick with this folder at its root receives the bags


class ConfigError(ValueError):
    pass


def parse_mode(text: str) -> str:
    for mode in MODES:
        if text.strip().lower() == mode.lower():
            return mode
    raise ConfigError(f"logging mode must be one of {', '.join(MODES)}, not {text!r}")


def parse_provider(text: str) -> str:
    value = text.strip().lower()
    if value not in PROVIDERS:
        raise ConfigError(f"logging provider must be one of {', '.join(PROVIDERS)}, not {text!r}")
    return value


@dataclass(frozen=True)
class LoggingConf:
    mode: str = DEFAULT_MODE
    provider: str = DEFAULT_PROVIDER


def logging_conf_file() -> Path:
    return state_dir() / "logging.conf"


def default_output_path() -> Path:
    return logs_dir()


def read_logging_conf(path: Path | None = None) -> tuple[LoggingConf, list[str]]:
    """The file's settings (defaults for what is missing) and a note for each line that was ignored."""
    target = path or logging_conf_file()
    notes: list[str] = []
    try:
        text = target.read_text(errors="replace")
    except FileNotFoundError:
        return LoggingConf(), notes
    except OSError as exc:
        return LoggingConf(), [f"{target}: {exc}"]
    mode, provider = DEFAULT_MODE, DEFAULT_PROVIDER
    for number, line in enumerate(text.splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        key, sep, value = line.partition("=")
        try:
            if not sep:
                raise ConfigError("not key=value")
            if key.strip().lower() == "mode":
                mode = parse_mode(value)
            elif key.strip().lower() == "provider":
                provider = parse_provider(value)
        except ConfigError as exc:
            notes.append(f"{target}:{number}: {exc}")
    return LoggingConf(mode=mode, provider=provider), notes


def write_logging_conf(conf: LoggingConf, path: Path | None = None) -> None:
    """Validated, then written atomically (the community format, lower-case values)."""
    mode, provider = parse_mode(conf.mode), parse_provider(conf.provider)
    atomic_write_text(path or logging_conf_file(), f"provider={provider}\nmode={mode.lower()}\n")
