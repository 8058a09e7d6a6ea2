"""ROS side of the launcher: the process host that runs one or several nodes of the graph."""
