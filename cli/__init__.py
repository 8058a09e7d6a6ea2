"""Command-line tools: `deepracer` (run, status, models, usb, install, ...) and the `ros2` subset."""
