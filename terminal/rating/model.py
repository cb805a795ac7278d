"""The rating screen's view-model: the one QObject its QML talks to. It learns "a service finished at my
window" from the hub's event stream (or, in manual mode, straight from the terminal beside it), shows
it, takes one answer by touch, and records 未评价 when nobody answers in time."""
from __future__ import annotations

from dataclasses import asdict

from PySide6.QtCore import Property, QTimer, Slot

import i18n
from common.stations.feedback import REASON_NEEDED, REASONS, SCORES, TIMEOUT_SECONDS, RatingService, Service
from common.stations.ticketing import message
from qtbase.viewmodel import ScreenModel

TEXTS = i18n.catalogue("rating")


class RatingModel(ScreenModel):
    CATALOGUE = "rating"

    def __init__(self, service: RatingService, timeout_seconds: float = TIMEOUT_SECONDS, thanks_seconds: float = 5.0,
                 mouse: bool = False, keyboard: bool = False) -> None:
        super().__init__()
        self.service, self.timeout_seconds, self._mouse, self._keyboard = service, timeout_seconds, mouse, keyboard
        self.current: Service | None = None
        self.answered = True  # one answer per service: set when the answer (or its timeout) is taken
        self.timeout = QTimer(self, singleShot=True, timeout=self.expire)
        self.thanks = QTimer(self, singleShot=True, interval=int(thanks_seconds * 1000), timeout=self.idle)
        self.tick = QTimer(self, interval=1000, timeout=self._count_down)
        self.idle()

    # ------------------------------------------------------------ properties for QML (and those of ScreenModel)

    def _get_mouse(self) -> bool:
        return self._mouse

    def _get_keyboard(self) -> bool:
        return self._keyboard

    mouse = Property(bool, _get_mouse, constant=True)  # True only for a demo on a desktop: mice may rate
    keyboard = Property(bool, _get_keyboard, constant=True)  # an on-screen keyboard for the optional words

    # ------------------------------------------------------------ what happens at the window

    def on_event(self, event: dict) -> None:
        """From the event-stream thread: a finished service at this window is shown on the UI thread."""
        service = self.service.from_event(event)
        if service is not None:
            self.worker.post(self.show_service, service)

    def set_online(self, online: bool) -> None:
        def show(up):
            self._set(online=up)
            if self._view["screen"] == "idle":  # the reference may have come meanwhile: name the window
                self.idle()

        self.worker.post(show, online)

    def show_service(self, service: Service) -> None:
        if not self.answered and self.current is not None:  # the next citizen already: the last one did not answer
            self._send(self.current, None, None)
        self.current, self.answered = service, False
        self.timeout.start(int(self.timeout_seconds * 1000))
        self.thanks.stop()
        self.tick.start()
        self._set(screen="rate", service=asdict(service), score=0, reasons=[], note="", error="", kept_offline=False,
                  seconds_left=int(self.timeout_seconds))

    def idle(self) -> None:
        self.tick.stop()
        self._set(screen="idle", service={"window_number": self.service.window_number()}, score=0, reasons=[], note="", error="", seconds_left=0, kept_offline=False)

    def _count_down(self) -> None:
        remaining = self.timeout.remainingTime()
        self._set(seconds_left=max(0, round(remaining / 1000)))

    # ------------------------------------------------------------ the citizen's answer (touch only, see Rating.qml)

    @Slot(int)
    def rate(self, score: int) -> None:
        if self.answered or score not in SCORES:
            return
        if score in REASON_NEEDED:
            self._still_there()
            self._set(screen="reason", score=score, reasons=[], note="", error="")
            return
        self._answer(score, None)

    @Slot(str)
    def toggleReason(self, code: str) -> None:
        if self.answered or code not in REASONS:
            return
        self._still_there()
        reasons = self._view["reasons"]
        self._set(reasons=[r for r in reasons if r != code] if code in reasons else [*reasons, code], error="")

    @Slot(str)
    def setNote(self, text: str) -> None:
        self._view["note"] = text[:200]  # no repaint needed: the field shows what was typed
        self._still_there()

    def _still_there(self) -> None:
        """The citizen is answering (a face chosen, a reason, words): the 60 s start again, so that nobody
        who is still typing loses the answer to 未评价."""
        if not self.answered:
            self.timeout.start(int(self.timeout_seconds * 1000))
            self._count_down()

    @Slot()
    def back(self) -> None:
        if not self.answered:
            self._set(screen="rate", score=0, reasons=[], error="")

    @Slot()
    def submitReason(self) -> None:
        if self.answered:
            return
        if not self._view["reasons"]:
            self._set(error=TEXTS["pick_reason"][self._lang])
            return
        texts = [TEXTS[f"reason_{r}"]["zh_CN"] for r in self._view["reasons"]]  # the hub keeps the Chinese wording
        note = self._view["note"].strip()
        self._answer(self._view["score"], "；".join(texts + ([note] if note else [])))

    def expire(self) -> None:
        """Nobody answered in time: 未评价."""
        if not self.answered and self.current is not None:
            self.answered = True
            self._send(self.current, None, None)
            self.idle()

    def _answer(self, score: int, reason: str | None) -> None:
        self.answered = True
        self.timeout.stop()
        self.tick.stop()
        self._send(self.current, score, reason)
        self._set(screen="thanks", score=score)
        self.thanks.start()

    def _send(self, service: Service, score: int | None, reason: str | None) -> None:
        def done(result):
            kind, value = result
            if kind == "error":
                self._set(error=" ".join(message(value)))
            elif value is False:
                self._set(kept_offline=True)

        self.worker.run(lambda: self.service.rate(service, score, reason), done)

    @Slot()
    def toggleLanguage(self) -> None:
        self._lang = "en" if self._lang == "zh_CN" else "zh_CN"
        self.textsChanged.emit()
