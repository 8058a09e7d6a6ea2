"""The stack's own processes talk DDS over UDP only (runtime/dds_transport.py): a SIGKILLed shared-memory
reader of a large topic could leave the topic's writer delivering nothing for minutes. The whole stack
under 20 kills is tests/sim/test_restarts_restore_pipeline.py."""

from __future__ import annotations

from pathlib import Path

from launcher.graph import Graph
from launcher.supervisor import Supervisor
from runtime.dds_transport import DEFAULT_PROFILE, LOCALHOST_UDP_PROFILE, stack_process_env


def test_localhost_discovery_gets_the_udp_only_profile() -> None:
    env = stack_process_env({"ROS_AUTOMATIC_DISCOVERY_RANGE": "LOCALHOST", "ROS_DOMAIN_ID": "7",
                             "FASTDDS_DEFAULT_PROFILES_FILE": str(DEFAULT_PROFILE)})
    assert env["ROS_AUTOMATIC_DISCOVERY_RANGE"] == "SYSTEM_DEFAULT"  # rmw_fastrtps would add shared memory
    assert env["FASTDDS_DEFAULT_PROFILES_FILE"] == str(LOCALHOST_UDP_PROFILE)
    assert env["ROS_DOMAIN_ID"] == "7"
    text = LOCALHOST_UDP_PROFILE.read_text()
    assert "<type>UDPv4</type>" in text and "<useBuiltinTransports>false</useBuiltinTransports>" in text
    assert "SHM" not in text and "127.0.0.1" in text
    legacy = stack_process_env({"ROS_LOCALHOST_ONLY": "1"})
    assert "ROS_LOCALHOST_ONLY" not in legacy and legacy["FASTDDS_DEFAULT_PROFILES_FILE"] == str(LOCALHOST_UDP_PROFILE)


def test_the_car_default_range_keeps_its_discovery_with_udp_only() -> None:
    for discovery in ({}, {"ROS_AUTOMATIC_DISCOVERY_RANGE": "SUBNET"}):
        env = stack_process_env(dict(discovery))
        assert env["FASTDDS_BUILTIN_TRANSPORTS"] == "UDPv4"
        assert env.get("ROS_AUTOMATIC_DISCOVERY_RANGE") == discovery.get("ROS_AUTOMATIC_DISCOVERY_RANGE")
        assert env["FASTDDS_DEFAULT_PROFILES_FILE"] == str(DEFAULT_PROFILE)


def test_other_setups_are_left_alone(tmp_path: Path) -> None:
    own = {"ROS_AUTOMATIC_DISCOVERY_RANGE": "LOCALHOST", "FASTDDS_DEFAULT_PROFILES_FILE": str(tmp_path / "mine.xml")}
    assert stack_process_env(own) == own
    cyclone = {"ROS_AUTOMATIC_DISCOVERY_RANGE": "LOCALHOST", "RMW_IMPLEMENTATION": "rmw_cyclonedds_cpp"}
    assert stack_process_env(cyclone) == cyclone
    off = {"ROS_AUTOMATIC_DISCOVERY_RANGE": "OFF"}
    assert stack_process_env(off) == off


def test_the_supervisor_starts_processes_with_it(tmp_path: Path) -> None:
    supervisor = Supervisor(Graph(processes=(), sim=True), tmp_path / "logs", tmp_path / "run",
                            env={"ROS_AUTOMATIC_DISCOVERY_RANGE": "LOCALHOST"})
    assert supervisor.env["FASTDDS_DEFAULT_PROFILES_FILE"] == str(LOCALHOST_UDP_PROFILE)
