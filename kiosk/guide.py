"""The kiosk's 查询·办事指南 screens (a part of `KioskModel`): the search box fed by the kiosk's own keyboard, results as
one types (a short debounce), the quick questions, a matter's page and its ticket through the usual confirm screen.
The search is `common.stations.guide.GuideDesk`, all local: it works offline. Home and the idle timeout clear it all."""
from __future__ import annotations

from typing import TYPE_CHECKING, cast

from PySide6.QtCore import QObject, QTimer, Slot

from common.stations.guide import CHIPS, GuideDesk
from common.stations.ticketing import KioskService
from qtbase.worker import Worker

KEYS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789")
LONGEST = 32  # keys a query may hold: a name's initials or pinyin fit; more is dropped, never searched
DEBOUNCE_MS = 150


class GuideScreens:
    """Mixed into `KioskModel`: uses its `_view`, `_set`, `touch`, `_confirm`, `_fail` and `_say`."""

    if TYPE_CHECKING:  # KioskModel's, for the type checker
        service: KioskService
        worker: Worker
        _view: dict

        def touch(self) -> None: ...
        def _set(self, **changes) -> None: ...
        def _confirm(self, choice: dict, answers: dict | None = None) -> None: ...
        def _fail(self, exc) -> None: ...
        def _say(self, prompt: str | None) -> None: ...

    def _guide_start(self) -> None:
        self.guide = GuideDesk(self.service)
        self._guide_hits: list[dict] = []
        self._guide_spoke, self._guide_choice = False, cast("dict | None", None)
        self._guide_answers: dict[str, str] = {}  # question id -> answer id, in the order answered
        self.guide_timer = QTimer(cast(QObject, self))
        self.guide_timer.setSingleShot(True)
        self.guide_timer.setInterval(DEBOUNCE_MS)
        self.guide_timer.timeout.connect(self._guide_search)
        # built off the UI thread at start, so that the first key finds at once (no catalogue yet: the first search
        # says so); GuideDesk builds it again itself when a sync brings other reference data
        self.worker.run(self.guide.index, lambda _result: None)

    @staticmethod
    def _guide_empty() -> dict:
        return {"query": "", "results": [], "no_result": False, "matter": {}}

    def _guide_clear(self) -> None:
        """Called by `reset`: the query and its results leave the screen and the model."""
        self.guide_timer.stop()
        self._guide_hits, self._guide_spoke, self._guide_choice = [], False, None
        self._guide_answers = {}

    @Slot()
    def startGuide(self) -> None:
        self.touch()
        self._guide_clear()
        self._set(screen="guide", busy=False, guide=self._guide_empty())

    def _guide(self, **changes) -> None:
        self._set(guide={**self._view["guide"], **changes})

    @Slot(str)
    def guideKey(self, key: str) -> None:
        """A key of the on-screen keyboard: a letter, a digit, "space", "del" or "clear"."""
        self.touch()
        if self._view.get("screen") != "guide":
            return
        query = self._view["guide"]["query"]
        if key == "del":
            query = query[:-1]
        elif key == "clear":
            query = ""
        elif key == "space":
            query = query + " " if query and not query.endswith(" ") else query
        elif key in KEYS:
            query = query + key
        self._guide(query=query[:LONGEST])
        self.guide_timer.start()  # one search when the typing pauses

    @Slot(int)
    def guideChip(self, index: int) -> None:
        self.touch()
        if self._view.get("screen") == "guide" and 0 <= index < len(CHIPS):
            self._guide(query=CHIPS[index])
            self.guide_timer.stop()
            self._guide_search()

    def _guide_search(self) -> None:
        query = self._view["guide"]["query"]
        if self._view.get("screen") != "guide":
            return
        if not query.strip():
            self._guide_hits = []
            return self._guide(results=[], no_result=False)
        try:
            found = self.guide.search(query)
        except Exception as exc:  # noqa: BLE001 - no catalogue yet (never synced)
            return self._fail(exc)
        self._guide_hits = found.choices
        self._guide(no_result=not found.choices, results=[
            {k: c[k] for k in ("name", "name_en", "department", "department_en", "bundle")}
            for c in found.choices])
        if found.choices and not self._guide_spoke:
            self._guide_spoke = True
            self._say("guide_results")

    @Slot(int)
    def guideOpen(self, index: int) -> None:
        self.touch()
        if self._view.get("screen") == "guide" and 0 <= index < len(self._guide_hits):
            choice = self._guide_hits[index]
            page = self.guide.matter(choice)
            self._guide_choice, self._guide_answers = choice, {}
            self._set(screen="guide_matter", guide={**self._view["guide"], "printed": "", "matter": {
                k: page[k] for k in ("name", "name_en", "department", "department_en", "category", "queue", "queue_en",
                                     "windows", "bundle")},
                "told": self._told()})
            self._say_list(self._view["guide"]["told"])

    def _told(self) -> dict | None:
        """The matter's guide under the answers so far (common.guides.tell.view), and whether it may be old: a
        kiosk offline shows the version its last sync brought."""
        choice = self._guide_choice or {}
        told = self.guide.told(choice.get("code", ""), self._guide_answers)
        if told is not None:
            told["offline"] = not self.service.client.status.online
        return told

    @Slot(int)
    def guideAnswer(self, index: int) -> None:
        """One tap on an answer of the question shown: the list narrows, the next question (if any) comes."""
        self.touch()
        told = self._view["guide"].get("told") if self._view.get("screen") == "guide_matter" else None
        question = (told or {}).get("question")
        if question and 0 <= index < len(question["answers"]):
            self._guide_answers[question["id"]] = question["answers"][index]["id"]
            self._guide(told=self._told(), printed="")
            self._say_list(self._view["guide"]["told"])

    def _say_list(self, told: dict | None) -> None:
        """Elder mode reads a final 一次告知 list aloud from the recorded clips (Chinese only): "请准备以下材料", each
        material whose name has clips, and "其余材料请看屏幕上的清单" for the rest (common/devices/voice.py)."""
        if not told or not told.get("final") or not self._elder or self.speaker is None or self._lang != "zh_CN":
            return
        from common.devices import voice

        try:
            self.speaker.play(voice.join(voice.list_clips([m["name"] for m in told["materials"]])))
        except Exception:  # noqa: BLE001 - a clip replaced by a bad file: the list stays on the screen, unread
            return

    @Slot()
    def guideUndo(self) -> None:
        """Back one question: the last answer is dropped (the list widens again)."""
        self.touch()
        if self._view.get("screen") == "guide_matter" and self._guide_answers:
            self._guide_answers.pop(next(reversed(self._guide_answers)))
            self._guide(told=self._told(), printed="")

    @Slot()
    def guidePrint(self) -> None:
        """打印一次告知: the list on the receipt printer, its QR code the phone page; a failure is said, not lost."""
        self.touch()
        choice = self._guide_choice or {}
        if self._view.get("screen") != "guide_matter" or self._view.get("busy") or not self._view["guide"].get("told"):
            return
        code, answers = choice.get("code", ""), dict(self._guide_answers)
        self._set(busy=True)
        self.worker.run(lambda: self.guide.print_list(code, answers), self._guide_printed)

    def _guide_printed(self, result) -> None:
        self._set(busy=False)
        self._guide(printed="ok" if result[0] == "ok" else "failed")

    @Slot()
    def guideBack(self) -> None:
        """From the matter's page (or its confirm screen) back to the results, the query kept."""
        self.touch()
        screen = self._view.get("screen")
        if screen == "guide_matter" and not self._view.get("busy"):
            self._set(screen="guide")
        elif screen == "confirm" and self._view["guide"].get("matter") and not self._view.get("busy"):
            self._set(screen="guide_matter")

    @Slot()
    def guideTicket(self) -> None:
        """取号办理: the same confirm screen and ticket as the categories' path."""
        self.touch()
        if self._view.get("screen") == "guide_matter" and not self._view.get("busy"):
            self._confirm(cast(dict, self._guide_choice), dict(self._guide_answers))
