"""Manual driving from the console: who may keep the car moving (`supervisor`), the joystick maths
(`joystick`) and the drive settings saved from the Settings page (`settings_file`)."""
