"""rplidar_ros: the RPLidar scan publisher (node rplidarNode)."""
