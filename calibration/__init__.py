"""Calibration of the servo and speed controller: the original maths (command -> pulse width, console
units, validation) and the calibration.json / led_values.json files."""
