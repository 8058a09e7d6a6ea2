"""The USB Ethernet gadget in a fake configfs tree: ECM + RNDIS with Windows' OS descriptors, bound to
the controller, connection from the controller's state, and removed again in configfs' order."""

from __future__ import annotations

from pathlib import Path

import pytest

from drivers.usb_gadget import GadgetError, GadgetSpec, UsbGadget
from tests.support.fake_sysfs import make_usb_gadget_tree


def _text(path: Path) -> str:
    return path.read_text().strip()


def test_gadget_offers_ecm_and_rndis_and_binds(sysfs_root: Path) -> None:
    udc = make_usb_gadget_tree(sysfs_root)
    gadget = UsbGadget(GadgetSpec(serial="A1B2C3"), root=sysfs_root)
    gadget.create()
    assert gadget.bind() == "dwc3.0.auto"
    g = sysfs_root / "kernel/config/usb_gadget/deepracer"
    assert (_text(g / "idVendor"), _text(g / "idProduct")) == ("0x1949", "0x1101")  # the original car's ids
    assert _text(g / "strings/0x409/serialnumber") == "A1B2C3"
    assert _text(g / "UDC") == "dwc3.0.auto"
    # macOS/Linux take the first configuration (ECM); Windows is pointed at RNDIS by the OS descriptors
    assert (g / "configs/c.1/ecm.usb1").resolve() == (g / "functions/ecm.usb1").resolve()
    assert (g / "configs/c.2/rndis.usb0").resolve() == (g / "functions/rndis.usb0").resolve()
    assert (g / "os_desc/c.2").resolve() == (g / "configs/c.2").resolve()
    assert _text(g / "os_desc/use") == "1" and _text(g / "os_desc/qw_sign") == "MSFT100"
    iface = g / "functions/rndis.usb0/os_desc/interface.rndis"
    assert (_text(iface / "compatible_id"), _text(iface / "sub_compatible_id")) == ("RNDIS", "5162001")
    assert [_text(g / "functions/rndis.usb0" / n) for n in ("class", "subclass", "protocol")] == ["ef", "04", "01"]
    assert _text(g / "functions/rndis.usb0/host_addr") == "12:34:56:78:90:10"

    # the kernel names the interfaces when the gadget binds; read back from `ifname`
    (g / "functions/rndis.usb0/ifname").write_text("usb3\n")
    assert [gadget.interface_name(fn) for fn in gadget.spec.functions] == ["usb3", "usb1"]

    assert gadget.connected() is False
    (udc / "state").write_text("configured\n")       # a computer configured the gadget
    assert gadget.connected() is True
    (udc / "state").write_text("suspended\n")        # cable pulled / computer asleep
    assert gadget.connected() is False

    gadget.create()                                   # again (a restarted node): same tree, no error
    gadget.remove()
    assert not g.exists()
    assert (sysfs_root / "kernel/config/usb_gadget").is_dir()


def test_no_configfs_or_no_controller_is_a_clear_error(sysfs_root: Path) -> None:
    gadget = UsbGadget(root=sysfs_root)
    assert gadget.supported() is False
    with pytest.raises(GadgetError, match="libcomposite"):
        gadget.create()
    (sysfs_root / "kernel/config/usb_gadget").mkdir(parents=True)
    gadget.create()
    with pytest.raises(GadgetError, match="no USB device controller"):
        gadget.bind()
    assert not (gadget.path / "UDC").exists() or _text(gadget.path / "UDC") == ""
    # without a bound controller the original car's dwc3 debugfs link state is the fallback
    link = sysfs_root / "kernel/debug/dwc3.0.auto/link_state"
    link.parent.mkdir(parents=True)
    link.write_text("U0\n")
    assert gadget.connected() is True
    gadget.remove()
    assert not gadget.path.exists()


def test_service_manages_the_network_of_its_own_gadget_only(sysfs_root: Path, state_dir: Path) -> None:
    """The OTG service with the simulated network backend: no controller for our gadget (an image
    with a gadget of its own) -> the link is reported and the network left alone; our gadget bound ->
    the network follows the link, and stop takes it all down."""
    from drivers.usb_network import OtgService, SimulatedUsbNetwork

    (sysfs_root / "kernel/config/usb_gadget").mkdir(parents=True)
    link = sysfs_root / "kernel/debug/dwc3.0.auto/link_state"
    link.parent.mkdir(parents=True)
    link.write_text("U0\n")
    network = SimulatedUsbNetwork()
    other = OtgService(UsbGadget(root=sysfs_root), network)
    assert other.start() is False and "no USB device controller" in other.problem
    assert not (sysfs_root / "kernel/config/usb_gadget/deepracer").exists()   # nothing left behind
    assert other.poll() is True and network.served == []

    udc = make_usb_gadget_tree(sysfs_root)
    ours = OtgService(UsbGadget(root=sysfs_root), network)
    assert ours.start() is True
    assert ours.poll() is False and network.served == []
    (udc / "state").write_text("configured\n")
    assert ours.poll() is True
    assert [(link.interface, link.car_address) for link in network.served] == [("usb0", "10.0.0.1"),
                                                                               ("usb1", "10.0.1.1")]
    ours.stop()
    assert network.served == [] and not (sysfs_root / "kernel/config/usb_gadget/deepracer").exists()
