"""The car's hardware behind small interfaces, each with a real backend and the simulated car's (no ROS):
PWM (ESC, servo, tail light), GPIO, status LEDs, SMBus (battery gauge), cameras, LiDAR, network (nmcli),
board identity and compute-module health."""
