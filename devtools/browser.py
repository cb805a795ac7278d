"""Debian's Chromium driven by Playwright (tests, screenshots, benchmarks): never a downloaded browser."""
from __future__ import annotations

import os
import shutil

CHROMIUM = os.environ.get("HAOBAN_CHROMIUM", "/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--autoplay-policy=no-user-gesture-required"]
SIZES = {"display": (1920, 1080), "phone": (390, 844), "dashboard": (1440, 900)}


def launch(playwright):
    """A headless Chromium with a fresh profile; a clear message if Debian's chromium is missing."""
    if not shutil.which(CHROMIUM):
        from common.domain import errors as e

        raise e.InvalidInput("no_chromium", path=CHROMIUM)
    return playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)


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
