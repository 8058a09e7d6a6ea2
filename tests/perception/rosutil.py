"""Helpers for the perception ROS tests."""

from __future__ import annotations

from typing import Any


def stamp_ns(msg: Any) -> int:
    return int(msg.header.stamp.sec) * 1_000_000_000 + int(msg.header.stamp.nanosec)
