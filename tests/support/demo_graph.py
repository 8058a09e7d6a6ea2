"""A small graph of demo nodes for the launcher and CLI tests: two processes that exchange
deepracer_interfaces_pkg messages and a service call, plus an optional process to crash."""

from __future__ import annotations

from launcher.graph import Graph, NodeSpec, ProcessSpec


def graph(sim: bool = False) -> Graph:
    return Graph(
        processes=(
            ProcessSpec("talker", nodes=(NodeSpec("tests.support.demo_nodes:DemoTalker", "talker", "demo",
                                                  {"angle": 0.25, "output_path": "/tmp/demo-bags"}),)),
            ProcessSpec("relay", nodes=(NodeSpec("tests.support.demo_nodes:DemoRelay", "relay", "demo"),)),
            ProcessSpec("optional", required=False, hardware=("lidar",),
                        nodes=(NodeSpec("tests.support.demo_nodes:DemoIdle", "idle", "demo"),)),
        ),
        sim=sim,
        source="tests.support.demo_graph:graph",
    )
