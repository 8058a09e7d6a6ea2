"""Which processes ctrl_node depends on came back as a new process (no ROS here; the node feeds it).

A dependency is watched through its endpoints on the ROS graph: the server of a service it offers
(`/camera_pkg/media_state`, `/inference_pkg/load_model`...) or a publisher of one of its nodes.
Every endpoint has a GID whose first 12 bytes are the RTPS GUID prefix of its participant: one per
process, new at every start. So an endpoint GID never seen before is a new incarnation of that
dependency, and when one replaces an earlier one the dependency was restarted.

DDS keeps the endpoints of a killed process on the graph until its lease expires (10 s with
runtime/dds/fastdds_profile.xml) while its replacement appears within a second, so "the service is
there" never turns false across a restart: that is why the camera was never activated again. Once a
newer process serves an endpoint, the older participant is marked gone; `available()` then counts only
live servers, so a caller waits for the replacement of *every* endpoint the dead process served
(the inference process serves three) instead of sending a request into a dead one.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

PREFIX_BYTES = 12  # RTPS GUID prefix: identifies the participant (one per process)


def participant_of(gid: bytes) -> bytes:
    return bytes(gid[:PREFIX_BYTES])


@dataclass(frozen=True)
class Changes:
    appeared: frozenset[str] = field(default_factory=frozenset)   # a new incarnation (also the first one)
    restarted: frozenset[str] = field(default_factory=frozenset)  # a new incarnation after an earlier one


class RestartTracker:
    def __init__(self, names: Iterable[str]) -> None:
        self.names = tuple(names)
        self._current: dict[str, set[bytes]] = {name: set() for name in self.names}
        self._seen_before = {name: False for name in self.names}
        self._gone: set[bytes] = set()      # participants replaced by a newer process
        self._awaiting: set[str] = set()    # restarted (their process is gone), replacement not seen yet

    def update(self, seen: Mapping[str, Iterable[bytes]]) -> Changes:
        """Feed the endpoint GIDs on the graph now, per dependency; returns what changed since last time.

        A restart is reported once per dependency and process: when a new process replaces one that
        served several dependencies, all of them are reported restarted in that update, and their own
        new endpoints appearing later are the awaited replacements (`appeared`, not restarted again)."""
        appeared: set[str] = set()
        restarted: set[str] = set()
        for name in self.names:
            gids = {bytes(g) for g in seen.get(name, ())}
            new = gids - self._current[name]
            if new:
                appeared.add(name)
                if name in self._awaiting:
                    self._awaiting.discard(name)
                elif self._seen_before[name]:
                    restarted.add(name)
                    newer = {participant_of(g) for g in new}
                    self._gone |= {participant_of(g) for g in self._current[name]} - newer
                self._seen_before[name] = True
            self._current[name] = gids
        for name in self.names:  # the other dependencies the replaced processes served
            if name not in self._awaiting and name not in appeared and self._current[name] \
                    and all(participant_of(g) in self._gone for g in self._current[name]):
                restarted.add(name)
                self._awaiting.add(name)
        visible = {participant_of(g) for gids in self._current.values() for g in gids}
        self._gone &= visible  # forget participants whose endpoints have left the graph
        return Changes(frozenset(appeared), frozenset(restarted))

    def available(self, name: str) -> bool:
        """A live (not replaced) process serves this dependency."""
        return any(participant_of(g) not in self._gone for g in self._current.get(name, ()))
