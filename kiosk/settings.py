"""The kiosk's typed settings: section [kiosk] of its TOML file (kiosk.toml) and HAOBAN_KIOSK_* variables."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from common import settings as typed


def _kind(*kinds: str):
    """A check of a device spec `<kind>[:<argument>]` (printer, ID-card reader) against its known kinds."""
    def check(spec: str) -> None:
        if spec.partition(":")[0] not in kinds:
            raise ValueError("expected " + " | ".join(kinds))
    return check


def _scanner(spec: str) -> None:
    kind, colon, index = spec.partition(":")
    if not (spec in ("wedge", "none") or kind == "camera" and (not colon or index.isdigit())):
        raise ValueError("expected wedge | camera:<index> | none")


@dataclass(frozen=True)
class KioskSettings:
    hub_url: str
    store: Path
    enrolment_code: str = ""  # used once; the token is then kept in the local store
    printer: str = field(default="dummy", metadata={"check": _kind("usb", "serial", "network", "file", "dummy")})
    printer_encoding: Literal["gb18030", "gbk", "utf-8"] = "gb18030"
    printer_chinese_mode: bool = True
    idle_seconds: int = 60
    fullscreen: bool = True
    admin_pin_hash: str | None = None  # none: the five-tap gesture opens nothing
    speaker: Literal["aplay", "none"] = "aplay"
    scanner: str = field(default="wedge", metadata={"check": _scanner})
    id_reader: str = field(default="none", metadata={"check": _kind("sdt", "cvr", "simulated", "none")})
    demo: bool = False
    public_url: str = ""  # the address citizens' phones reach (the QR of a case's 受理回执); empty: hub_url


def load(path, env=None) -> KioskSettings:
    """Raises common.settings.SettingsInvalid, naming the file and the key."""
    return typed.load(KioskSettings, "kiosk", path, env=env, env_prefix="HAOBAN_KIOSK_")
