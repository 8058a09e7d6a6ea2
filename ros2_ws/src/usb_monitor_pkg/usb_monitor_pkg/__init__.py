"""usb_monitor_pkg: the original USB monitor services, backed by the USB provisioner."""
