"""Benchmark: a call made through the API until it shows on the display board and on the citizen's
phone page, both open in Debian's Chromium (headless). Target: within 1 s.

Run: .venv/bin/python bench/web_pages.py [calls]
"""
from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

import requests
from _hub import HubProcess, fresh_database  # noqa: E402  (puts the project on sys.path)
from web_stream import display_code  # noqa: E402

from devtools import browser  # noqa: E402


def main() -> None:
    from playwright.sync_api import sync_playwright

    calls = int(sys.argv[1]) if len(sys.argv) > 1 else 20
    db = fresh_database("sqlite", Path(tempfile.mkdtemp()))
    hub = HubProcess(db)
    codes = hub.codes["qp-centre"]
    w = codes["windows"][0]
    http = requests.Session()
    enrol = lambda code: http.post(f"{hub.url}/api/v1/enrol", json={"code": code}).json()["token"]  # noqa: E731
    kiosk = {"Authorization": f"Bearer {enrol(codes['kiosk'])}"}
    terminal = {"Authorization": f"Bearer {enrol(w['terminal'])}"}
    clerk = http.post(f"{hub.url}/api/v1/clerk/sign-in", headers=terminal,
                      json={"staff_no": w["clerk"]["staff_no"], "pin": w["clerk"]["pin"]}).json()
    terminal["X-Clerk-Token"] = clerk["clerk_token"]
    item = next(i for i in http.get(f"{hub.url}/api/v1/catalogue", headers=kiosk).json()["items"]
                if i["queue_id"] == "qp-centre-A")["item_id"]
    board_ms, phone_ms = [], []
    try:
        with sync_playwright() as p:
            chromium = browser.launch(p)
            board = browser.new_page(chromium, "display")
            board.goto(f"{hub.url}/display?code={display_code(db)}")
            browser.wait_until(board, "window.haobanBoard && window.haobanBoard.connected")
            for _ in range(calls):
                ticket = http.post(f"{hub.url}/api/v1/tickets", headers=kiosk, json={"item_id": item}).json()["ticket"]
                phone = browser.new_page(chromium, "phone")
                phone.goto(hub.url + ticket["status_path"])
                browser.wait_until(phone, "window.haobanPhone && window.haobanPhone.updates > 0")
                time.sleep(0.3)
                sent = time.perf_counter()
                http.post(f"{hub.url}/api/v1/windows/{w['window_id']}/call-next", headers=terminal).raise_for_status()
                pending = {"board": board, "phone": phone}
                while pending:
                    if "board" in pending and board.inner_text("#now-number") == ticket["number"]:
                        board_ms.append((time.perf_counter() - sent) * 1000)
                        del pending["board"]
                    if "phone" in pending and phone.evaluate("window.haobanPhone.status.status") == "called":
                        phone_ms.append((time.perf_counter() - sent) * 1000)
                        del pending["phone"]
                    time.sleep(0.005)
                phone.context.close()
                http.post(f"{hub.url}/api/v1/windows/{w['window_id']}/start", headers=terminal)
                http.post(f"{hub.url}/api/v1/windows/{w['window_id']}/finish", headers=terminal, json={"outcome": "completed"})
            chromium.close()
    finally:
        hub.stop()
    for name, ms in (("display board", sorted(board_ms)), ("phone page", sorted(phone_ms))):
        print(f"call -> {name}: median {statistics.median(ms):.0f} ms, max {ms[-1]:.0f} ms over {len(ms)} calls "
              "(target <= 1000 ms)")


if __name__ == "__main__":
    main()
