"""`python -m usb_wifi_provisioner`: run the USB provisioner service (see service.py)."""

import sys

from usb_wifi_provisioner.service import main

if __name__ == "__main__":
    sys.exit(main())
