"""`haoban doctor` against real things: a hub on loopback (its clock against ours), TLS servers with certificates made
here (10, 90 days and expired), a printer as a device file and as a listening port, and the command as a process
with its report in Chinese and English."""
from __future__ import annotations

import dataclasses
import os
import socket
import ssl
import threading
from datetime import datetime, timedelta, timezone

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from common.devices import probe
from kiosk.settings import KioskSettings
from server import doctor
from tests.conftest import LiveHub
from tests.integration.test_migrations_cli import run_cli
from tests.world import FakeClock

NOW = datetime(2026, 12, 31, 15, 59, tzinfo=timezone.utc)  # 23:59 in Shanghai on 31 December


def test_the_doctors_kiosk_defaults_are_the_kiosks():
    fields = {f.name: f.default for f in dataclasses.fields(KioskSettings)}
    assert {k: fields[k] for k in doctor.KIOSK_DEFAULTS} == doctor.KIOSK_DEFAULTS


def test_the_hub_and_the_clock_against_a_hub_on_loopback(world):
    with LiveHub(world.hub) as live:
        reached, hub_now, offset = doctor.hub(live.url, world.clock)
        assert reached.state == "ok" and hub_now == world.clock.now() and abs(offset) < 1
        assert doctor.clock_offset(hub_now, offset).state == "ok"
        behind = FakeClock(world.clock.now() - timedelta(seconds=120))  # this machine two minutes behind
        _, hub_now, offset = doctor.hub(live.url, behind)
        late = doctor.clock_offset(hub_now, offset)
        assert late.state == "fail" and "behind" in late.saw and late.fix_text("zh_CN") and late.fix_text("en")
        _, hub_now, offset = doctor.hub(live.url, FakeClock(world.clock.now() + timedelta(seconds=5)))
        assert doctor.clock_offset(hub_now, offset).state == "warn"
    gone = doctor.hub(live.url, world.clock)[0]
    assert gone.state == "fail" and live.url in gone.fix_text("zh_CN") and live.url in gone.fix_text("en")


def _certificate(tmp_path, days: float) -> tuple[str, str]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(NOW - timedelta(days=400))
            .not_valid_after(NOW + timedelta(days=days)).sign(key, hashes.SHA256()))
    cert_file, key_file = tmp_path / f"c{days}.pem", tmp_path / f"k{days}.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return str(cert_file), str(key_file)


@pytest.mark.parametrize(("days", "state"), [(90, "ok"), (10, "warn"), (-1, "fail")])
def test_the_certificate_of_an_https_hub(tmp_path, days, state):
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(*_certificate(tmp_path, days))
    server = socket.create_server(("127.0.0.1", 0))
    port = server.getsockname()[1]

    def serve():
        conn, _ = server.accept()
        try:
            with context.wrap_socket(conn, server_side=True):
                pass
        except (OSError, ssl.SSLError):
            pass

    t = threading.Thread(target=serve, daemon=True)
    t.start()
    checked = doctor.certificate(f"https://127.0.0.1:{port}", NOW)
    t.join(10)
    server.close()
    assert checked.state == state, checked
    if state != "ok":
        assert checked.fix_text("zh_CN") and checked.fix_text("en")


def test_a_printer_as_a_device_file_and_as_a_network_port(tmp_path):
    device = tmp_path / "usb-lp0"
    device.write_bytes(b"")
    assert doctor.device("printer", probe.printer(f"file:{device}")).state == "ok"
    missing = doctor.device("printer", probe.printer(f"file:{tmp_path / 'none'}"))
    assert missing.state == "fail" and missing.fix_text("zh_CN") and missing.fix_text("en")
    listening = socket.create_server(("127.0.0.1", 0))
    port = listening.getsockname()[1]
    assert doctor.device("printer", probe.printer(f"network:127.0.0.1:{port}")).state == "ok"
    listening.close()
    assert doctor.device("printer", probe.printer(f"network:127.0.0.1:{port}")).state == "fail"
    assert doctor.device("printer", probe.printer("dummy")).state == "warn"  # the simulator: works, prints nothing
    assert doctor.device("printer", probe.printer("laser:x")).state == "fail"


def test_disk_thresholds():
    assert [doctor.disk_state(n * doctor.MB) for n in (100, 199, 200, 1023, 1024, 50_000)] == \
        ["fail", "fail", "warn", "warn", "ok", "ok"]


def test_the_command_says_each_fix_in_both_languages_and_fails_when_a_check_fails(tmp_path):
    closed = socket.create_server(("127.0.0.1", 0))
    port = closed.getsockname()[1]
    closed.close()
    kiosk = tmp_path / "kiosk.toml"
    kiosk.write_text(f'[kiosk]\nprinter = "file:{tmp_path / "lp0"}"\nspeaker = "none"\n', encoding="utf-8")
    env = {**os.environ, "HAOBAN_DATA_DIR": str(tmp_path)}
    r = run_cli("doctor", "--hub", f"http://127.0.0.1:{port}", "--kiosk", str(kiosk), env=env)
    assert r.returncode == 1, r.stdout + r.stderr
    assert "处理办法" in r.stdout and "Fix:" in r.stdout and "故障" in r.stdout and "FAIL" in r.stdout
    assert f"127.0.0.1:{port}" in r.stdout and "lp0" in r.stdout
    r = run_cli("doctor", "--kiosk", str(tmp_path / "missing.toml"), env=env)
    assert r.returncode == 2 and "Error" in r.stderr
