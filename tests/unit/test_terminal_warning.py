"""The terminal's live warning without Qt (common/stations/counter.py): what it asks the hub, how long an answer is
shown (by the hub's age plus our time since, across midnight too), and the banner's words in both languages."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

import i18n
from common.stations.counter import WARNING_MAX_AGE, TerminalService, fresh_warnings, warning_banner
from common.sync.transport import HttpTransport, HubUnreachable
from tests.world import FakeClock

TEXTS = i18n.catalogue("terminal")
NOW = datetime(2026, 12, 31, 15, 59, tzinfo=timezone.utc)  # 23:59 on 31 Dec in Shanghai
A = {"queue_id": "q-a", "letter": "A", "queue": "医保社保", "minutes": 12, "horizon": 15, "tickets": 2,
     "window_number": 7, "helper_is_me": False}


def t_in(lang):
    def t(key, *args):
        text = TEXTS[key][lang]
        for n, a in enumerate(args, 1):
            text = text.replace(f"%{n}", str(a))
        return text
    return t


class HubAnswering(HttpTransport):
    """The transport with the hub's answer given, or the hub away (`answer` None); it records what was asked."""

    def __init__(self, answer: dict | None) -> None:
        super().__init__("http://hub.invalid", "token")
        self.answer, self.asked = answer, []

    def call(self, method, path, **kw):
        self.asked.append((method, path))
        if self.answer is None:
            raise HubUnreachable()
        return self.answer


def test_the_terminal_asks_for_its_own_windows_warnings_and_notes_when_they_came():
    clock = FakeClock(NOW)
    hub = HubAnswering({"at": "2026-12-31T15:58:40+00:00", "age_seconds": 20, "warnings": [A]})
    got = TerminalService(hub, "w07", clock).warnings()
    assert hub.asked == [("GET", "/windows/w07/warnings")]
    assert got == {"warnings": [A], "age_seconds": 20, "received": NOW}
    hub.answer = None
    with pytest.raises(HubUnreachable):  # the caller's to handle: the banner keeps a fresh answer a while
        TerminalService(hub, "w07", clock).warnings()


def test_an_answer_is_shown_for_two_minutes_from_the_hubs_computation_across_midnight():
    got = {"warnings": [A], "age_seconds": 20, "received": NOW}  # computed at 23:58:40
    assert fresh_warnings(got, NOW) == [A]
    assert fresh_warnings(got, NOW + timedelta(seconds=39)) == [A]  # 59 s old: still "12 minutes"
    assert fresh_warnings(got, NOW + timedelta(seconds=40)) == [{**A, "minutes": 11}]  # counts down between answers
    # 00:00:40 on 1 Jan: 2 min old, the last it is shown
    assert fresh_warnings(got, NOW + WARNING_MAX_AGE - timedelta(seconds=20)) == [{**A, "minutes": 10}]
    assert fresh_warnings(got, NOW + WARNING_MAX_AGE - timedelta(seconds=19)) == []  # 00:00:41: older, gone
    assert fresh_warnings(got, NOW - timedelta(minutes=1)) == []  # our clock went back: no telling its age
    assert fresh_warnings(None, NOW) == [] and fresh_warnings({**got, "warnings": []}, NOW) == []


def test_the_countdown_stops_at_zero():
    got = {"warnings": [{**A, "minutes": 1}], "age_seconds": 0, "received": NOW}
    assert fresh_warnings(got, NOW + WARNING_MAX_AGE)[0]["minutes"] == 0  # said as 1 by the banner, never below


def test_the_banner_says_which_window_could_help_or_asks_this_one():
    me = {**A, "queue": "公积金", "minutes": 0, "window_number": 3, "helper_is_me": True}
    nobody = {**A, "queue": "户籍", "minutes": 25, "horizon": 30, "window_number": None}
    zh = warning_banner([A, me, nobody], t_in("zh_CN"))
    assert zh.split("\n") == ["⚠ 医保社保 预计 12 分钟后超时 — 7 号窗口可协助",
                              "⚠ 公积金 预计 1 分钟后超时 — 请本窗口协助",  # under a minute: said as 1, never 0
                              "⚠ 户籍 预计 25 分钟后超时"]
    en = warning_banner([A, me], t_in("en"))
    assert en.split("\n") == ["⚠ 医保社保: a ticket will pass its wait limit in about 12 min — window 7 could help",
                              "⚠ 公积金: a ticket will pass its wait limit in about 1 min — please help from this window"]
    assert warning_banner([], t_in("zh_CN")) == ""
