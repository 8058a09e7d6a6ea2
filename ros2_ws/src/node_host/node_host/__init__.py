"""The process host: runs the nodes the graph (`launcher/graph.py`) puts in one process (`host.run_nodes`)."""
