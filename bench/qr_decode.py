"""Benchmark: QR decoding per 1280x720 camera frame, pyzbar against zxing-cpp, on clean and hard frames.
Run: .venv/bin/python bench/qr_decode.py"""
from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from common.devices.qrframes import frame  # noqa: E402
from common.devices.scanner import PyzbarDecoder, ZxingDecoder  # noqa: E402

URL = "http://192.0.2.10:8300/api/v1/public/tickets/Zq3xv0b8Lm"
CASES = {"clean": {}, "tilted+noisy": {"angle": -8, "tilt": 0.08, "blur": 3, "noise": 8.0},
         "heavy blur": {"blur": 9}, "no code": None}


def main() -> None:
    import numpy as np

    for name, kw in CASES.items():
        img = np.full((720, 1280), 190, np.uint8) if kw is None else frame(URL, **kw)
        parts = []
        for decoder in (PyzbarDecoder(), ZxingDecoder()):
            times, ok = [], 0
            for _ in range(30):
                t = time.perf_counter()
                ok += decoder.decode(img) == [URL]
                times.append(time.perf_counter() - t)
            parts.append(f"{decoder.name} {statistics.median(times) * 1000:6.1f} ms (read {ok}/30)")
        print(f"{name:<13} " + "   ".join(parts))


if __name__ == "__main__":
    main()
