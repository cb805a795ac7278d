"""A rating pad in a process of its own, as `./haoban rating` runs it (Qt Virtual Keyboard as the input
method), driven by touch: a low score, a reason, and words typed in 拼音 on the on-screen keyboard.

    python -m tests.ui.pad_keyboard HUB_URL ENROLMENT_CODE STORE SCREENSHOT

It prints "ready" once online, waits for a finished service at its window, answers it, and prints one
JSON line with what the screen held. Run by tests/ui/test_rating.py."""
from __future__ import annotations

import json
import os
import sys

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from kiosk.harness import centre
from terminal.rating.app import RatingPad, use_virtual_keyboard

from .helpers import Pad, wait_for


def keys(item, found=None) -> dict:
    """The keyboard's letter and space keys by their text, from its visual tree."""
    found = {} if found is None else found
    if item.isVisible() and item.width() > 0 and isinstance(item.property("key"), int):
        key, text = item.property("key"), item.property("text")
        if key == Qt.Key_Space:
            found[" "] = item
        elif isinstance(text, str) and len(text) == 1 and text.isalpha():
            found.setdefault(text.lower(), item)
    for child in item.childItems():
        keys(child, found)
    return found


def tap(view, item) -> None:
    at = centre(item)
    device = Pad.touch_device()
    QTest.touchEvent(view, device).press(0, at, view).commit()
    QTest.touchEvent(view, device).release(0, at, view).commit()
    QTest.qWait(60)


def main(url: str, code: str, store: str, screenshot: str) -> None:
    os.environ["QT_QPA_PLATFORM"] = "offscreen"
    use_virtual_keyboard()
    from kiosk.app import application

    application()
    rp = RatingPad(store, url, code, timeout_seconds=60)
    rp.view.show()
    rp.start()
    pad = Pad(rp)
    wait_for(lambda: rp.client.status.online and rp.model.view.get("online"), timeout=30)
    print("ready", flush=True)
    wait_for(lambda: pad.screen() == "rate", timeout=30)
    pad.touch("face_1")
    wait_for(lambda: pad.screen() == "reason")
    pad.touch("reason_wait")
    pad.touch("note")
    keyboard = pad.item("keyboard")
    wait_for(lambda: keyboard.property("active"))
    board = keys(keyboard)
    for letter in "nihao ":  # 拼音, then the space key takes the first candidate
        tap(rp.view, board[letter])
    QTest.qWait(200)
    rp.view.grabWindow().save(screenshot)
    note = pad.item("note").property("text")
    pad.touch("submitButton")
    wait_for(lambda: pad.screen() == "thanks")
    QTest.qWait(300)
    print(json.dumps({"note": note, "keyboard_active": keyboard.property("active"), "screen": pad.screen()},
                     ensure_ascii=False), flush=True)
    rp.close()


if __name__ == "__main__":
    main(*sys.argv[1:5])
