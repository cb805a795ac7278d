"""The kiosk application: fonts, the Qt Quick view over `KioskModel`, full-screen kiosk mode."""
from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import QEvent, QObject, QUrl
from PySide6.QtGui import QFont, QFontDatabase, QGuiApplication
from PySide6.QtQuick import QQuickView
from PySide6.QtWidgets import QApplication

from .model import KioskModel
from .worker import Worker
from .theme import THEME

QML = Path(__file__).resolve().parent / "qml" / "Main.qml"
PORTRAIT, LANDSCAPE = (1080, 1920), (1920, 1080)


def application() -> QApplication:
    """The one application object (a QApplication, so that the terminal's widgets work too), with a
    CJK font loaded so that no glyph is ever a box."""
    os.environ.setdefault("QT_QUICK_BACKEND", "software")  # kiosks often have no usable GPU driver
    app = QApplication.instance() or QApplication([])
    families = []
    for path in THEME["fontFiles"]:
        if Path(path).exists():
            families += QFontDatabase.applicationFontFamilies(QFontDatabase.addApplicationFont(path))
    if not families:
        raise RuntimeError("no CJK font: install fonts-wqy-microhei (./haoban does)")
    app.setFont(QFont(families[0]))
    return app


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


def make_view(model: QObject, size: tuple[int, int] = PORTRAIT, qml: Path = QML, name: str = "kiosk",
              wedge: bool = True) -> QQuickView:
    """A Qt Quick view of `qml` with `model` as the context property `name` (the rating screen uses it too)."""
    view = QQuickView()
    view.setResizeMode(QQuickView.SizeRootObjectToView)
    view.rootContext().setContextProperty(name, model)
    view.model = model  # the context property does not keep the Python object alive
    view.setSource(QUrl.fromLocalFile(str(qml)))
    if view.status() == QQuickView.Error:
        raise RuntimeError("; ".join(e.toString() for e in view.errors()))
    view.resize(*size)
    view.setTitle("好办 Haoban")
    if wedge:  # the kiosk's keyboard-wedge scanner; the rating screen takes no keys
        view.wedge_keys = WedgeKeys(model)
        view.installEventFilter(view.wedge_keys)
    return view


def dispose_view(view: QQuickView) -> None:
    """Tear the QML down before its model goes, so no binding reads a deleted object."""
    view.close()
    view.setSource(QUrl())
    QGuiApplication.processEvents()


def delete_now(*objects) -> None:
    """Delete Qt objects here, on the UI thread: left to Python's garbage collector they may be destroyed
    from another thread (a hub or worker thread), which crashed Qt."""
    for obj in objects:
        for worker in ([obj] if isinstance(obj, Worker) else []) + obj.findChildren(Worker):
            worker.close()
        obj.deleteLater()
    QGuiApplication.processEvents()
    QGuiApplication.sendPostedEvents(None, QEvent.DeferredDelete)
