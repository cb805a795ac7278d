"""The kiosk's Qt Quick view over `KioskModel`, with the keyboard-wedge scanner listening to every key."""
from __future__ import annotations

from importlib import resources
from pathlib import Path

from PySide6.QtQuick import QQuickView

from kiosk.model import KioskModel
from qtbase.app import PORTRAIT, WedgeKeys, make_view

QML = Path(str(resources.files("kiosk") / "qml" / "Main.qml"))


def kiosk_view(model: KioskModel, size: tuple[int, int] = PORTRAIT) -> QQuickView:
    """The kiosk's screens (qml/Main.qml) over `model` as the context property `kiosk`."""
    return make_view(model, size, QML, "kiosk", key_filter=WedgeKeys(model))
