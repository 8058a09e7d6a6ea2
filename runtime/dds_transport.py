"""The DDS transport of the stack's own processes: UDP only, never Fast DDS shared memory.

Killing (SIGKILL) a process that reads a large topic through Fast DDS's shared-memory transport (the
inference process reading /sensor_fusion_pkg/sensor_msg) could leave that topic's writer delivering
nothing to anybody for minutes: after an inference crash the restarted process got no frames and the
car never drove again. Over UDP (loopback) a dead reader costs nothing. The camera's 160x120 frames
fit one datagram, so the price is small.

`stack_process_env(env)` is what the launcher gives every process it starts:
- LOCALHOST discovery (a laptop, `make run`, tests): rmw_fastrtps would add shared memory itself, so
  the range becomes SYSTEM_DEFAULT and `runtime/dds/fastdds_localhost_udp.xml` configures the same
  localhost-only discovery with UDP alone;
- SUBNET / default (the car under systemd): Fast DDS's built-in transports limited to UDPv4;
- another RMW, discovery OFF, or a user's own Fast DDS profile: unchanged (their configuration).
"""

from __future__ import annotations

from pathlib import Path

PROFILES_DIR = Path(__file__).resolve().parent / "dds"
DEFAULT_PROFILE = PROFILES_DIR / "fastdds_profile.xml"
LOCALHOST_UDP_PROFILE = PROFILES_DIR / "fastdds_localhost_udp.xml"


def _own_profile(value: str | None) -> bool:
    if not value:
        return True
    try:
        return Path(value).resolve() in (DEFAULT_PROFILE, LOCALHOST_UDP_PROFILE)
    except OSError:
        return False


def stack_process_env(env: dict[str, str]) -> dict[str, str]:
    """`env` for a process of the stack, with its DDS transport set to UDP (see the module docstring)."""
    out = dict(env)
    if out.get("RMW_IMPLEMENTATION", "rmw_fastrtps_cpp") != "rmw_fastrtps_cpp":
        return out
    if not _own_profile(out.get("FASTDDS_DEFAULT_PROFILES_FILE")):
        return out
    discovery = out.get("ROS_AUTOMATIC_DISCOVERY_RANGE", "").strip().upper()
    localhost_only = out.get("ROS_LOCALHOST_ONLY", "").strip() == "1"
    if discovery == "LOCALHOST" or (localhost_only and discovery in ("", "LOCALHOST")):
        out.pop("ROS_LOCALHOST_ONLY", None)  # it would override the range
        out["ROS_AUTOMATIC_DISCOVERY_RANGE"] = "SYSTEM_DEFAULT"
        out["FASTDDS_DEFAULT_PROFILES_FILE"] = str(LOCALHOST_UDP_PROFILE)
    elif discovery in ("", "SUBNET", "SYSTEM_DEFAULT"):
        out["FASTDDS_DEFAULT_PROFILES_FILE"] = str(DEFAULT_PROFILE)
        out["FASTDDS_BUILTIN_TRANSPORTS"] = "UDPv4"
    return out
