"""QR scanning: decoders behind one interface (zxing-cpp when present, else pyzbar), a camera read in a
worker thread that accepts a result only when it is stable across frames, a keyboard-wedge scanner,
and the one place that decides what a scanned payload means."""
from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from common.domain.errors import ScanRejected  # also imported from here by callers

MAX_PAYLOAD = 512


class QrDecoder(Protocol):
    name: str

    def decode(self, gray: np.ndarray) -> list[str]:
        """Texts of the QR codes in an 8-bit grey image."""


class PyzbarDecoder:
    name = "pyzbar"

    def __init__(self) -> None:
        from pyzbar import pyzbar

        self._pyzbar = pyzbar

    def decode(self, gray: np.ndarray) -> list[str]:
        found = self._pyzbar.decode(gray, symbols=[self._pyzbar.ZBarSymbol.QRCODE])
        return [r.data.decode("utf-8", errors="replace") for r in found]


class ZxingDecoder:
    name = "zxing-cpp"

    def __init__(self) -> None:
        import zxingcpp

        self._zx = zxingcpp

    def decode(self, gray: np.ndarray) -> list[str]:
        return [r.text for r in self._zx.read_barcodes(gray, formats=self._zx.BarcodeFormat.QRCode) if r.valid]  # type: ignore[arg-type]


def best_decoder() -> QrDecoder:
    """zxing-cpp where it is installed (faster, and reads blurred codes pyzbar misses), else pyzbar."""
    try:
        return ZxingDecoder()
    except ImportError:
        return PyzbarDecoder()


class Stable:
    """Accept a payload only after it was read in `frames` consecutive frames (no flicker reads)."""

    def __init__(self, frames: int = 3) -> None:
        self.frames, self.count = frames, 0
        self.last: str | None = None

    def feed(self, payloads: list[str]) -> str | None:
        current = payloads[0] if len(payloads) == 1 else None
        self.count = self.count + 1 if current is not None and current == self.last else (1 if current else 0)
        self.last = current
        if current is not None and self.count == self.frames:
            return current
        return None


class FrameSource(Protocol):
    def read(self) -> np.ndarray | None:
        """The next frame as an 8-bit grey image, or None when there is none (yet)."""


class OpenCvCamera:
    """A USB camera through OpenCV (opencv-python-headless)."""

    def __init__(self, index: int = 0, width: int = 1280, height: int = 720) -> None:
        import cv2

        self.cv2, self.cap = cv2, cv2.VideoCapture(index)
        self.cap.set(cv2.CAP_PROP_FRAME_WIDTH, width)
        self.cap.set(cv2.CAP_PROP_FRAME_HEIGHT, height)

    def read(self) -> np.ndarray | None:
        ok, frame = self.cap.read()
        return self.cv2.cvtColor(frame, self.cv2.COLOR_BGR2GRAY) if ok else None


class FrameSequence:
    """The simulator: frames prepared in advance (tests, demo)."""

    def __init__(self, frames: Iterable[np.ndarray]) -> None:
        self.frames = list(frames)

    def read(self) -> np.ndarray | None:
        return self.frames.pop(0) if self.frames else None


class CameraScanner:
    """Reads frames in a worker thread and calls `on_scan(payload)` for each stable read."""

    def __init__(self, source: FrameSource, on_scan: Callable[[str], None], decoder: QrDecoder | None = None,
                 stable_frames: int = 3) -> None:
        self.source, self.on_scan = source, on_scan
        self.decoder, self.stable = decoder or best_decoder(), Stable(stable_frames)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="camera-scanner", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread:
            self._thread.join(2)

    def _run(self) -> None:
        while not self._stop.is_set():
            frame = self.source.read()
            if frame is None:
                time.sleep(0.02)
                continue
            payload = self.stable.feed(self.decoder.decode(frame))
            if payload is not None:
                self.on_scan(payload)


class KeyboardWedge:
    """A USB scanner that types its payload and presses Enter. Keys arriving slower than a person can
    type are dropped as a person typing, not a scan."""

    def __init__(self, on_scan: Callable[[str], None], max_gap: float = 0.08, clock=time.monotonic) -> None:
        self.on_scan, self.max_gap, self.clock = on_scan, max_gap, clock
        self.buffer, self.last = "", 0.0

    def key(self, char: str) -> None:
        now = self.clock()
        if self.buffer and now - self.last > self.max_gap:
            self.buffer = ""
        self.last = now
        if char in ("\r", "\n"):
            payload, self.buffer = self.buffer, ""
            if payload:
                self.on_scan(payload)
        elif len(self.buffer) < MAX_PAYLOAD:
            self.buffer += char


@dataclass(frozen=True)
class Scan:
    kind: str  # "ticket" (our status link) or "appointment"
    value: str


_TICKET = re.compile(r"^https?://[^\s/]+(?::\d+)?/api/v1/public/tickets/([A-Za-z0-9_-]{8,64})$")
_APPOINTMENT = re.compile(r"^HB1:APPT:([A-Za-z0-9-]{8,64})$")


def parse_scan(payload: str) -> Scan:
    """What a scanned text means to the kiosk; anything else is refused with a plain message."""
    text = (payload or "").strip()
    if len(text) > MAX_PAYLOAD or not text.isprintable():
        raise ScanRejected()
    if m := _TICKET.match(text):
        return Scan("ticket", m.group(1))
    if m := _APPOINTMENT.match(text):
        return Scan("appointment", m.group(1))
    raise ScanRejected()
