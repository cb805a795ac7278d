"""A rating pad in a process of its own, as `./haoban rating` runs it (Qt Virtual Keyboard as its input method),
answering one low rating by touch: a face, a reason, and words typed on the on-screen keys (拼音, or English),
with a screenshot while the keyboard is up. Used by `./haoban screenshots` and by the tests.

    python -m devtools.screenshots.keyboard HUB_URL ENROLMENT_CODE STORE PNG [en]

It prints "ready" once online, waits for a finished service at its window, answers it, and prints one JSON
line: the words as the field held them, the screen it ended on, whether the keyboard is still up."""
from __future__ import annotations

import json
import os
import sys

WORDS = {"zh_CN": "nihao ", "en": "slow "}  # 拼音, then the space key takes the first candidate (你好)


def main(url: str, code: str, store: str, png: str, lang: str = "zh_CN") -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from terminal.rating.app import RatingPad, use_virtual_keyboard

    if not use_virtual_keyboard():
        print("PySide6-Addons is missing", file=sys.stderr)
        return 2
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest

    from qtbase.app import application
    from qtbase.probes import centre, find_item, wait_for

    application()
    pad = RatingPad(store, url, code, timeout_seconds=60)
    pad.view.show()
    pad.start()
    finger = QTest.createTouchDevice()

    def wait(predicate, timeout=30.0):
        wait_for(predicate, timeout, what=lambda: f"the pad's screen is {pad.model.view.get('screen')}")

    def tap(item) -> None:
        at = centre(item)
        QTest.touchEvent(pad.view, finger).press(0, at, pad.view).commit()
        QTest.touchEvent(pad.view, finger).release(0, at, pad.view).commit()
        QTest.qWait(60)

    def keys(item, found: dict) -> dict:
        """The keyboard's letter keys and space key by their text, from its visual tree."""
        if item.isVisible() and item.width() > 0 and isinstance(item.property("key"), int):
            text = item.property("text")
            if item.property("key") == Qt.Key_Space:
                found[" "] = item
            elif isinstance(text, str) and len(text) == 1 and text.isalpha():
                found.setdefault(text.lower(), item)
        for child in item.childItems():
            keys(child, found)
        return found

    wait(lambda: pad.client.status.online and pad.model.view.get("online"))
    if lang == "en":
        tap(find_item(pad.view, "languageButton"))
    print("ready", flush=True)
    wait(lambda: pad.model.view.get("screen") == "rate")
    tap(find_item(pad.view, "face_1"))
    wait(lambda: pad.model.view.get("screen") == "reason")
    tap(find_item(pad.view, "reason_wait"))
    tap(find_item(pad.view, "note"))
    keyboard = find_item(pad.view, "keyboard")
    wait(lambda: keyboard.property("active"))
    QTest.qWait(200)  # the layout of the keyboard's language
    board = keys(keyboard, {})
    for letter in WORDS[lang]:
        tap(board[letter])
    QTest.qWait(200)
    pad.view.grabWindow().save(png)
    note = find_item(pad.view, "note").property("text")
    tap(find_item(pad.view, "submitButton"))
    wait(lambda: pad.model.view.get("screen") == "thanks")
    QTest.qWait(300)
    print(json.dumps({"note": note, "keyboard_active": keyboard.property("active"),
                      "screen": pad.model.view.get("screen")}, ensure_ascii=False), flush=True)
    pad.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:6]))
