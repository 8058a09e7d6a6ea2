"""ctrl_pkg: the vehicle state machine (manual, autonomous, calibration) and emergency stop."""
