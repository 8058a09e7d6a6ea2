"""`python -m usb_wifi_provisioner`: run the USB provisioner service (see daemon.py)."""

import sys

from usb_wifi_provisioner.daemon import main

if __name__ == "__main__":
    sys.exit(main())
