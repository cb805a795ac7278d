"""`haoban doctor`: is this machine ready for the hall? Printer, scanner, ID-card reader, sound, the hub, the clock, disk
space and the hub's certificate, each answered ok / warn / fail with what was seen and the fix in plain words.

The devices are those of a kiosk settings file (kiosk.toml, section [kiosk]: read here with tomllib, since the hub
does not import the kiosk program; the defaults are the kiosk's, tests/unit/test_doctor.py holds them equal), probed
by common/devices/probe.py. The hub is the one named by --hub, else the kiosk's hub_url, else this hub's own address.
"""
from __future__ import annotations

import shutil
import socket
import ssl
import time
import tomllib
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit

import requests
from cryptography import x509

import i18n
from common.devices import probe
from common.domain.clock import utc

KIOSK_DEFAULTS = {"printer": "dummy", "scanner": "wedge", "id_reader": "none", "speaker": "aplay"}  # kiosk/settings.py
MB = 1024 * 1024
DISK_WARN, DISK_FAIL = 1024 * MB, 200 * MB  # free bytes of the data folder's file system
CLOCK_WARN, CLOCK_FAIL = 2.0, 60.0  # seconds off the hub's clock (devices correct by it, but wait times and logs drift)
HUB_SLOW = 1.0  # seconds for /healthz: slower, and the kiosk's and terminal's time-outs come close
CERT_WARN_DAYS = 30
HUB_TIMEOUT = 5.0
STATES = ("ok", "warn", "fail")


@dataclass(frozen=True)
class Check:
    name: str  # printer | scanner | id_reader | sound | hub | clock | disk | certificate
    state: str  # ok | warn | fail
    saw: str  # what was seen, technical (paths, addresses, figures)
    fix: str = ""  # the key of its fix in i18n/doctor.json ("fix_<problem>"), empty when ok
    fields: dict = field(default_factory=dict)  # the fix's {fields}

    def fix_text(self, lang: str) -> str:
        return i18n.text("doctor", self.fix, lang, **self.fields) if self.fix else ""


def device(name: str, found: probe.Probe) -> Check:
    if found.problem:
        return Check(name, "fail", found.saw, f"fix_{found.problem}")
    if found.simulated:
        return Check(name, "warn", found.saw, "fix_simulator")
    return Check(name, "ok", found.saw)


def kiosk_devices(kiosk: dict) -> list[Check]:
    spec = {**KIOSK_DEFAULTS, **{k: str(v) for k, v in kiosk.items() if k in KIOSK_DEFAULTS}}
    checks = [device("printer", probe.printer(spec["printer"])), device("scanner", probe.scanner(spec["scanner"])),
              device("id_reader", probe.id_reader(spec["id_reader"]))]
    if spec["speaker"] == "none":
        checks.append(Check("sound", "ok", "speaker = none in the kiosk settings: no spoken prompts"))
    else:
        checks.append(device("sound", probe.sound()))
    return checks


def hub(url: str, clock) -> tuple[Check, datetime | None, float]:
    """GET /healthz: reachable and how fast; its `now` (the hub's time) and our clock's offset from it."""
    t0 = clock.now()
    start = time.monotonic()
    try:
        r = requests.get(f"{url.rstrip('/')}/healthz", timeout=HUB_TIMEOUT)
        seconds = time.monotonic() - start
        t1 = clock.now()
        hub_now = utc(datetime.fromisoformat(r.json()["now"])) if r.status_code == 200 else None
    except requests.exceptions.SSLError as exc:
        return Check("hub", "fail", f"{url}: TLS refused ({str(exc)[:160]})", "fix_hub_tls"), None, 0.0
    except requests.RequestException as exc:
        return Check("hub", "fail", f"{url}: no answer ({type(exc).__name__})", "fix_hub_unreachable", {"url": url}), None, 0.0
    except (ValueError, KeyError):
        return Check("hub", "fail", f"{url}/healthz did not answer as a Haoban hub", "fix_hub_not_haoban", {"url": url}), None, 0.0
    if hub_now is None:
        return Check("hub", "fail", f"{url}/healthz answered {r.status_code}", "fix_hub_not_haoban", {"url": url}), None, 0.0
    offset = (hub_now - (t0 + (t1 - t0) / 2)).total_seconds()  # as common.sync.transport.timed reads it
    saw = f"{url}/healthz answered in {seconds * 1000:.0f} ms"
    if seconds > HUB_SLOW:
        return Check("hub", "warn", saw, "fix_hub_slow"), hub_now, offset
    return Check("hub", "ok", saw), hub_now, offset


def clock_offset(hub_now: datetime | None, offset: float) -> Check:
    if hub_now is None:
        return Check("clock", "warn", "not compared: the hub did not answer", "fix_clock_no_hub")
    saw = f"this machine is {abs(offset):.1f} s {'behind' if offset > 0 else 'ahead of'} the hub"
    state = "fail" if abs(offset) >= CLOCK_FAIL else "warn" if abs(offset) >= CLOCK_WARN else "ok"
    return Check("clock", state, saw, "" if state == "ok" else "fix_clock_off")


def disk_state(free: int) -> str:
    return "fail" if free < DISK_FAIL else "warn" if free < DISK_WARN else "ok"


def disk(folder: Path) -> Check:
    """Free space where the data folder is (its nearest existing parent, when it is not made yet)."""
    at = folder
    while not at.exists() and at != at.parent:
        at = at.parent
    free = shutil.disk_usage(at).free
    state = disk_state(free)
    saw = f"{free / MB:,.0f} MB free at {at}" + ("" if at == folder else f" ({folder} not made yet)")
    return Check("disk", state, saw, "" if state == "ok" else "fix_disk", {"folder": str(at)})


def certificate(url: str, now: datetime) -> Check:
    """Days left on the certificate of an https hub (read without trusting it: the hub check says whether it is)."""
    parts = urlsplit(url)
    if parts.scheme != "https":
        return Check("certificate", "ok", f"{url} is not https: no certificate")
    context = ssl.create_default_context()
    context.check_hostname, context.verify_mode = False, ssl.CERT_NONE
    try:
        with socket.create_connection((parts.hostname, parts.port or 443), timeout=HUB_TIMEOUT) as raw:
            with context.wrap_socket(raw, server_hostname=parts.hostname) as tls:
                der = tls.getpeercert(binary_form=True)
    except (OSError, ssl.SSLError) as exc:
        return Check("certificate", "fail", f"{parts.netloc}: no TLS answer ({type(exc).__name__})", "fix_hub_tls")
    if not der:
        return Check("certificate", "fail", f"{parts.netloc} sent no certificate", "fix_hub_tls")
    expires = x509.load_der_x509_certificate(der).not_valid_after_utc
    days = (expires - now).total_seconds() / 86400
    saw = f"expires {expires:%Y-%m-%d %H:%M} UTC, in {days:.0f} days"
    if days < 0:
        return Check("certificate", "fail", f"expired {expires:%Y-%m-%d %H:%M} UTC", "fix_cert_expired")
    if days < CERT_WARN_DAYS:
        return Check("certificate", "warn", saw, "fix_cert_expiring", {"days": f"{days:.0f}"})
    return Check("certificate", "ok", saw)


def run(*, hub_url: str, data_dir: Path, kiosk: dict | None, clock) -> list[Check]:
    """Every check, in the order printed. `kiosk`: the [kiosk] section of a kiosk settings file (None: no devices)."""
    checks = kiosk_devices(kiosk) if kiosk is not None else []
    reached, hub_now, offset = hub(hub_url, clock)
    return [*checks, reached, clock_offset(hub_now, offset), disk(data_dir), certificate(hub_url, clock.now())]


def kiosk_section(path: str) -> dict:
    """The [kiosk] section of a kiosk settings file; raises OSError or tomllib.TOMLDecodeError."""
    with open(path, "rb") as f:
        section = tomllib.load(f).get("kiosk", {})
    return section if isinstance(section, dict) else {}


def render(checks: list[Check], devices_checked: bool) -> str:
    """The report: one line per check in Chinese and English, and under each that is not ok its fix in both."""
    word = {s: f"{i18n.text('doctor', s)} {i18n.text('doctor', s, 'en')}" for s in STATES}
    width = max(len(w) for w in word.values())
    out = [i18n.text("doctor", "title") + " / " + i18n.text("doctor", "title", "en")]
    if not devices_checked:
        out.append(i18n.text("doctor", "no_kiosk") + " / " + i18n.text("doctor", "no_kiosk", "en"))
    for c in checks:
        out.append(f"[{word[c.state]:<{width}}] {i18n.text('doctor', c.name)} {i18n.text('doctor', c.name, 'en')}: {c.saw}")
        if c.fix:
            out.append(f"      处理办法：{c.fix_text('zh_CN')}")
            out.append(f"      Fix: {c.fix_text('en')}")
    fails = sum(c.state == "fail" for c in checks)
    warns = sum(c.state == "warn" for c in checks)
    out.append(i18n.text("doctor", "summary", fails=fails, warns=warns) + " / "
               + i18n.text("doctor", "summary", "en", fails=fails, warns=warns))
    return "\n".join(out)
