"""Test probes for the Qt programs (tests, screenshots, benchmarks): find an item by name, where to tap it,
wait for a state while Qt keeps running. One `wait_for` for every caller."""
from __future__ import annotations

import time
from collections.abc import Callable

from PySide6.QtCore import QPointF
from PySide6.QtQuick import QQuickItem
from PySide6.QtTest import QTest


def wait_for(predicate: Callable[[], object], timeout: float = 10.0, what: Callable[[], object] | str = "") -> None:
    """Process Qt events until `predicate()` is true; TimeoutError after `timeout` seconds, saying `what` (a text,
    or a function giving the state reached)."""
    end = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > end:
            state = what() if callable(what) else what
            raise TimeoutError(f"timed out waiting for the expected state{': ' if state else ''}{state}")
        QTest.qWait(20)


def find_item(view, name: str) -> QQuickItem:
    """The visible item called `name` in a Qt Quick view (searched in the visual tree: Repeater and view delegates too)."""
    todo = [view.rootObject()]
    while todo:
        it = todo.pop()
        if it.objectName() == name and it.isVisible():
            return it
        todo += it.childItems()
    raise LookupError(name)


def centre(item: QQuickItem):
    """Where a finger or a mouse taps `item`, in its window's coordinates."""
    return item.mapToScene(QPointF(item.width() / 2, item.height() / 2)).toPoint()


def type_keys(window, text: str) -> None:
    """Key events with their text into a Qt Quick window, as a USB keyboard-wedge scanner types ("\\r": Enter)."""
    from PySide6.QtCore import QEvent, Qt
    from PySide6.QtGui import QGuiApplication, QKeyEvent

    for ch in text:
        key = Qt.Key_Return if ch == "\r" else Qt.Key(ord(ch.upper()))
        for kind in (QEvent.KeyPress, QEvent.KeyRelease):
            QGuiApplication.sendEvent(window, QKeyEvent(kind, key, Qt.NoModifier, ch))
