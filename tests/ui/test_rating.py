"""The rating screen (Qt Quick, offscreen) as its own enrolled pad against a real hub on loopback: it learns of
a finished service from the hub's event stream, takes one answer by touch only, and records 未评价 in time."""
from __future__ import annotations

import pytest
from PySide6.QtTest import QTest
from sqlalchemy import text

from common.domain.model import UNRATED, Outcome
from qtbase.probes import wait_for
from terminal.rating.app import RatingPad
from tests.ui.helpers import Pad


@pytest.fixture
def pad(hall, tmp_path):
    world, live = hall
    world.kiosk = world.actor("kiosk")
    rp = RatingPad(tmp_path / "pad.sqlite3", live.url, world.codes["pad1"], timeout_seconds=60)
    rp.view.show()
    rp.start()
    wait_for(lambda: rp.client.status.online and rp.model.view.get("online"))
    yield world, Pad(rp), live
    rp.close()


def serve(world, clerk, window=1):
    """A ticket taken, called, served and finished at `window` through the hub's own commands."""
    t = world.hub.issue_ticket(world.kiosk, item_id=world.items["A"]).ticket
    wid = world.windows[window]
    world.hub.call_next(clerk, wid)
    world.hub.start(clerk, wid)
    world.hub.finish(clerk, wid, Outcome.completed)
    return t


def rating_of(world, ticket_id):
    with world.hub.engine.connect() as conn:
        return conn.execute(text("select rating_score, rating_reason from tickets where id = :i"), {"i": ticket_id}).one()


def test_a_finished_service_is_rated_once_by_touch_and_never_by_mouse(pad, tmp_path):
    world, pad, _ = pad
    assert pad.screen() == "idle"
    t = serve(world, world.actor("terminal1"))
    wait_for(lambda: pad.screen() == "rate")
    info = pad.item("serviceInfo").property("text")
    assert "1号窗口" in info and "工作人员1" in info and t.number in info
    pad.view.grabWindow().save(str(tmp_path / "rating-faces.png"))
    pad.click("face_5")  # the clerk's mouse: nothing happens
    assert pad.screen() == "rate" and rating_of(world, t.id) == (None, None)
    pad.touch("face_4")
    wait_for(lambda: pad.screen() == "thanks")
    wait_for(lambda: rating_of(world, t.id)[0] == 4)
    pad.model.rate(5)  # a second answer to the same service is not taken
    pad.model.expire()
    QTest.qWait(200)
    assert rating_of(world, t.id) == (4, None)
    with world.hub.engine.connect() as conn:
        assert conn.execute(text("select count(*) from events where kind in ('ticket_rated', 'ticket_unrated')")).scalar() == 1


def test_a_low_score_asks_why_from_the_list(pad, tmp_path):
    world, pad, _ = pad
    t = serve(world, world.actor("terminal1"))
    wait_for(lambda: pad.screen() == "rate")
    pad.touch("face_1")
    assert pad.screen() == "reason"
    pad.touch("submitButton")
    assert pad.screen() == "reason" and "至少选择一项" in pad.item("reasonError").property("text")
    pad.touch("reason_wait")
    pad.touch("reason_unclear")
    pad.touch("reason_wait")  # a second tap takes it back
    pad.model.setNote("  希望一次告知  ")
    pad.view.grabWindow().save(str(tmp_path / "rating-reason.png"))
    pad.click("submitButton")  # not with a mouse
    assert pad.screen() == "reason"
    pad.touch("submitButton")
    wait_for(lambda: rating_of(world, t.id)[0] == 1)
    assert rating_of(world, t.id)[1] == "材料要求没有一次说清楚；希望一次告知"


def test_no_answer_in_time_records_unrated(pad):
    world, pad, _ = pad
    pad.model.timeout_seconds = 0.3
    t = serve(world, world.actor("terminal1"))
    wait_for(lambda: pad.screen() == "rate")
    wait_for(lambda: pad.screen() == "idle")
    wait_for(lambda: rating_of(world, t.id)[0] == UNRATED)
    assert pad.model.answered
    with pytest.raises(LookupError):
        pad.item("face_5")  # the faces are gone: nothing is left to answer


def test_a_citizen_still_answering_gets_the_time_again(pad):
    """Each touch on the way to an answer starts the time again; only silence records 未评价."""
    world, pad, _ = pad
    pad.model.timeout_seconds = 2.0
    t = serve(world, world.actor("terminal1"))
    wait_for(lambda: pad.screen() == "rate")
    QTest.qWait(1300)
    pad.touch("face_2")
    QTest.qWait(1300)  # 2.6 s after the faces showed: past the first 2 s
    assert pad.screen() == "reason"
    pad.touch("reason_attitude")
    QTest.qWait(1300)
    assert pad.screen() == "reason" and rating_of(world, t.id) == (None, None)
    wait_for(lambda: pad.screen() == "idle", timeout=5)  # then nothing more: 未评价
    wait_for(lambda: rating_of(world, t.id)[0] == UNRATED)


def test_a_service_at_another_window_is_not_shown(pad):
    world, pad, _ = pad
    t = serve(world, world.actor("terminal2"), window=2)
    mine = serve(world, world.actor("terminal1"))
    wait_for(lambda: pad.screen() == "rate")
    assert pad.model.current.ticket_id == mine.id and t.id != mine.id


def test_offline_rating_is_kept_and_uploaded_when_the_hub_returns(pad):
    world, pad, live = pad
    t = serve(world, world.actor("terminal1"))
    wait_for(lambda: pad.screen() == "rate")
    live.stop(cut=True)
    pad.touch("face_5")
    wait_for(lambda: pad.model.view.get("kept_offline") is True)
    assert pad.item("keptOffline").isVisible() and pad.pad.client.store.backlog() == 1
    assert rating_of(world, t.id) == (None, None)
    live.start()
    wait_for(lambda: rating_of(world, t.id)[0] == 5, timeout=30)


def test_a_pad_of_its_own_takes_words_in_pinyin_on_its_on_screen_keyboard(hall, tmp_path):
    """`./haoban rating` in its own process: Qt Virtual Keyboard is its input method, shown in the window."""
    import json
    import re
    import subprocess
    import sys
    from pathlib import Path

    world, live = hall
    world.kiosk = world.actor("kiosk")
    shot = tmp_path / "rating-keyboard.png"
    root = Path(__file__).resolve().parents[2]
    proc = subprocess.Popen([sys.executable, "-m", "devtools.screenshots.keyboard", live.url, world.codes["pad1"],
                             str(tmp_path / "pad.sqlite3"), str(shot)], cwd=root, stdout=subprocess.PIPE, text=True,
                            env={**__import__("os").environ, "QT_QPA_PLATFORM": "offscreen"})
    try:
        assert proc.stdout.readline().strip() == "ready"
        t = serve(world, world.actor("terminal1"))
        answer = json.loads(proc.stdout.readline())
        assert proc.wait(timeout=30) == 0
    finally:
        proc.kill()
    note = answer["note"]
    assert re.fullmatch(r"[\u4e00-\u9fff]+", note), note  # Chinese characters, not the pinyin letters
    assert answer["screen"] == "thanks" and answer["keyboard_active"] is False  # the keyboard went with the screen
    wait_for(lambda: rating_of(world, t.id)[0] == 1)
    assert rating_of(world, t.id) == (1, f"等候时间太长；{note}")
    assert shot.stat().st_size > 10_000
