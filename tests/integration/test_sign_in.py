"""Sign-in that cannot be turned against staff (README "Sign-in and back-off"), over real HTTP on SQLite and
PostgreSQL: one answer for every failure, back-off per account and per source instead of a lockout anyone can
renew, argon2 off the event loop and outside the hub's write lock."""
from __future__ import annotations

import asyncio
import re
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from sqlalchemy import func, select, update

from common.db.schema import ClerkRow, ClerkSessionRow, EventRow, KnownSignInRow, WebSessionRow
from common.domain import pins
from common.domain.ids import token_hash
from common.usecases import reference
from tests.integration.http import Device, post_form
from tests.world import PIN

WRONG = "111111"


@pytest.fixture
def supervised(world):
    with world.hub.engine.begin() as c:
        reference.create_clerk(c, site_id="s1", staff_no="S1", name="主管甲", pin=PIN, role="supervisor")
    return world


def counts(world) -> tuple:
    """What a refused sign-in must leave as it was: events, clerk sessions, web sessions."""
    with world.hub.engine.connect() as c:
        return tuple(c.execute(select(func.count()).select_from(t)).scalar() for t in (EventRow, ClerkSessionRow, WebSessionRow))


def failures(world, staff_no: str) -> int:
    with world.hub.engine.connect() as c:
        return c.execute(select(ClerkRow.failed_pins).where(ClerkRow.site_id == "s1", ClerkRow.staff_no == staff_no)).scalar_one()


def known_failures(world, staff_no: str, kind: str) -> int:
    """The wrong PINs counted on the account's one known device or browser (`kind`)."""
    with world.hub.engine.connect() as c:
        return c.execute(select(KnownSignInRow.failed_pins).join(ClerkRow, ClerkRow.id == KnownSignInRow.clerk_id)
                         .where(ClerkRow.site_id == "s1", ClerkRow.staff_no == staff_no,
                                KnownSignInRow.source.like(f"{kind}:%"))).scalar_one()


def dashboard(url: str, staff_no: str, pin: str, site: str = "s1", http=None) -> requests.Response:
    return post_form(http or requests.Session(), url, "/dashboard/sign-in", "/dashboard/sign-in",
                     {"site": site, "staff_no": staff_no, "pin": pin}, allow_redirects=False)


def alert(page: str) -> str:
    """The sign-in page's error line (the rest of the page echoes the form)."""
    return re.search(r'<p class="error" role="alert">.*?</p>', page, re.S).group(0)


def both_messages(r: requests.Response) -> bool:
    body = r.json()
    return bool(body["message_zh"]) and bool(body["message_en"]) and body["message_zh"] != body["message_en"]


def test_one_answer_for_every_failure(live, supervised):
    world = supervised
    t = Device(live.url, world.codes["terminal1"])
    before = counts(world)
    answers = [t.sign_in("NOBODY"), t.sign_in("C1", WRONG), t.sign_in("C1", "1234"), t.sign_in("X" * 32)]
    assert {(r.status_code, r.text) for r in answers} == {(401, answers[0].text)}
    assert answers[0].json()["error"] == "bad_credentials" and both_messages(answers[0])
    # the dashboard: a clerk's right PIN (not a supervisor), a wrong PIN, no such staff number, no such site
    pages = [dashboard(live.url, "C1", PIN), dashboard(live.url, "S1", WRONG), dashboard(live.url, "NOBODY", PIN),
             dashboard(live.url, "S1", PIN, site="nowhere")]
    assert {r.status_code for r in pages} == {401}
    assert all("工号或密码不正确" in r.text and "Wrong staff number or PIN" in r.text for r in pages)
    assert len({alert(r.text) for r in pages}) == 1
    assert counts(world) == before


def test_oversize_and_malformed_credentials_are_refused_and_write_nothing(live, world):
    t = Device(live.url, world.codes["terminal1"])
    before = counts(world)
    for body in ({"staff_no": "C1" * 1000, "pin": PIN}, {"staff_no": "C1", "pin": "9" * 5000},
                 {"staff_no": "C1", "pin": "12ab56"}, {"staff_no": 1, "pin": PIN}, {"staff_no": "C1"}):
        r = t.post("/clerk/sign-in", json=body)
        assert r.status_code == 422 and both_messages(r), body
    r = dashboard(live.url, "S1" * 900, "9" * 900)  # cut to 32 characters: no such account
    assert r.status_code == 401 and "工号或密码不正确" in r.text
    r = dashboard(live.url, "S1" * 5000, "9" * 5000)  # beyond the form's limit: the page again, saying so in both languages
    assert r.status_code == 422 and "提交的内容过长" in alert(r.text) and "The form is too long" in alert(r.text)
    assert counts(world) == before and failures(world, "C1") == 0


def test_an_attacker_cannot_lock_a_clerk_out_of_her_own_terminal(live, world):
    own = Device(live.url, world.codes["terminal2"])
    assert own.sign_in("C2").status_code == 200  # her counter terminal: a device she signed in on before
    assert own.post("/clerk/sign-out").status_code == 204
    del own.http.headers["X-Clerk-Token"]  # as the terminal forgets it
    attacker = Device(live.url, world.codes["terminal3"])
    for _ in range(5):
        assert attacker.sign_in("C2", WRONG).status_code == 401
    assert failures(world, "C2") == 5  # the account now backs off for devices it has not signed in on
    world.clock.advance(seconds=2)  # past the attacker terminal's own 1 s wait
    elsewhere = Device(live.url, world.codes["terminal4"])
    r = elsewhere.sign_in("C2")  # the right PIN, on a device new to her: not even told right or wrong
    assert r.status_code == 401 and r.json()["error"] == "bad_credentials"
    assert attacker.sign_in("C2", WRONG).status_code == 401 and failures(world, "C2") == 5  # backed off: not counted
    r = own.sign_in("C2")
    assert r.status_code == 200 and r.json()["name"] == "工作人员2"  # her own terminal backs off on its own count
    # and her right PIN there leaves the account's count alone: the attacker gets no five fresh tries from it
    assert failures(world, "C2") == 5 and elsewhere.sign_in("C2").status_code == 401


def test_guessing_from_a_known_terminal_is_slowed_on_its_own_count(live, world):
    own = Device(live.url, world.codes["terminal2"])
    assert own.sign_in("C2").status_code == 200 and own.post("/clerk/sign-out").status_code == 204
    del own.http.headers["X-Clerk-Token"]
    for n in range(5):
        assert own.sign_in("C2", WRONG).status_code == 401
        world.clock.advance(seconds=2 ** max(0, n - 4) + 1)  # past the terminal's own source wait
    assert known_failures(world, "C2", "device") == 5 and failures(world, "C2") == 0  # the place's count, not the account's
    assert own.sign_in("C2").status_code == 401  # the right PIN, while this terminal's count backs off (15 s)
    world.clock.advance(seconds=16)
    assert own.sign_in("C2").status_code == 200 and known_failures(world, "C2", "device") == 0
    assert Device(live.url, world.codes["terminal4"]).sign_in("C2").status_code == 200  # the account never backed off


def test_the_account_back_off_grows_and_ends(live, world):
    attacker, other = Device(live.url, world.codes["terminal3"]), Device(live.url, world.codes["terminal4"])
    for _ in range(5):
        assert attacker.sign_in("C2", WRONG).status_code == 401
    world.clock.advance(seconds=14)
    assert other.sign_in("C2").status_code == 401  # 15 s after the fifth wrong PIN
    world.clock.advance(seconds=2)
    assert attacker.sign_in("C2", WRONG).status_code == 401 and failures(world, "C2") == 6  # now 30 s
    world.clock.advance(seconds=29)
    assert other.sign_in("C2").status_code == 401
    world.clock.advance(seconds=2)
    assert other.sign_in("C2").status_code == 200 and failures(world, "C2") == 0


def test_a_source_backs_off_whatever_the_account(live, world):
    """Per source (a terminal; a browser's address): 5 failures free, then 1 s, 2 s, 4 s … the same for any account."""
    t = Device(live.url, world.codes["terminal1"])
    for n in range(5):
        assert t.sign_in(f"NOBODY{n}").status_code == 401
    r = t.sign_in("C1")  # right this time, but this terminal must wait first
    assert r.status_code == 429 and r.json()["error"] == "too_many_requests" and both_messages(r)
    assert "1 秒" in r.json()["message_zh"] and "1 s" in r.json()["message_en"]
    unknown = t.sign_in("NOBODY")
    assert (unknown.status_code, unknown.text) == (r.status_code, r.text)  # the wait says nothing of the account
    world.clock.advance(seconds=1)
    assert t.sign_in("NOBODY").status_code == 401  # the sixth failure: now 2 s
    world.clock.advance(seconds=1)
    assert t.sign_in("C1").status_code == 429
    world.clock.advance(seconds=1)
    assert t.sign_in("C1").status_code == 200
    assert Device(live.url, world.codes["terminal2"]).sign_in("C2").status_code == 200  # other terminals unaffected


def test_attempts_sent_all_at_once_are_counted_as_they_start(live, world):
    t = Device(live.url, world.codes["terminal1"])
    with ThreadPoolExecutor(12) as pool:
        statuses = sorted(pool.map(lambda n: t.sign_in(f"NOBODY{n}").status_code, range(12)))
    assert statuses == [401] * 5 + [429] * 7  # five argon2 checks, not twelve


def test_a_known_browser_is_spared_the_supervisor_accounts_back_off(live, supervised):
    world = supervised
    mine = requests.Session()
    assert dashboard(live.url, "S1", PIN, http=mine).status_code == 303
    assert post_form(mine, live.url, "/dashboard", "/dashboard/sign-out", {}).status_code in (200, 303)
    assert mine.get(f"{live.url}/dashboard/data", timeout=30).status_code == 401  # signed out: the known cookie opens nothing
    for _ in range(5):
        assert dashboard(live.url, "S1", WRONG).status_code == 401
    world.clock.advance(seconds=2)
    assert dashboard(live.url, "S1", PIN).status_code == 401  # a browser new to the account: backed off
    world.clock.advance(seconds=3)
    r = dashboard(live.url, "S1", PIN, http=mine)
    assert r.status_code == 303 and mine.get(f"{live.url}/dashboard/data", timeout=30).status_code == 200


def test_the_known_cookie_is_a_token_of_its_own_and_opens_nothing(live, supervised):
    """The 400-day cookie used to hold the session token: whoever read it had the session for 12 hours."""
    world, mine = supervised, requests.Session()
    assert dashboard(live.url, "S1", PIN, http=mine).status_code == 303
    known, session = mine.cookies["haoban_known"], mine.cookies["haoban_session"]
    assert known != session and len(known) >= 32
    thief = requests.Session()
    thief.cookies.set("haoban_session", known)
    assert thief.get(f"{live.url}/dashboard/data", timeout=30).status_code == 401
    with world.hub.engine.connect() as c:  # only its hash is kept, and not among the sessions
        sources = set(c.execute(select(KnownSignInRow.source)).scalars())
        assert f"browser:{token_hash(known)}" in sources and not any(known in s for s in sources)
        assert c.execute(select(func.count()).select_from(WebSessionRow)
                         .where(WebSessionRow.token_hash == token_hash(known))).scalar() == 0
    assert dashboard(live.url, "S1", PIN, http=mine).status_code == 303  # each sign-in replaces the known token
    assert mine.cookies["haoban_known"] != known
    with world.hub.engine.connect() as c:
        assert known_failures(world, "S1", "browser") == 0
        assert c.execute(select(func.count()).select_from(KnownSignInRow)
                         .where(KnownSignInRow.source.like("browser:%"))).scalar() == 1


def test_guessing_from_a_known_browser_is_slowed_on_its_own_count(live, supervised):
    world, mine = supervised, requests.Session()
    assert dashboard(live.url, "S1", PIN, http=mine).status_code == 303
    mine.cookies.clear("127.0.0.1", "/", "haoban_session")  # the session gone, the known cookie kept
    for n in range(5):
        assert dashboard(live.url, "S1", WRONG, http=mine).status_code == 401
        world.clock.advance(seconds=2 ** max(0, n - 4) + 1)  # past the address's own source wait
    assert known_failures(world, "S1", "browser") == 5 and failures(world, "S1") == 0
    assert dashboard(live.url, "S1", PIN, http=mine).status_code == 401  # backed off on its own count: 15 s
    world.clock.advance(seconds=16)
    assert dashboard(live.url, "S1", PIN, http=mine).status_code == 303
    world.clock.advance(seconds=5)  # past the address's source wait
    forged = requests.Session()  # a known cookie that was never given out is a browser like any other
    forged.cookies.set("haoban_known", "x" * 32)
    assert dashboard(live.url, "S1", WRONG, http=forged).status_code == 401 and failures(world, "S1") == 1


def test_argon2_runs_off_the_event_loop_and_outside_the_write_lock(live, supervised, monkeypatch):
    world, seen = supervised, []
    real = pins.verify_pin

    def spy(pin_hash, pin):
        try:
            asyncio.get_running_loop()
            on_loop = True
        except RuntimeError:
            on_loop = False
        seen.append((on_loop, world.hub._write_lock.locked() if hasattr(world.hub._write_lock, "locked") else False,
                     threading.current_thread().name.startswith("sign-in")))
        return real(pin_hash, pin)

    monkeypatch.setattr("common.usecases.auth.verify_pin", spy)
    assert dashboard(live.url, "S1", PIN).status_code == 303
    assert dashboard(live.url, "S1", WRONG).status_code == 401
    assert Device(live.url, world.codes["terminal1"]).sign_in("C1").status_code == 200
    assert seen == [(False, False, True)] * 3  # on the sign-in threads (server/signins.py)


def test_an_account_without_a_pin_hash_is_never_signed_in(live, supervised):
    """A clerk row that reached this hub without its hash (reference.apply_snapshot) has pin_hash "": nothing typed
    signs it in, not even the text the hub checks unknown accounts against."""
    world = supervised
    with world.hub.engine.begin() as c:
        c.execute(update(ClerkRow).where(ClerkRow.site_id == "s1", ClerkRow.staff_no == "S1").values(pin_hash=""))
    for pin in ("not a pin", PIN, ""):
        r = dashboard(live.url, "S1", pin)
        assert r.status_code == 401 and "工号或密码不正确" in alert(r.text), pin


def test_a_departments_handler_cannot_sign_in_on_a_terminal_nor_as_a_guide(live, world):
    """A handler serves no window and guides nobody (docs/cases.md "Who may do what"): with her right PIN a terminal
    and a kiosk are told why, in both languages, and no clerk session is opened, so no pushed event can name her."""
    with world.hub.engine.begin() as c:
        reference.create_clerk(c, site_id="s1", staff_no="H1", name="医保经办", pin=PIN, role="handler", department="区医保中心")
    before = counts(world)
    for name in ("terminal1", "kiosk"):
        r = Device(live.url, world.codes[name]).post("/clerk/sign-in", json={"staff_no": "H1", "pin": PIN})
        assert r.status_code == 403 and both_messages(r), name
        assert "承办单位经办人账号不能在窗口终端或取号机上登录" in r.json()["message_zh"], name
    r = Device(live.url, world.codes["terminal2"]).post("/clerk/sign-in", json={"staff_no": "H1", "pin": WRONG})
    assert r.status_code == 401  # a wrong PIN: the one answer of every failure
    assert counts(world) == before
