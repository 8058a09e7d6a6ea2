"""device_info_pkg: Hardware and software version of the car, and the device status: CPU load and temperature, memory, disk, command latency and rate."""
