"""servo_pkg: servo/ESC commands -> calibrated PWM, tail light, servo power, command watchdog."""
