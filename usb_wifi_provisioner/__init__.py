"""USB-stick Wi-Fi provisioner and model import, and the car's network status (no ROS).

Modules:
    network        nmcli/iwgetid: current SSID, IP addresses, scan, connect (also used by the
                   device console and the network monitor node)
    creds          wifi-creds.txt: find, parse (exactly as the original), list visible networks
    device_status  device-status.txt: this car's block replaced, other cars' blocks kept
    models_import  the drive's models/ folder through the model library
    provision      one drive: Wi-Fi, then models, then the report, with LED feedback
    drives/mounts  pyudev detection and private mounts (folder drives for the simulator and tests)
    engine         the drive queue and the original usb_monitor API (subscribe, mount references)
    bridge         local socket between the service and the robot stack's usb_monitor node
    service        `python -m usb_wifi_provisioner`
"""
