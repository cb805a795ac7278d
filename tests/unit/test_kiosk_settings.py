"""The kiosk's device settings (kiosk.toml): readers, speakers and demo devices are made from plain strings."""
from __future__ import annotations

from datetime import datetime, timezone

from common.devices.idreader import SimulatedReader
from common.devices.scanner import parse_scan
from common.devices.speaker import AplaySpeaker, RecordingSpeaker
from common.domain.idcard import parse_id
from common.usecases.appointments import demo_bookings
from kiosk.main import demo_devices, make_reader, make_speaker


def test_readers_and_speakers_from_settings(capsys):
    assert isinstance(make_reader("simulated"), SimulatedReader) and make_reader("none") is None
    assert make_reader("sdt:/nonexistent/libsdtapi.so:1001") is None  # no vendor library: the kiosk runs on
    assert "not available" in capsys.readouterr().err
    assert isinstance(make_speaker("none"), RecordingSpeaker) and isinstance(make_speaker("aplay"), AplaySpeaker)


def test_demo_devices_hold_a_valid_card_and_an_appointment_qr():
    devices = demo_devices(demo_bookings(datetime(2026, 11, 26, 2, 10, tzinfo=timezone.utc))[0])
    assert parse_id(devices["card"].id_number).age_on(datetime(2026, 11, 26).date()) >= 60
    scan = parse_scan(devices["qr"])
    assert scan.kind == "appointment" and scan.value == "YW202611260001"
