"""webserver_pkg: the device console's ROS bridge (webserver_publisher_node) and its web server."""
