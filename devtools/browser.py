"""Debian's Chromium driven by Playwright (tests, screenshots, benchmarks): never a downloaded browser."""
from __future__ import annotations

import os
import shutil

CHROMIUM = os.environ.get("HAOBAN_CHROMIUM", "/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--autoplay-policy=no-user-gesture-required"]
SIZES = {"display": (1920, 1080), "phone": (390, 844), "dashboard": (1440, 900)}
# 视频帮办's tests: a fake camera and microphone, allowed without asking (and no mDNS names for host candidates)
FAKE_MEDIA = ["--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream",
              "--disable-features=WebRtcHideLocalIpsWithMdns"]


def launch(playwright, media: bool = False):
    """A headless Chromium with a fresh profile (with `media`, a fake camera and microphone); a clear message if
    Debian's chromium is missing."""
    if not shutil.which(CHROMIUM):
        from common.domain import errors as e

        raise e.InvalidInput("no_chromium", path=CHROMIUM)
    kind = getattr(playwright, "chromium", playwright)  # a Playwright, or its chromium BrowserType
    return kind.launch(executable_path=CHROMIUM, args=ARGS + (FAKE_MEDIA if media else []))


def new_page(browser, kind: str):
    """A page in its own context (own cookies) at the size of `kind`: display, phone or dashboard."""
    width, height = SIZES[kind]
    context = browser.new_context(viewport={"width": width, "height": height}, locale="zh-CN",
                                  device_scale_factor=1, is_mobile=kind == "phone", has_touch=kind == "phone")
    return context.new_page()


def wait_until(page, expression: str, timeout: float = 15.0, poll: float = 0.02):
    """Poll a JS expression until it is truthy (not page.wait_for_function: the pages' CSP forbids its eval)."""
    import time

    deadline = time.monotonic() + timeout
    while True:
        value = page.evaluate(f"() => {{ try {{ return {expression}; }} catch (e) {{ return null; }} }}")
        if value:
            return value
        if time.monotonic() > deadline:
            raise TimeoutError(f"not true after {timeout} s: {expression}")
        time.sleep(poll)
