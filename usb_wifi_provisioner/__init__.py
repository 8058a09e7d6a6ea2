"""usb_wifi_provisioner"""
