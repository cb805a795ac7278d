"""What the set-up screen offers: printers and cameras found under a device folder (a folder of the test's own with
the device files' names; /dev on a real machine), in the kiosk.toml forms the kiosk opens."""
from __future__ import annotations

from common.devices import probe


def test_printer_device_files_and_usb_serial_ports_are_offered_in_the_kiosks_forms(tmp_path):
    for name in ("usb/lp1", "usb/lp0", "ttyUSB0", "ttyACM2", "ttyS0", "video0"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).touch()
    specs = [f.spec for f in probe.detect_printers(str(tmp_path))]
    assert specs[:4] == [f"file:{tmp_path}/usb/lp0", f"file:{tmp_path}/usb/lp1", f"serial:{tmp_path}/ttyUSB0",
                         f"serial:{tmp_path}/ttyACM2"]  # a built-in ttyS0 is not offered: most PCs have one, unused
    assert all(not s.startswith(f"serial:{tmp_path}/ttyS") for s in specs)


def test_cameras_are_offered_by_number_in_numeric_order(tmp_path):
    for n in (10, 2, 0):
        (tmp_path / f"video{n}").touch()
    assert [f.spec for f in probe.detect_cameras(str(tmp_path))] == ["camera:0", "camera:2", "camera:10"]
    assert probe.detect_cameras(str(tmp_path / "none")) == []
