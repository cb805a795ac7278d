"""Helpers of the terminal and rating-screen tests: wait for a state, tap the pad with a finger or a mouse."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from qtbase.probes import centre, find_item

TOUCH = None


class Pad:
    """Taps by object name on the pad's window, with a finger or with a mouse."""

    def __init__(self, pad) -> None:
        self.pad, self.view, self.model = pad, pad.view, pad.model

    def item(self, name):
        return find_item(self.view, name)

    @staticmethod
    def touch_device():
        global TOUCH
        TOUCH = TOUCH or QTest.createTouchDevice()
        return TOUCH

    def touch(self, name):
        TOUCH = self.touch_device()
        at = centre(self.item(name))
        QTest.touchEvent(self.view, TOUCH).press(0, at, self.view).commit()
        QTest.touchEvent(self.view, TOUCH).release(0, at, self.view).commit()
        QTest.qWait(30)

    def click(self, name):
        QTest.mouseClick(self.view, Qt.LeftButton, Qt.NoModifier, centre(self.item(name)))
        QTest.qWait(30)

    def screen(self):
        return self.model.view["screen"]
