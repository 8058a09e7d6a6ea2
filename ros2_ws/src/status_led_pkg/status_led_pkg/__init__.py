"""status_led_pkg: Solid and blinking effects on the three system status LEDs (sysfs GPIO)."""
