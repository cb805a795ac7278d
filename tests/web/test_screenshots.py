"""Screenshots of every page for review, at the sizes they are made for (set HAOBAN_SCREENSHOTS=dir to keep them)."""
from __future__ import annotations

import os
import struct
from pathlib import Path

from devtools.screenshots import web as screenshots

SIZES = {"display": (1920, 1080), "display-enrol": (1920, 1080), "dashboard": (1440, 900),
         "dashboard-sign-in": (1440, 900), "dashboard-sign-in-refused": (1440, 900), "handler-sign-in": (1440, 900), **{f"phone-{s}-{lang}": (390, 844) for s in ("waiting", "called") for lang in ("zh", "en")}}


def png_size(path: Path) -> tuple[int, int]:
    head = path.read_bytes()[:24]
    assert head[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", head[16:24])


def test_every_page_is_rendered_at_its_size(tmp_path, chromium):
    folder = Path(os.environ.get("HAOBAN_SCREENSHOTS") or tmp_path)
    made = {p.stem.removeprefix("web-"): p for p in screenshots.render(folder, chromium)}
    for name, size in SIZES.items():
        assert png_size(made[name]) == size, name
        assert made[name].stat().st_size > 20_000, name  # a page with content, not a blank
    width, height = png_size(made["dashboard-full"])
    assert width == 1440 and height > 900  # the whole dashboard: the assessment below the fold
    cases = {f"{name}-{lang}" for name in ("case-overdue", "case-closed", "dashboard-cases", "dashboard-case", "handler",
                                           "handler-case") for lang in ("zh", "en")}
    assert cases <= set(made) and all(png_size(made[n])[0] in (390, 1440) for n in cases)  # the cases pages, both languages
