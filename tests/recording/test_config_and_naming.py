"""logging.conf (the community file) and bag folder names (what DREM's log processor splits)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from recording.config import ConfigError, LoggingConf, read_logging_conf, write_logging_conf
from recording.naming import bag_folder_name, model_folder, split_bag_name


def test_the_community_file_reads_and_defaults_fill_the_rest(tmp_path: Path) -> None:
    conf = tmp_path / "logging.conf"
    conf.write_text("provider=sqlite3\nmode=always\n")
    assert read_logging_conf(conf) == (LoggingConf(mode="Always", provider="sqlite3"), [])
    conf.write_text("# usb only\nMODE = usbonly\n")
    assert read_logging_conf(conf) == (LoggingConf(mode="USBOnly", provider="mcap"), [])
    assert read_logging_conf(tmp_path / "missing.conf") == (LoggingConf(mode="Always", provider="mcap"), [])


def test_bad_lines_are_reported_and_ignored(tmp_path: Path) -> None:
    conf = tmp_path / "logging.conf"
    conf.write_text("mode=sometimes\nprovider=rosbag1\njunk\nprovider=sqlite3\n")
    settings, notes = read_logging_conf(conf)
    assert settings == LoggingConf(mode="Always", provider="sqlite3")
    assert len(notes) == 3 and "sometimes" in notes[0] and "rosbag1" in notes[1] and "key=value" in notes[2]


def test_write_is_validated_and_in_the_community_format(tmp_path: Path) -> None:
    conf = tmp_path / "logging.conf"
    write_logging_conf(LoggingConf(mode="usbonly", provider="MCAP"), conf)
    assert conf.read_text() == "provider=mcap\nmode=usbonly\n"
    with pytest.raises(ConfigError):
        write_logging_conf(LoggingConf(mode="Sometimes", provider="mcap"), conf)
    assert conf.read_text() == "provider=mcap\nmode=usbonly\n"    # unchanged


def test_bag_names_are_the_model_folder_and_the_local_time() -> None:
    when = time.mktime((2026, 5, 30, 12, 34, 56, 0, 0, -1))
    name = bag_folder_name("/opt/aws/deepracer/artifacts/racer1-my-model/model.xml", when)
    assert name == "racer1-my-model-20260530-123456"
    assert split_bag_name(name) == ("racer1-my-model", "20260530-123456")
    assert bag_folder_name("", when) == "deepracer-20260530-123456"
    assert model_folder("/x/../y/a b;c/model.xml") == "abc"
    assert split_bag_name("racer1-my-model") is None
