"""The launcher's "inference" process for tests: optimizer, inference and navigation nodes in one process
(on the EventsExecutor, as launcher/graph.py runs it)."""

from __future__ import annotations

import sys

from deepracer_navigation_pkg.deepracer_navigation_node import NavigationNode
from inference_pkg.inference_node import InferenceNode
from model_optimizer_pkg.model_optimizer_node import ModelOptimizerNode
from node_host.host import run_nodes

if __name__ == "__main__":
    sys.exit(run_nodes([ModelOptimizerNode, InferenceNode, NavigationNode]))
