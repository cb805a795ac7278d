"""The Qt programs' application object (with a CJK font), Qt Quick views of a view-model, and safe teardown."""
from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import QEvent, QObject, QUrl
from PySide6.QtGui import QFont, QFontDatabase, QGuiApplication
from PySide6.QtQuick import QQuickView
from PySide6.QtWidgets import QApplication

from assets import ROOT as ASSETS
from qtbase.theme import THEME
from qtbase.worker import Worker

PORTRAIT, LANDSCAPE = (1080, 1920), (1920, 1080)


def application() -> QApplication:
    """The one application object (a QApplication, so that the terminal's widgets work too), with a
    CJK font loaded so that no glyph is ever a box."""
    os.environ.setdefault("QT_QUICK_BACKEND", "software")  # kiosks often have no usable GPU driver
    app = QApplication.instance() or QApplication([])
    families = []
    bundled = sorted(str(f) for f in (ASSETS / "fonts").glob("*.tt[cf]"))  # a onedir build's own (packaging/onedir)
    for path in [*THEME["fontFiles"], *bundled]:
        if Path(path).exists():
            families += QFontDatabase.applicationFontFamilies(QFontDatabase.addApplicationFont(path))
    if not families:
        raise RuntimeError("no CJK font: install fonts-wqy-microhei (./haoban does)")
    app.setFont(QFont(families[0]))
    return app


class WedgeKeys(QObject):
    """Every key typed into a window goes to its model's keyboard-wedge scanner as well (`model.wedgeKey`), whatever
    has the focus: a USB scanner types its QR code and presses Enter (typing as slow as a person's is ignored)."""

    def __init__(self, model: QObject) -> None:
        super().__init__(model)
        self.model = model

    def eventFilter(self, _obj, event) -> bool:
        if event.type() == QEvent.KeyPress and event.text():
            self.model.wedgeKey(event.text())
        return False


def make_view(model: QObject, size: tuple[int, int], qml: Path, name: str, key_filter: QObject | None = None) -> QQuickView:
    """A Qt Quick view of `qml` with `model` as the context property `name`; `key_filter` sees every key typed."""
    view = QQuickView()
    view.setResizeMode(QQuickView.SizeRootObjectToView)
    view.rootContext().setContextProperty(name, model)
    view.model = model  # the context property does not keep the Python object alive
    view.setSource(QUrl.fromLocalFile(str(qml)))
    if view.status() == QQuickView.Error:
        raise RuntimeError("; ".join(e.toString() for e in view.errors()))
    view.resize(*size)
    view.setTitle("好办 Haoban")
    if key_filter is not None:
        view.key_filter = key_filter  # kept alive with the view
        view.installEventFilter(key_filter)
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
