"""The car's USB Ethernet gadget: a network over the USB cable, set up through configfs.

When the car's USB device port (OTG) is plugged into a computer, the computer sees a network
adapter. Two functions make every desktop OS find a driver it already has:

- configuration 1, CDC ECM: picked by macOS and Linux (the first configuration);
- configuration 2, RNDIS with Microsoft OS descriptors (compatible id `RNDIS`, interface class
  ef/04/01 for Windows' `rndiscmp.inf`): the `os_desc` link makes Windows take it.

Each function has its own network interface and subnet (RNDIS `usb0` 10.0.0.1/30, ECM `usb1`
10.0.1.1/30, as the original car); only one is in use at a time (the one the computer configured).
The kernel picks the interface names when the gadget binds; they are read back from the function's
`ifname` attribute.

Everything lives under the injectable sysfs root (`DEEPRACER_SYSFS_ROOT`): configfs at
`<sysfs>/kernel/config/usb_gadget`, the device controllers at `<sysfs>/class/udc`. Tests build a fake
tree there and play the kernel's part (creating `state`, `ifname`).

Whether a computer is connected: the controller's `state` attribute reads `configured` once the
computer has configured the gadget; the original car's dwc3 debugfs `link_state` (`U0`) is the
fallback where there is no bound controller.
"""

from __future__ import annotations

import errno
import logging
import os
import re
from dataclasses import dataclass
from pathlib import Path

from runtime.paths import sysfs_root

log = logging.getLogger(__name__)

GADGET_NAME = "deepracer"
DWC3_LINK_STATE = Path("kernel/debug/dwc3.0.auto/link_state")
_IFNAME = re.compile(r"^[A-Za-z0-9_.-]{1,15}$")


class GadgetError(RuntimeError):
    """The gadget could not be created or bound (no configfs, no controller, refused write)."""


@dataclass(frozen=True)
class NetFunction:
    """One Ethernet-over-USB function and the subnet the car serves on its interface."""

    kind: str            # "ecm" or "rndis" (configfs function driver name)
    instance: str        # configfs instance name, also the interface name expected
    config: int          # configuration number (1 = first)
    car_address: str     # the car's address on this link
    client_address: str  # the one address handed out by DHCP
    host_mac: str        # MAC of the computer's end
    dev_mac: str         # MAC of the car's end

    @property
    def directory(self) -> str:
        return f"{self.kind}.{self.instance}"


# RNDIS on usb0 (10.0.0.1) and ECM on usb1 (10.0.1.1), MAC addresses as the original car's
DEFAULT_FUNCTIONS: tuple[NetFunction, ...] = (
    NetFunction("rndis", "usb0", 2, "10.0.0.1", "10.0.0.2", "12:34:56:78:90:10", "12:34:56:78:90:11"),
    NetFunction("ecm", "usb1", 1, "10.0.1.1", "10.0.1.2", "12:34:56:78:90:20", "12:34:56:78:90:21"),
)


@dataclass(frozen=True)
class GadgetSpec:
    """What the computer sees. Vendor/product ids are the original car's, so a computer that knew
    the original car's USB network adapter knows ours."""

    name: str = GADGET_NAME
    vendor_id: int = 0x1949
    product_id: int = 0x1101
    manufacturer: str = "DeepRacer open stack"
    product: str = "DeepRacer"
    serial: str = "0000000000000000"
    functions: tuple[NetFunction, ...] = DEFAULT_FUNCTIONS



def configfs_root(root: Path | None = None) -> Path:
    return (root if root is not None else sysfs_root()) / "kernel" / "config" / "usb_gadget"


def udc_dir(root: Path | None = None) -> Path:
    return (root if root is not None else sysfs_root()) / "class" / "udc"


def available_controllers(root: Path | None = None) -> list[str]:
    """USB device controllers the kernel offers (`/sys/class/udc/*`), e.g. `dwc3.0.auto`."""
    try:
        return sorted(entry.name for entry in udc_dir(root).iterdir())
    except OSError:
        return []


def _on_configfs(path: Path) -> bool:
    """True when `path` is inside a mounted configfs (the real kernel), False in a fake tree."""
    try:
        mounts = Path("/proc/self/mounts").read_text().splitlines()
    except OSError:
        return False
    target = os.path.realpath(path)
    for line in mounts:
        parts = line.split()
        if len(parts) >= 3 and parts[2] == "configfs":
            mount = parts[1]
            if target == mount or target.startswith(mount.rstrip("/") + "/"):
                return True
    return False


def _write(path: Path, value: str) -> None:
    try:
        with open(path, "w") as handle:  # configfs attributes exist already; a fake tree gets files
            handle.write(value + "\n")
    except OSError as exc:
        raise GadgetError(f"cannot write {path}: {exc.strerror or exc}") from exc


def _read(path: Path) -> str:
    try:
        return path.read_text(errors="replace").strip()
    except OSError:
        return ""


def _mkdir(path: Path) -> None:
    try:
        path.mkdir(exist_ok=True)
    except OSError as exc:
        raise GadgetError(f"cannot create {path}: {exc.strerror or exc}") from exc


def _link(target: Path, link: Path) -> None:
    if link.is_symlink():
        return
    try:
        link.symlink_to(target)
    except OSError as exc:
        raise GadgetError(f"cannot link {link}: {exc.strerror or exc}") from exc


class UsbGadget:
    """The configfs gadget of one spec: create, bind to a controller, unbind, remove."""

    def __init__(self, spec: GadgetSpec | None = None, root: Path | None = None) -> None:
        self.spec = spec or GadgetSpec()
        self.root = root  # sysfs root; None = the environment's
        self.controller: str | None = None

    @property
    def path(self) -> Path:
        return configfs_root(self.root) / self.spec.name

    def supported(self) -> bool:
        """configfs with the gadget subsystem is mounted (module libcomposite loaded)."""
        return configfs_root(self.root).is_dir()

    def create(self) -> None:
        """Write the whole gadget (idempotent: an existing one is completed, never duplicated)."""
        if not self.supported():
            raise GadgetError(f"no USB gadget configfs at {configfs_root(self.root)} (is libcomposite loaded?)")
        spec, g = self.spec, self.path
        _mkdir(g)
        if _read(g / "UDC"):  # left bound by a process that died: a bound gadget cannot be changed
            _write(g / "UDC", "")
        for name, value in (("idVendor", f"0x{spec.vendor_id:04x}"), ("idProduct", f"0x{spec.product_id:04x}"),
                            ("bcdDevice", "0x0100"), ("bcdUSB", "0x0200"),
                            # composite device with interface association descriptors
                            ("bDeviceClass", "0xef"), ("bDeviceSubClass", "0x02"), ("bDeviceProtocol", "0x01")):
            _write(g / name, value)
        self._strings(g / "strings", {"serialnumber": spec.serial, "manufacturer": spec.manufacturer,
                                      "product": spec.product})
        _mkdir(g / "configs")
        _mkdir(g / "functions")
        for fn in spec.functions:
            self._function(fn)
        self._os_descriptors()

    @staticmethod
    def _strings(parent: Path, values: dict[str, str]) -> None:
        _mkdir(parent)
        _mkdir(parent / "0x409")
        for name, value in values.items():
            _write(parent / "0x409" / name, value)

    def _config_dir(self, number: int) -> Path:
        return self.path / "configs" / f"c.{number}"

    def _function(self, fn: NetFunction) -> None:
        fdir = self.path / "functions" / fn.directory
        _mkdir(fdir)
        _write(fdir / "host_addr", fn.host_mac)
        _write(fdir / "dev_addr", fn.dev_mac)
        if fn.kind == "rndis":
            for name, value in (("class", "ef"), ("subclass", "04"), ("protocol", "01")):
                if (fdir / name).exists() or not _on_configfs(fdir):  # older kernels lack these
                    _write(fdir / name, value)
            iface = fdir / "os_desc" / "interface.rndis"
            if not _on_configfs(fdir):  # the kernel makes these directories itself
                iface.mkdir(parents=True, exist_ok=True)
            _write(iface / "compatible_id", "RNDIS")
            _write(iface / "sub_compatible_id", "5162001")
        cdir = self._config_dir(fn.config)
        _mkdir(cdir)
        _write(cdir / "MaxPower", "250")
        self._strings(cdir / "strings", {"configuration": f"{fn.kind.upper()} network"})
        _link(fdir, cdir / fn.directory)

    def _os_descriptors(self) -> None:
        rndis = [fn for fn in self.spec.functions if fn.kind == "rndis"]
        if not rndis:
            return
        os_desc = self.path / "os_desc"
        _mkdir(os_desc)
        _write(os_desc / "use", "1")
        _write(os_desc / "b_vendor_code", "0xcd")
        _write(os_desc / "qw_sign", "MSFT100")
        _link(self._config_dir(rndis[0].config), os_desc / f"c.{rndis[0].config}")

    def bind(self, controller: str | None = None) -> str:
        """Attach the gadget to a USB device controller (the first one offered unless named)."""
        offered = available_controllers(self.root)
        name = controller or (offered[0] if offered else "")
        if not name or name not in offered:
            raise GadgetError("no USB device controller (OTG port) on this machine"
                              if not offered else f"USB device controller {name!r} not found")
        current = _read(self.path / "UDC")
        if current != name:
            if current:
                _write(self.path / "UDC", "")
            _write(self.path / "UDC", name)
        self.controller = name
        return name

    def unbind(self) -> None:
        if (self.path / "UDC").exists() and _read(self.path / "UDC"):
            _write(self.path / "UDC", "")
        self.controller = None

    def remove(self) -> None:
        """Unbind and delete the gadget in the order configfs demands (links, configs, functions)."""
        g = self.path
        if not g.is_dir():
            return
        self.unbind()
        real = _on_configfs(g)
        os_desc = g / "os_desc"
        for link in list(os_desc.glob("c.*")) + list((g / "configs").glob("c.*/*.*")):
            if link.is_symlink():
                link.unlink()
        for cdir in (g / "configs").glob("c.*"):
            _rmdir(cdir / "strings" / "0x409", real)
            _rmdir(cdir, real)
        for fdir in (g / "functions").glob("*.*"):
            if not real:
                iface = fdir / "os_desc" / "interface.rndis"
                _rmdir(iface, real)
                _rmdir(fdir / "os_desc", real)
            _rmdir(fdir, real)
        _rmdir(g / "strings" / "0x409", real)
        if not real:
            for sub in ("configs", "functions", "strings", "os_desc", "webusb"):
                _rmdir(g / sub, real)
        _rmdir(g, real)

    def interface_name(self, fn: NetFunction) -> str:
        """The network interface the kernel gave this function (read once bound)."""
        value = _read(self.path / "functions" / fn.directory / "ifname")
        return value if _IFNAME.match(value) else fn.instance

    def connected(self, link_state_file: Path | None = None) -> bool:
        """A computer has configured the gadget (controller `state` = `configured`), or, with no bound
        controller, the original car's dwc3 link is in U0 (its debugfs `link_state`)."""
        if self.controller:
            state = udc_dir(self.root) / self.controller / "state"
            if state.exists():
                return _read(state) == "configured"
        link = link_state_file or (self.root or sysfs_root()) / DWC3_LINK_STATE
        return "U0" in _read(link)


def _rmdir(path: Path, real_configfs: bool) -> None:
    """rmdir. On configfs the kernel's attributes and default groups go with the directory; in a
    fake tree they are plain files and folders, removed first."""
    if not path.is_dir():
        return
    if not real_configfs:
        for entry in path.iterdir():
            if entry.is_dir() and not entry.is_symlink():
                _rmdir(entry, real_configfs)
            else:
                entry.unlink()
    try:
        path.rmdir()
    except OSError as exc:
        if exc.errno != errno.ENOENT:
            raise GadgetError(f"cannot remove {path}: {exc.strerror or exc}") from exc
