"""Is the configured device there? A quick look at each kind of device of a kiosk spec, for `haoban doctor`.

Each probe takes the spec as kiosk.toml writes it (kiosk/main.py reads the same forms) and answers a `Probe`: found
or not, what it saw (technical, in English: a path, an address, a library's error) and, when not, a problem code the
doctor turns into a fix in plain words. Nothing is printed and no receipt comes out: a printer file is only opened
for writing, a network printer only connected to, a reader's port only opened.
"""
from __future__ import annotations

import glob
import os
import re
import shutil
import socket
import subprocess
import time
from dataclasses import dataclass

from common.devices import idreader

NETWORK_PRINTER_PORT = 9100  # raw ESC/POS over TCP (python-escpos's Network default)
TIMEOUT = 3.0  # seconds a network printer or `aplay -l` may take


@dataclass(frozen=True)
class Probe:
    problem: str  # "" when the device is there; else a code (texts: i18n/doctor.json "fix_<code>")
    saw: str
    simulated: bool = False  # the simulator is configured: it works, but no real device is used


def _device_file(path: str) -> Probe:
    if not path:
        return Probe("no_device_file", "no device file named")
    if not os.path.exists(path):
        return Probe("no_device_file", f"{path} does not exist")
    if not os.access(path, os.W_OK):
        return Probe("not_writable", f"{path} exists but this user ({os.getuid()}) may not write to it")
    return Probe("", f"{path} exists and is writable")


def printer(spec: str) -> Probe:
    kind, _, arg = spec.partition(":")
    if kind in ("file", "serial"):
        return _device_file(arg)
    if kind == "network":
        host, _, port = arg.rpartition(":") if arg.count(":") == 1 else (arg, "", "")
        host, number = host or arg, int(port) if port.isdigit() else NETWORK_PRINTER_PORT
        start = time.monotonic()
        try:
            with socket.create_connection((host, number), timeout=TIMEOUT):
                pass
        except OSError as exc:
            return Probe("printer_no_answer", f"{host}:{number} does not answer ({exc.strerror or exc})")
        return Probe("", f"{host}:{number} answers ({(time.monotonic() - start) * 1000:.0f} ms)")
    if kind == "usb":
        return _usb(arg)
    if kind == "dummy":
        return Probe("", "the simulator (dummy): receipts are kept in memory, none is printed", simulated=True)
    return Probe("unknown_spec", f"printer {spec!r} is not a kind the kiosk knows")


def _usb(arg: str) -> Probe:
    ids = arg.split(":")
    try:
        vendor, product = (int(x, 16) for x in ids[:2])
    except ValueError:
        return Probe("unknown_spec", f"usb:{arg} is not usb:<vendor id>:<product id>")
    try:
        import usb.core  # pyusb, python-escpos's USB path
    except ImportError:
        return Probe("usb_no_library", "pyusb is not installed")
    try:
        found = usb.core.find(idVendor=vendor, idProduct=product)
    except usb.core.NoBackendError:
        return Probe("usb_no_library", "no libusb backend (package libusb-1.0-0)")
    if found is None:
        return Probe("usb_not_found", f"no USB device {vendor:04x}:{product:04x} is plugged in")
    return Probe("", f"USB device {vendor:04x}:{product:04x} is plugged in")


def scanner(spec: str) -> Probe:
    kind, _, index = spec.partition(":")
    if kind == "wedge":
        return Probe("", "a keyboard-wedge scanner types like a keyboard: nothing to look for (scan a code to try it)")
    if kind == "camera":
        path = f"/dev/video{index or 0}"
        if not os.path.exists(path):
            return Probe("no_camera", f"{path} does not exist")
        if not os.access(path, os.R_OK):
            return Probe("camera_not_readable", f"{path} exists but this user may not read it")
        return Probe("", f"{path} exists and is readable")
    return Probe("", "no scanner configured (none)")


def id_reader(spec: str) -> Probe:
    """Opens the reader's port through its vendor library, as the kiosk does at its start."""
    kind, _, rest = spec.partition(":")
    library, _, port = rest.partition(":")
    if kind == "simulated":
        reader = idreader.SimulatedReader()
        return Probe("", f"the simulator: it answers ({'a card' if reader.read() else 'no card'} on it)", simulated=True)
    if kind not in ("sdt", "cvr"):
        return Probe("", "no ID-card reader configured (none)")
    library = library or ("libsdtapi.so" if kind == "sdt" else "libtermb.so")
    try:
        if kind == "sdt":
            idreader.SdtReader(library, int(port or 1001))
        else:
            idreader.CvrReader(library, int(port or 1001))
    except OSError as exc:
        return Probe("reader_no_library", f"{library} cannot be loaded ({exc})")
    except (idreader.ReaderFailed, AttributeError) as exc:  # no such port, or a library without the SDK's calls
        return Probe("reader_not_connected", f"{library} loaded, port {port or 1001} does not open ({type(exc).__name__})")
    return Probe("", f"{library} loaded, port {port or 1001} open")


CARD = re.compile(r"^card (\d+): (.+)$", re.M)


def sound(command: str = "aplay") -> Probe:
    """ALSA's `aplay -l` lists a sound card (the kiosk's spoken prompts and the terminal's calls play through it)."""
    if shutil.which(command) is None:
        return Probe("no_aplay", f"{command} is not installed")
    try:
        done = subprocess.run([command, "-l"], capture_output=True, text=True, timeout=TIMEOUT)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return Probe("no_sound_card", f"{command} -l failed ({exc})")
    cards = CARD.findall(done.stdout)
    if not cards:
        said = (done.stderr or done.stdout).strip().splitlines()
        return Probe("no_sound_card", f"{command} -l lists no card ({said[-1] if said else 'no output'})")
    return Probe("", f"{len(cards)} card{'s' if len(cards) > 1 else ''}: " + "; ".join(f"{n}: {name}" for n, name in cards))


@dataclass(frozen=True)
class Found:
    spec: str  # as kiosk.toml writes it
    saw: str  # technical, in English: what was found where


PRINTER_FILES = ("usb/lp*", "lp[0-9]*")  # the usblp driver's device files (a USB printer with the kernel's driver)
SERIAL_FILES = ("ttyUSB*", "ttyACM*")  # USB-serial adapters; a receipt printer on a serial port often sits here
PRINTER_CLASS = 7  # USB interface class of printers


def detect_printers(dev: str = "/dev") -> list[Found]:
    """The receipt printers this machine may have: device files of the usblp driver and USB-serial ports under
    `dev`, and USB devices with a printer interface (through pyusb, when it is installed). Nothing is sent."""
    found = [Found(f"file:{path}", f"{path}: a printer device file") for pattern in PRINTER_FILES
             for path in sorted(glob.glob(os.path.join(dev, pattern)))]
    found += [Found(f"serial:{path}", f"{path}: a USB-serial port") for pattern in SERIAL_FILES
              for path in sorted(glob.glob(os.path.join(dev, pattern)))]
    return found + _usb_printers()


def _usb_printers() -> list[Found]:
    try:
        import usb.core  # pyusb: optional, python-escpos's USB path
        devices = list(usb.core.find(find_all=True))
    except Exception:  # noqa: BLE001 - no pyusb, no libusb backend, no permission: nothing found that way
        return []
    found = []
    for d in devices:
        try:
            classes = {i.bInterfaceClass for c in d for i in c}
        except Exception:  # noqa: BLE001 - a device that cannot be read is not offered
            continue
        if PRINTER_CLASS in classes:
            found.append(Found(f"usb:{d.idVendor:04x}:{d.idProduct:04x}", f"USB printer {d.idVendor:04x}:{d.idProduct:04x}"))
    return found


def detect_cameras(dev: str = "/dev") -> list[Found]:
    """Cameras a kiosk could read QR codes with (/dev/videoN; a camera often has two nodes, the first captures)."""
    paths = sorted(glob.glob(os.path.join(dev, "video[0-9]*")), key=lambda p: int(p.rpartition("video")[2]))
    return [Found(f"camera:{p.rpartition('video')[2]}", f"{p}: a video device") for p in paths]
