"""The scanner pipeline on generated frames: qrcode -> image -> perspective / blur / noise -> both decoders."""
from __future__ import annotations

import threading

import numpy as np
import pytest

from common.devices.qrframes import frame
from common.devices.scanner import (
    CameraScanner,
    FrameSequence,
    KeyboardWedge,
    PyzbarDecoder,
    ScanRejected,
    Stable,
    ZxingDecoder,
    best_decoder,
    parse_scan,
)

URL = "http://192.0.2.10:8300/api/v1/public/tickets/Zq3xv0b8Lm"
DECODERS = [PyzbarDecoder(), ZxingDecoder()]


@pytest.mark.parametrize("decoder", DECODERS, ids=lambda d: d.name)
@pytest.mark.parametrize("distortion", [{}, {"angle": 17}, {"tilt": 0.12}, {"blur": 5}, {"noise": 12.0},
                                        {"angle": -8, "tilt": 0.08, "blur": 3, "noise": 8.0}])
def test_both_decoders_read_distorted_frames(decoder, distortion):
    assert decoder.decode(frame(URL, **distortion)) == [URL]


def test_no_code_reads_nothing_and_zxing_is_preferred():
    blank = np.full((720, 1280), 180, np.uint8)
    assert all(d.decode(blank) == [] for d in DECODERS)
    assert best_decoder().name == "zxing-cpp"


def test_a_read_counts_only_when_stable_across_frames():
    stable = Stable(frames=3)
    assert [stable.feed(x) for x in (["a"], ["a"], ["b"], ["b"], ["b"], ["b"])] == [None, None, None, None, "b", None]
    assert [stable.feed(x) for x in ([], ["c"], ["c", "d"], ["c"], ["c"], ["c"])] == [None, None, None, None, None, "c"]


def test_camera_scanner_thread_delivers_one_stable_scan():
    frames = [frame(URL, seed=i, noise=5.0) for i in range(4)] + [np.full((720, 1280), 200, np.uint8)]
    got, done = [], threading.Event()
    scanner = CameraScanner(FrameSequence(frames), lambda p: (got.append(p), done.set()), stable_frames=3)
    scanner.start()
    assert done.wait(10)
    scanner.stop()
    assert got == [URL]


def test_keyboard_wedge_scan_and_a_slow_typist():
    got, t = [], [0.0]
    wedge = KeyboardWedge(got.append, clock=lambda: t[0])
    for ch in "HB1:APPT:0193ab12cd\r":
        t[0] += 0.01
        wedge.key(ch)
    assert got == ["HB1:APPT:0193ab12cd"]
    for ch in "abc":
        t[0] += 0.5  # a person at a keyboard, not a scanner
        wedge.key(ch)
    wedge.key("\r")
    assert got == ["HB1:APPT:0193ab12cd", "c"]


def test_payloads_mean_a_ticket_an_appointment_or_nothing():
    assert parse_scan(URL).kind == "ticket" and parse_scan(URL).value == "Zq3xv0b8Lm"
    assert parse_scan("HB1:APPT:0193ab12-cd45").kind == "appointment"
    for hostile in ("http://evil.example/phish", "javascript:alert(1)", "A" * 5000, "HB1:APPT:x\x00y",
                    "http://h/api/v1/public/tickets/../../admin", "", "请到3号窗口"):
        with pytest.raises(ScanRejected) as err:
            parse_scan(hostile)
        assert err.value.zh and err.value.en
