"""The base of a Qt Quick screen's view-model: the one QObject its QML talks to. It holds the `view` map the
QML binds to, the texts of its catalogue in the language shown, the theme, and the worker for slow work."""
from __future__ import annotations

from PySide6.QtCore import Property, QObject, Signal

import i18n
from qtbase.theme import THEME_FOR_QML
from qtbase.worker import Worker


class ScreenModel(QObject):
    """Subclasses name their catalogue (`CATALOGUE`, a file of i18n/) and change the view through `_set`."""

    CATALOGUE = ""
    viewChanged = Signal()
    textsChanged = Signal()

    def __init__(self) -> None:
        super().__init__()
        self._lang = i18n.DEFAULT
        self._view: dict = {}
        self.worker = Worker(self)

    def _get_view(self) -> dict:
        return self._view

    def _get_texts(self) -> dict:
        return i18n.by_language(self.CATALOGUE)[self._lang]

    def _get_theme(self) -> dict:
        return THEME_FOR_QML

    def _get_language(self) -> str:
        return self._lang

    view = Property("QVariantMap", _get_view, notify=viewChanged)
    texts = Property("QVariantMap", _get_texts, notify=textsChanged)
    theme = Property("QVariantMap", _get_theme, constant=True)
    language = Property(str, _get_language, notify=textsChanged)

    def _set(self, **changes) -> None:
        """Change parts of the view; the QML redraws what depends on them."""
        self._view = {**self._view, **changes}
        self.viewChanged.emit()
