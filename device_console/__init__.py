"""device_console"""
