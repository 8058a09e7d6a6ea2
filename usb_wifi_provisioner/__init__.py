"""USB-stick Wi-Fi provisioner and model import (no ROS). The car's network layer it sets Wi-Fi up
with (nmcli/iwgetid, also used by the device console and the network monitor node) is `drivers.network`.

Modules:
    creds          wifi-creds.txt: find, parse (exactly as the original), list visible networks
    device_status  device-status.txt: this car's block replaced, other cars' blocks kept
    models_import  the drive's models/ folder through the model library
    provision      one drive: Wi-Fi, then models, then the report, with LED feedback
    drives/mounts  pyudev detection and private mounts (folder drives for the simulator and tests)
    drive_queue    the drive queue (`UsbEngine`) and the original usb_monitor API (subscribe, mount
                   references)
    ipc            the Unix-socket protocol between the daemon and the robot stack's usb_monitor node
    daemon         the service process, `python -m usb_wifi_provisioner`
"""
