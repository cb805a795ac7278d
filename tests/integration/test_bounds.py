"""Bounded everything (issue 12): stray 500s become clear 4xx answers in both languages and write nothing;
exports neutralise formulas; body sizes, streams and check-ins are limited; files and logs keep secrets."""
from __future__ import annotations

import csv
import http.client
import io
import json
import logging
import os
import re
import socket
import stat
import threading
import time

import pytest
import requests
import uvicorn
from openpyxl import load_workbook
from sqlalchemy import func, insert, select
from sqlalchemy.exc import DBAPIError

from common.db.engine import make_engine, migrate
from common.db.schema import EventRow, SiteRow
from common.domain import idcard
from common.domain import limits as L
from common.domain.idcard import check_digit
from common.readmodels import board
from common.sync import protocol as wire
from common.sync.store import LocalStore
from common.usecases import appointments, reference
from server import accesslog, cli, limits
from server import settings as hub_settings
from server.app import create_app
from tests.conftest import free_port
from tests.integration.http import Device, post_form, terminal
from tests.integration.test_migrations_cli import run_cli
from tests.world import PIN

_BODY = "31011819580612031"
ID = _BODY + check_digit(_BODY)


def events(world) -> int:
    with world.hub.engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(EventRow)).scalar()


def bilingual(r: requests.Response, status: int) -> dict:
    assert r.status_code == status, r.text
    body = r.json()
    assert body["message_zh"] and body["message_en"] and body["message_zh"] != body["message_en"], body
    return body


def dashboard_session(url: str, staff_no: str = "S1", site: str = "s1") -> requests.Session:
    """A supervisor signed in through the form, as a browser does: the form first (its CSRF field), then the post."""
    http = requests.Session()
    r = post_form(http, url, "/dashboard/sign-in", "/dashboard/sign-in", {"site": site, "staff_no": staff_no, "pin": PIN},
                  allow_redirects=False)
    assert r.status_code == 303, r.text
    return http


@pytest.fixture
def supervised(world):
    with world.hub.engine.begin() as c:
        reference.create_clerk(c, site_id="s1", staff_no="S1", name="主管甲", pin=PIN, role="supervisor")
    return world


# ---------------------------------------------------------------- stray 500s


def test_a_call_number_too_large_for_the_database_is_a_422(world, live):
    display = requests.Session()
    r = post_form(display, live.url, "/display", "/display/enrol", {"code": world.codes["display"]}, allow_redirects=False)
    assert r.status_code == 303
    before = events(world)
    for big in (2**63, L.POSITION_MAX + 1):  # past BIGINT; past the one position limit (limits.POSITION_MAX)
        bilingual(display.get(f"{live.url}/display/calls/{big}.wav", timeout=10), 422)
    bilingual(display.get(f"{live.url}/display/events?after={2**64}", timeout=10), 422)
    assert display.get(f"{live.url}/display/calls/{L.POSITION_MAX}.wav", timeout=10).status_code == 404
    assert events(world) == before


def test_a_quarter_past_the_calendar_is_a_422_in_both_languages(supervised, live):
    http = dashboard_session(live.url)
    for path in ("/dashboard/data", "/dashboard/assessment.csv", "/dashboard/assessment.xlsx"):
        body = bilingual(http.get(f"{live.url}{path}?quarter=9999Q4", timeout=10), 422)
        assert "2099Q4" in body["message_zh"] and "2099Q4" in body["message_en"]
    page = http.get(f"{live.url}/dashboard?quarter=9999Q4", timeout=10)
    assert page.status_code == 422 and "2099Q4" in page.text
    assert http.get(f"{live.url}/dashboard/data?quarter=2099Q4", timeout=10).status_code == 200


@pytest.mark.parametrize("odd", ["²", "１"])  # a superscript two, a full-width one
def test_an_id_number_with_a_digit_that_is_not_ascii_is_refused(world, live, odd):
    number = ID[:5] + odd + ID[6:]
    assert odd.isdigit()  # what str.isdigit() let through
    with pytest.raises(idcard.InvalidId):
        idcard.parse_id(number)
    importer, _ = world.hub.enrol(world.codes.pop("importer"))
    day = world.clock.now().date().isoformat()
    row = {"code": "YW202611260001", "item_code": "IA", "date": day, "start": "09:30", "end": "10:00",
           "id_number": number, "name": "张伟明"}
    before = events(world)
    r = requests.post(f"{live.url}/api/v1/appointments/import", json={"rows": [row]}, timeout=10,
                      headers={"Authorization": f"Bearer {importer}"})
    body = bilingual(r, 422)
    assert "身份证" in body["message_zh"] and "ID number" in body["message_en"] and number not in r.text
    assert events(world) == before


# ---------------------------------------------------------------- exports


def test_exports_neutralise_formula_prefixes(supervised, live):
    names = ["=HYPERLINK(\"http://x\",\"点我\")", "+1", "-2", "@SUM(A1)", "\tTab", "\rCR", "王小明"]
    with supervised.hub.engine.begin() as c:
        for n, name in enumerate(names, start=1):
            reference.create_clerk(c, site_id="s1", staff_no=f"Z{n}", name=name, pin=PIN)
    http = dashboard_session(live.url)
    r = http.get(f"{live.url}/dashboard/assessment.csv", timeout=10)
    rows = {row[0]: row[1] for row in csv.reader(io.StringIO(r.content.decode("utf-8-sig"), newline=""))}
    want = {f"Z{n}": (name if name == "王小明" else "'" + name) for n, name in enumerate(names, start=1)}
    assert {k: rows[k] for k in want} == want
    sheet = load_workbook(io.BytesIO(http.get(f"{live.url}/dashboard/assessment.xlsx", timeout=10).content)).active
    cells = {row[0].value: row[1] for row in sheet.iter_rows(min_row=2)}
    assert {k: cells[k].value for k in want} == want  # (openpyxl writes through lxml, which keeps a CR as it is)
    assert all(cells[k].data_type == "s" for k in want)  # text, never a formula


# ---------------------------------------------------------------- files and logs


def mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_the_data_folder_is_the_owners_and_its_database_and_key_0600(tmp_path):
    data = tmp_path / "data"
    env = {**os.environ, "HAOBAN_DATA_DIR": str(data)}
    assert run_cli("admin", "create-site", "--id", "v1", "--name", "蔡浜村村民服务点", "--level", "village", env=env).returncode == 0
    appointments.hub_key(data)
    assert mode(data) == 0o700
    assert {p.name: mode(p) for p in data.iterdir()} == {name: 0o600 for name in ("hub.sqlite3", appointments.KEY_FILE)}

    old = tmp_path / "old.sqlite3"  # a file an older hub left world-readable
    old.touch(0o644)
    old.chmod(0o644)
    engine = make_engine(f"sqlite:///{old}")
    migrate(engine)
    with engine.connect() as conn:  # WAL: the -wal and -shm files exist while a connection is open
        assert {p.name: mode(p) for p in tmp_path.glob("old.sqlite3*")} == {
            "old.sqlite3": 0o600, "old.sqlite3-wal": 0o600, "old.sqlite3-shm": 0o600}
        conn.close()
    engine.dispose()
    store = LocalStore(tmp_path / "kiosk.sqlite3")  # a device's own file keeps PIN hashes for manual mode
    assert mode(tmp_path / "kiosk.sqlite3") == 0o600
    store.engine.dispose()


def test_a_failed_statement_shows_no_parameter_values(engine, caplog):
    secret = "310118195806120317-张伟明-secret"
    with engine.begin() as c:
        reference.create_site(c, id="x1", name="一", level="village")
    with pytest.raises(DBAPIError) as failed, engine.begin() as c:
        c.execute(insert(SiteRow).values(id="x1", name=secret, level="village"))  # the same id twice
    assert secret not in str(failed.value) and "hidden" in str(failed.value)
    logging.getLogger("haoban.hub").exception("unexpected error", exc_info=failed.value)  # what the 500 handler logs
    assert caplog.records and secret not in caplog.text


# ---------------------------------------------------------------- body sizes


def raw_request(url: str, head: str, chunks: list[bytes] = ()) -> tuple[int, dict]:
    """Send `head` (and `chunks`, chunked) on a socket of its own; the status and JSON body of the answer."""
    host, port = url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=30) as s:
        s.sendall(head.encode() + b"\r\n")
        for chunk in chunks:
            s.sendall(b"%x\r\n%s\r\n" % (len(chunk), chunk))
        answer = http.client.HTTPResponse(s)
        answer.begin()
        return answer.status, json.loads(answer.read())


def test_a_body_over_its_limit_is_refused_by_its_length_before_it_is_read(world, live):
    kiosk = Device(live.url, world.codes["kiosk"]).http.headers["Authorization"]
    before = events(world)
    for path, length in (("/api/v1/sync/push", wire.MAX_BODY + 1), ("/api/v1/sync/push", 40 << 20),
                         ("/api/v1/tickets", limits.DEFAULT_BODY + 1), ("/dashboard/sign-in", 1 << 20)):
        head = (f"POST {path} HTTP/1.1\r\nHost: hub\r\nAuthorization: {kiosk}\r\nContent-Type: application/json\r\n"
                f"Content-Length: {length}\r\n")  # and not one byte of the body: the answer comes at once
        status, body = raw_request(live.url, head)
        assert status == 413 and body["error"] == "body_too_large", (path, body)
        assert body["message_zh"] == "提交的内容过大，已拒绝" and "too large" in body["message_en"]
    assert events(world) == before


def test_a_chunked_body_is_read_only_up_to_its_limit(world, live):
    kiosk = Device(live.url, world.codes["kiosk"])
    auth = kiosk.http.headers["Authorization"]
    item = world.items["A"]
    head = (f"POST /api/v1/tickets HTTP/1.1\r\nHost: hub\r\nAuthorization: {auth}\r\nContent-Type: application/json\r\n"
            "Transfer-Encoding: chunked\r\n")
    padding = b" " * (limits.DEFAULT_BODY // 8)
    before = events(world)
    # the client stops sending once past the limit and waits: a hub that reads past its limit would wait too (and time
    # out), and bytes still unread when the hub closes would turn its answer into a connection reset
    status, body = raw_request(live.url, head, [b'{"item_id": "%s"' % item.encode(), *[padding] * 9])
    assert status == 413 and body["error"] == "body_too_large" and body["message_zh"] and body["message_en"]
    assert events(world) == before
    status, body = raw_request(live.url, head, [b'{"item_id": "%s"' % item.encode(), *[padding] * 7, b"}", b""])
    assert status == 201 and body["ticket"]["number"] == "A001"  # under the limit, chunked is fine


# ---------------------------------------------------------------- live streams


class Stream:
    """A server-sent-event stream read line by line (its line iterator kept: closing one closes the connection)."""

    def __init__(self, url: str, **kw) -> None:
        self.response = requests.get(url, stream=True, timeout=10, **kw)
        self.lines = self.response.iter_lines(decode_unicode=True)

    def data(self) -> dict:
        for line in self.lines:
            if line.startswith("data: "):
                return json.loads(line[6:])
        raise AssertionError("the stream ended")

    def close(self) -> None:
        self.response.close()


def until(condition, what: str) -> None:
    deadline = time.monotonic() + 20  # a bound on waiting, not a timed assertion
    while not condition():
        assert time.monotonic() < deadline, what
        time.sleep(0.02)


def test_live_streams_are_capped_in_all_and_per_address_with_a_clear_answer(world, live):
    ticket = Device(live.url, world.codes["kiosk"]).post("/tickets", json={"item_id": world.items["A"]}).json()["ticket"]
    url = f"{live.url}/api/v1/public/tickets/{ticket['public_token']}/events"
    slots = live.app.state.stream_slots
    slots.limits = limits.Limits(max_streams=3, max_streams_per_address=2)
    before = events(world)
    open_ = [Stream(url) for _ in range(2)]
    assert [s.data()["number"] for s in open_] == ["A001", "A001"]
    full = requests.get(url, timeout=10)
    body = bilingual(full, 429)
    assert body["error"] == "too_many_requests" and "实时连接" in body["message_zh"] and full.headers["Retry-After"] == "30"
    page = requests.get(url, headers={"Accept": "text/html"}, timeout=10)
    assert page.status_code == 429 and "实时连接" in page.text and "live connections" in page.text
    board = requests.Session()  # another kind of stream, the same slots
    assert post_form(board, live.url, "/display", "/display/enrol", {"code": world.codes["display"]}).status_code == 200
    slots.limits = limits.Limits(max_streams=2, max_streams_per_address=10)
    body = bilingual(board.get(f"{live.url}/display/events", timeout=10), 503)
    assert body["error"] == "streams_full"
    open_.pop().close()  # a client goes: its slot comes back
    until(lambda: slots.open == 1, "the slot of a closed stream was not given back")
    with board.get(f"{live.url}/display/events", stream=True, timeout=10) as r:
        assert r.status_code == 200 and slots.open == 2
    open_.pop().close()
    until(lambda: slots.open == 0 and not slots.by_address, "slots left taken")
    assert events(world) == before


def test_one_status_read_per_event_serves_every_stream_of_a_ticket(world, live):
    ticket = Device(live.url, world.codes["kiosk"]).post("/tickets", json={"item_id": world.items["A"]}).json()["ticket"]
    url = f"{live.url}/api/v1/public/tickets/{ticket['public_token']}/events"
    reads, read = [], world.hub.read

    def counted(query, *args, **kw):
        if query is board.ticket_status:
            reads.append(args[0])
        return read(query, *args, **kw)

    world.hub.read = counted
    streams = [Stream(url) for _ in range(8)]
    assert {s.data()["status"] for s in streams} == {"waiting"}
    until(lambda: len(reads) >= 9, "the streams did not look once")  # 8 first answers, then one shared look
    terminal(live, world, 1).post(f"/windows/{world.windows[1]}/call-next")
    assert {s.data()["status"] for s in streams} == {"called"}
    for r in streams:
        r.close()
    assert len(reads) <= 8 + 3, len(reads)  # without sharing: 8 first answers + 8 per event


# ---------------------------------------------------------------- the server's own limits, the access log


def test_the_concurrency_limit_of_the_settings_holds_over_http(world, tmp_path):
    settings = hub_settings.load(env={"HAOBAN_DATA_DIR": str(tmp_path), "HAOBAN_LIMIT_CONCURRENCY": "3",
                                      "HAOBAN_PORT": str(free_port())})
    options = cli.uvicorn_options(settings)
    assert options["limit_concurrency"] == 3 and options["access_log"] is False
    server = uvicorn.Server(uvicorn.Config(create_app(world.hub), log_level="warning", **options))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    until(lambda: server.started, "the hub did not start")
    url = f"http://127.0.0.1:{settings.port}"
    try:
        board = requests.Session()
        assert post_form(board, url, "/display", "/display/enrol", {"code": world.codes["display"]}).status_code == 200
        board.close()
        streams = [Stream(f"{url}/display/events", cookies=board.cookies) for _ in range(2)]
        assert [s.response.status_code for s in streams] == [200] * 2
        # the third connection reaches the limit (uvicorn counts the one asking): uvicorn's own 503
        assert requests.get(f"{url}/healthz", timeout=10).status_code == 503
        for s in streams:
            s.close()
        until(lambda: requests.get(f"{url}/healthz", timeout=10).status_code == 200, "the limit did not free up")
    finally:
        server.should_exit = server.force_exit = True
        thread.join(10)


def test_the_access_log_masks_ticket_tokens_and_drops_queries(caplog):
    accesslog.install()
    access = logging.getLogger("uvicorn.access")
    with caplog.at_level(logging.INFO, "uvicorn.access"):
        access.info('%s - "%s %s HTTP/%s" %d', "10.0.0.5:5123", "GET",
                    "/api/v1/public/tickets/emwTUdKJJReWmhvJuJtB4Q6LHocTSdkC/events?lang=en", "1.1", 200)
        access.info('%s - "%s %s HTTP/%s" %d', "10.0.0.5:5123", "GET", "/display?code=K7Q2-9XZ3", "1.1", 200)
    assert "emwTUdKJ" not in caplog.text and "K7Q2" not in caplog.text
    assert "/api/v1/public/tickets/***/events?…" in caplog.text and "/display?…" in caplog.text


def test_booking_code_check_ins_are_limited_per_device(world, live):
    """Codes tried in bulk by one kiosk (a guessable demo code answers with a masked name): a bilingual 429 after
    the burst, nothing written; another kiosk, and ID-number check-ins, keep their own buckets."""
    from server.appointment_routes import CODE_CHECK_IN_BURST

    def post(token, body):
        return requests.post(f"{live.url}/api/v1/appointments/check-in", json=body, timeout=10,
                             headers={"Authorization": f"Bearer {token}"})

    prober, _ = world.hub.enrol(world.codes.pop("kiosk"))
    tries = [post(prober, {"code": f"YW2026112600{n:02d}"}) for n in range(CODE_CHECK_IN_BURST)]
    assert [r.status_code for r in tries] == [404] * CODE_CHECK_IN_BURST
    before = events(world)
    r = post(prober, {"code": "YW202611269999"})
    body = bilingual(r, 429)
    assert body["error"] == "too_many_requests" and int(r.headers["Retry-After"]) >= 1
    assert events(world) == before
    assert post(prober, {"id_number": ID}).status_code == 404  # the ID bucket is its own (no booking: 404)


# ---------------------------------------------------------------- cookies and CSRF


def test_forms_need_the_csrf_token_of_their_page(supervised, live):
    url, world = live.url, supervised
    data = {"site": "s1", "staff_no": "S1", "pin": PIN}
    bare = requests.post(f"{url}/dashboard/sign-in", data=data, allow_redirects=False, timeout=10)  # another site's form
    assert bare.status_code == 403 and "页面已过期" in bare.text and "expired" in bare.text
    assert "haoban_session" not in bare.headers.get("set-cookie", "")
    http = requests.Session()
    http.get(f"{url}/dashboard/sign-in", timeout=10)
    wrong = http.post(f"{url}/dashboard/sign-in", data={**data, "csrf": "x" * 32}, allow_redirects=False, timeout=10)
    assert wrong.status_code == 403 and "haoban_session" not in wrong.headers.get("set-cookie", "")
    assert "haoban_session" not in http.cookies

    signed_in = dashboard_session(url)
    out = signed_in.post(f"{url}/dashboard/sign-out", timeout=10)  # without the page's token: refused
    assert out.status_code == 403 and "页面已过期" in out.text
    assert signed_in.get(f"{url}/dashboard/data", timeout=10).status_code == 200  # still signed in
    assert post_form(signed_in, url, "/dashboard", "/dashboard/sign-out", {}).status_code == 200
    assert signed_in.get(f"{url}/dashboard/data", timeout=10).status_code == 401

    board = requests.post(f"{url}/display/enrol", data={"code": world.codes["display"]}, allow_redirects=False, timeout=10)
    assert board.status_code == 403 and "haoban_display" not in board.headers.get("set-cookie", "")
    assert post_form(requests.Session(), url, "/display", "/display/enrol", {"code": world.codes["display"]},
                     allow_redirects=False).status_code == 303  # the refused post did not spend the code


def test_cookies_are_secure_when_the_page_came_over_https(supervised, live):
    data = {"site": "s1", "staff_no": "S1", "pin": PIN}
    plain = post_form(requests.Session(), live.url, "/dashboard/sign-in", "/dashboard/sign-in", data, allow_redirects=False)
    assert plain.status_code == 303 and "secure" not in plain.headers["set-cookie"].lower()
    tls = requests.Session()
    tls.headers["X-Forwarded-Proto"] = "https"  # from 127.0.0.1, the proxy uvicorn trusts by default
    page = tls.get(f"{live.url}/dashboard/sign-in", timeout=10)
    assert "secure" in page.headers["set-cookie"].lower()  # the CSRF cookie
    tls.cookies.set("haoban_csrf", page.cookies["haoban_csrf"])
    token = re.search(r'name="csrf" value="([^"]+)"', page.text)[1]
    r = tls.post(f"{live.url}/dashboard/sign-in", data={**data, "csrf": token}, allow_redirects=False, timeout=10)
    assert r.status_code == 303
    cookie = r.headers["set-cookie"].lower()
    assert "haoban_session=" in cookie and "secure" in cookie and "httponly" in cookie and "samesite=strict" in cookie
