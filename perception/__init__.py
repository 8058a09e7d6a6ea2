"""What the car sees, without ROS: camera image decoding, the original sensor fusion's LiDAR
processing, overlay and sensor status, and laser scans from RPLidar revolutions."""
