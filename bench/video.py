"""视频帮办 figures and screenshots (docs/benchmarks.md, docs/remote.md): request -> the desk's page shows it, and
accept -> both pages decode video, in Debian's Chromium with a fake camera, through a hub on loopback (one process).
Also saves every screen of the desk and the village page, in Chinese and English, to DIR (default /tmp/video-shots).

    PYTHONPATH=. .venv/bin/python bench/video.py [DIR] [--runs N]
"""
from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from common.db.engine import make_engine, migrate  # noqa: E402
from common.usecases.hub import Hub  # noqa: E402
from devtools import browser  # noqa: E402
from devtools.loopback import LoopbackHub  # noqa: E402
from tests.web import videohall  # noqa: E402

FRAMES = "window.haobanCall && window.haobanCall.stats().then(n => n > 0)"


def _until(page, expr: str) -> float:
    browser.wait_until(page, expr, 30, poll=0.005)
    return time.perf_counter()


def main() -> None:
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    runs = int(sys.argv[sys.argv.index("--runs") + 1]) if "--runs" in sys.argv else 10
    out = Path(args[0] if args and not args[0].isdigit() else "/tmp/video-shots")
    out.mkdir(parents=True, exist_ok=True)
    engine = make_engine(f"sqlite:///{Path(tempfile.mkdtemp()) / 'hub.sqlite3'}")
    migrate(engine)
    videohall.build(engine)
    seen, video = [], []
    with LoopbackHub(Hub(engine)) as live, sync_playwright() as p:
        b = browser.launch(p, media=True)
        pages = {}
        for lang in ("zh", "en"):
            for name, site, staff in (("desk", videohall.DISTRICT, "D1"), ("village", videohall.VILLAGE, "V1")):
                page = b.new_context(viewport={"width": 1280, "height": 800}).new_page()
                videohall.sign_in(page, live.url, site, staff, lang)
                pages[lang, name] = page
        for lang in ("zh", "en"):
            desk, village = pages[lang, "desk"], pages[lang, "village"]
            shot = lambda page, name, lang=lang: page.screenshot(path=str(out / f"video-{name}-{lang}.png"))  # noqa: E731
            browser.wait_until(village, "!document.getElementById('ask').disabled", 30)
            shot(village, "village-choose")
            shot(desk, "desk-idle")
            for i in range(runs if lang == "zh" else 1):
                t0 = time.perf_counter()
                village.click("#ask")
                seen.append(_until(desk, "document.querySelectorAll('#queue li').length > 0") - t0)
                if i == 0:
                    shot(village, "village-waiting")
                    shot(desk, "desk-queue")
                t1 = time.perf_counter()
                desk.click("#take-next")
                _until(village, FRAMES)
                video.append(_until(desk, FRAMES) - t1)
                if i == 0:
                    time.sleep(1)  # a frame or two more, for the picture only
                    shot(village, "village-call")
                    shot(desk, "desk-call")
                village.click("#hang-up")
                browser.wait_until(desk, "document.body.dataset.state === 'call_over'", 30)
                browser.wait_until(village, "document.body.dataset.state === 'rate'", 30)
                if i == 0:
                    shot(desk, "desk-outcome")
                    shot(village, "village-rate")
                desk.click("#save-outcome")
                village.click("#face-5")
                browser.wait_until(village, "document.body.dataset.state === 'thanks'", 30)
                if i == 0:
                    shot(village, "village-thanks")
                village.click(".vh-again >> visible=true")
                browser.wait_until(desk, "document.body.dataset.state === 'idle'", 30)
            desk.context.close()  # no desk on line: the village page says so and offers a call-back
            if lang == "zh":
                pages["en", "desk"].context.close()  # the English desk is of the same site: it too must be gone
            browser.wait_until(village, "document.getElementById('ask').disabled", 30)
            shot(village, "village-unavailable")
            village.click(".vh-leave-call-back >> visible=true")
            browser.wait_until(village, "document.body.dataset.state === 'call_back_left'", 30)
            shot(village, "village-call-back-left")
            if lang == "zh":
                desk2 = b.new_context(viewport={"width": 1280, "height": 800}).new_page()
                videohall.sign_in(desk2, live.url, videohall.DISTRICT, "D1", "en")
                pages["en", "desk"] = desk2
                village.click(".vh-again >> visible=true")
        b.close()
    for name, xs in (("request -> the desk shows it", seen), ("accept -> both decode video", video)):
        xs = sorted(xs)
        print(f"{name}: n={len(xs)} median {statistics.median(xs) * 1000:.0f} ms, max {xs[-1] * 1000:.0f} ms")
    print(f"screenshots in {out}")


if __name__ == "__main__":
    main()
