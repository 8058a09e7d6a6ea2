"""Test support: isolated ROS graphs, node processes, fake kernel trees."""
