"""The kiosk's Qt Quick view over `KioskModel`, with the keyboard-wedge scanner listening to every key."""
from __future__ import annotations

from importlib import resources
from pathlib import Path

from PySide6.QtCore import QEvent, QObject
from PySide6.QtQuick import QQuickView

from kiosk.model import KioskModel
from qtbase.app import PORTRAIT, make_view

QML = Path(str(resources.files("kiosk") / "qml" / "Main.qml"))


class WedgeKeys(QObject):
    """Every key typed into the kiosk window goes to the keyboard-wedge scanner as well, whatever has the
    focus: a USB scanner types its QR code and presses Enter (typing as slow as a person's is ignored)."""

    def __init__(self, model: KioskModel) -> None:
        super().__init__(model)
        self.model = model

    def eventFilter(self, _obj, event) -> bool:
        if event.type() == QEvent.KeyPress and event.text():
            self.model.wedgeKey(event.text())
        return False


def kiosk_view(model: KioskModel, size: tuple[int, int] = PORTRAIT) -> QQuickView:
    """The kiosk's screens (qml/Main.qml) over `model` as the context property `kiosk`."""
    return make_view(model, size, QML, "kiosk", key_filter=WedgeKeys(model))
