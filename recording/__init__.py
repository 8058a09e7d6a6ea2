"""Drive recording (no ROS): rosbag2 bags of a run, as the community `logging_pkg` writes them.

- `config`: logging mode and storage provider (`<state>/logging.conf`), defaults of the recorder;
- `naming`: bag folder names (`<model folder>-YYYYMMDD-HHMMSS`, local time);
- `typedefs`: ROS message definitions read from the installed interface `.msg` files;
- `writer`: a rosbag2 bag (mcap or sqlite3) of CDR bytes, with `metadata.yaml` (the `rosbags` library);
- `session`: when a recording starts, appends, closes and pauses (the node's decisions, no I/O);
- `recovery`: a bag cut short by a crash gets its `metadata.yaml` back from the storage file;
- `bags`: the bags on disk for the console (listing, replay frames, archive, delete).
The node is `ros2_ws/src/logging_pkg` (`/logging_pkg/bag_log_node`).
"""
