"""sensor_fusion_pkg: sensor_fusion_node (camera + LiDAR -> EvoSensorMsg)."""
