"""Bounded everything (issue 12): stray 500s become clear 4xx answers in both languages and write nothing;
exports neutralise formulas; body sizes, streams and check-ins are limited; files and logs keep secrets."""
from __future__ import annotations

import csv
import io
import logging
import os
import re
import stat

import pytest
import requests
from openpyxl import load_workbook
from sqlalchemy import func, insert, select
from sqlalchemy.exc import DBAPIError

from common.db.engine import make_engine, migrate
from common.db.schema import EventRow, SiteRow
from common.domain import idcard
from common.domain.idcard import check_digit
from common.sync.store import LocalStore
from common.usecases import appointments, reference
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
    form = http.get(f"{url}/dashboard/sign-in", timeout=10).text
    token = re.search(r'name="csrf" value="([^"]+)"', form)
    data = {"site": site, "staff_no": staff_no, "pin": PIN, **({"csrf": token[1]} if token else {})}
    r = http.post(f"{url}/dashboard/sign-in", data=data, allow_redirects=False, timeout=10)
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
    r = display.post(f"{live.url}/display/enrol", data={"code": world.codes["display"]}, allow_redirects=False)
    assert r.status_code == 303
    before = events(world)
    bilingual(display.get(f"{live.url}/display/calls/{2**63}.wav", timeout=10), 422)
    bilingual(display.get(f"{live.url}/display/events?after={2**64}", timeout=10), 422)
    assert display.get(f"{live.url}/display/calls/{2**63 - 1}.wav", timeout=10).status_code == 404
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
    assert {k: cells[k].value for k in want} == {k: v.replace("\r", "\n") for k, v in want.items()}  # XML reads CR as LF
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
