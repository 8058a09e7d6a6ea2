"""Starts and supervises the node graph (no rclpy here): `graph` describes which processes run
which nodes with which parameters; `supervisor` runs them, restarts crashes with back-off, writes
one log per process and stops everything in order, actuators last. Inside each process the ROS
package `node_host` (ros2_ws/src/node_host) spins the nodes."""
