"""camera_pkg: camera_node (USB/V4L2, file and simulated cameras)."""
