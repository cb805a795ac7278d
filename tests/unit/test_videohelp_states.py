"""The 视频帮办 request workflow as a Hypothesis state machine (common/domain/videohelp.py): every step the rules
allow is folded by the projection to the state the model expects; every step they refuse raises and changes nothing;
the stored events, folded again from the start, give the same request; a rating is given once, after a video call
only (a call-back finished straight from taken was returned by telephone)."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from common.domain import errors as e
from common.domain import events as ev
from common.domain import videohelp as vh
from common.domain.model import Outcome

START = datetime(2026, 12, 31, 15, 59, tzinfo=timezone.utc)  # 23:59 in Shanghai: the calls run past midnight
ALLOWED = {  # step -> the statuses it may start from
    "take": {"requested", "call_back"}, "connect": {"taken"}, "hang_up": {"taken", "in_call"},
    "finish": {"call_over"}, "cancel": {"requested", "call_back", "taken"},
}
AFTER = {"take": "taken", "connect": "in_call", "hang_up": "call_over", "finish": "finished", "cancel": "cancelled"}


def test_outcomes_are_the_windows():
    assert vh.OUTCOMES == {o.value for o in Outcome}


class Workflow(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.requests: dict[str, vh.VideoHelp] = {}
        self.log: list[tuple[str, datetime, dict]] = []
        self.expected: dict[str, str] = {}
        self.rated: set[str] = set()
        self.connected: set[str] = set()
        self.call_backs: set[str] = set()
        self.at = START

    def _store(self, kind: str, data: dict) -> None:
        ev.validate(kind, data)  # what a hub stores is what a pushed event must be
        self.at += timedelta(seconds=41)
        assert vh.apply(self.requests, "vv", kind, self.at, data)
        self.log.append((kind, self.at, data))

    @rule(call_back=st.booleans())
    def request(self, call_back):
        rid = f"0190a000-0000-7000-8000-{len(self.expected):012d}"
        self._store(*vh.decide_request(request_id=rid, serving_site_id="vd", item_id="vv-YB", call_token="t" * 32,
                                       wait_limit_min=10, service_limit_min=20, call_back=call_back))
        self.expected[rid] = "call_back" if call_back else "requested"
        if call_back:
            self.call_backs.add(rid)

    @rule(data=st.data(), step=st.sampled_from(sorted(ALLOWED)),
          outcome=st.sampled_from(sorted(vh.OUTCOMES) + ["bogus"]), reason=st.sampled_from([None, "材料不全"]))
    def step(self, data, step, outcome, reason):
        if not self.expected:
            return
        rid = data.draw(st.sampled_from(sorted(self.expected)))
        v = self.requests[rid]
        before = v.status
        decide = {"take": lambda: vh.decide_take(v, "D1"), "connect": lambda: vh.decide_connect(v),
                  "hang_up": lambda: vh.decide_hang_up(v, "village"), "cancel": lambda: vh.decide_cancel(v),
                  "finish": lambda: vh.decide_finish(v, outcome, reason)}[step]
        by_phone = step == "finish" and self.expected[rid] == "taken" and rid in self.call_backs
        ok = (self.expected[rid] in ALLOWED[step] or by_phone) and not (
            step == "finish" and (outcome == "bogus" or (outcome == "rejected" and not reason)))
        if not ok:
            with pytest.raises(e.HaobanError):
                decide()
            assert self.requests[rid].status is before
            return
        self._store(*decide())
        self.expected[rid] = AFTER[step]
        if step == "connect":
            self.connected.add(rid)

    @rule(data=st.data(), score=st.integers(0, 6))
    def rate(self, data, score):
        if not self.expected:
            return
        rid = data.draw(st.sampled_from(sorted(self.expected)))
        v = self.requests[rid]
        ok = (self.expected[rid] in ("call_over", "finished") and rid in self.connected and rid not in self.rated
              and 1 <= score <= 5)
        if not ok:
            with pytest.raises(e.HaobanError):
                vh.decide_rate(v, score)
            return
        self._store(*vh.decide_rate(v, score))
        self.rated.add(rid)

    @invariant()
    def projection_matches(self):
        assert {k: v.status.value for k, v in self.requests.items()} == self.expected
        again: dict[str, vh.VideoHelp] = {}
        for kind, at, data in self.log:
            assert vh.apply(again, "vv", kind, at, data)
        assert again == self.requests
        assert {k for k, v in self.requests.items() if v.rating_score is not None} == self.rated


TestWorkflow = Workflow.TestCase
