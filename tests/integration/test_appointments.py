"""Appointments on SQLite and PostgreSQL: import (all or nothing), check-in by code and by ID number, once
only (also when two kiosks try at the same moment), too early and late, over HTTP with device roles."""
from __future__ import annotations

import os
import stat
import threading
from datetime import timedelta

import pytest
import requests
from sqlalchemy import func, select, text

from common.db.schema import AppointmentRow, TicketRow
from common.domain import errors as e
from common.domain.clock import SHANGHAI
from common.domain.idcard import check_digit
from common.usecases import appointments
from tests.world import ID_KEY

_BODY = "31011819580612031"
ID = _BODY + check_digit(_BODY)


def booking(world, *, code="YW202611260001", start="09:30", end="10:00", id_number=ID, name="张伟明", **extra) -> dict:
    day = world.clock.now().astimezone(SHANGHAI).date().isoformat()
    return {"code": code, "item_code": "IA", "date": day, "start": start, "end": end, "id_number": id_number,
            "name": name, **extra}


def load(world, *rows) -> dict:
    if "importer" in world.codes:  # enrol once (a code is used once)
        world.importer = world.actor("importer")
    return world.hub.import_appointments(world.importer, list(rows))


def count(world, row_cls) -> int:
    with world.hub.engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(row_cls)).scalar()


def test_check_in_by_code_issues_one_ticket_with_the_slot(world):
    assert load(world, booking(world)) == {"added": 1, "updated": 0, "unchanged": 0}
    kiosk = world.actor("kiosk")
    first = world.hub.check_in(kiosk, code="YW202611260001")  # 09:30 Shanghai, inside the slot
    assert first.result == "checked_in" and first.new and first.ticket.number == "A001"
    assert first.ticket.slot_start.astimezone(SHANGHAI).strftime("%H:%M") == "09:30"
    assert first.appointment["name"] == "张*明" and first.appointment["status"] == "checked_in"
    again = world.hub.check_in(kiosk, id_number=ID)  # the same citizen with the ID card: the same ticket
    assert again.result == "checked_in" and not again.new and again.ticket.id == first.ticket.id
    assert count(world, TicketRow) == 1


def test_the_id_number_is_kept_only_as_a_keyed_hash(world):
    load(world, booking(world))
    with world.hub.engine.connect() as conn:
        dump = " ".join(str(v) for r in conn.execute(select(AppointmentRow)).all() for v in r)
    assert ID not in dump and ID[:14] not in dump and "张伟明" not in dump
    assert appointments.id_hash(ID_KEY, ID) in dump and appointments.id_hash(b"another hub", ID) not in dump


def test_too_early_and_late_write_nothing(world):
    load(world, booking(world, code="EARLY-0001", start="11:00", end="11:30"),
         booking(world, code="LATE-00001", start="08:00", end="09:00"))
    kiosk = world.actor("kiosk")
    early = world.hub.check_in(kiosk, code="EARLY-0001")
    assert early.result == "too_early" and early.opens_at.astimezone(SHANGHAI).strftime("%H:%M") == "10:45"
    late = world.hub.check_in(kiosk, code="LATE-00001")
    assert late.result == "late" and late.appointment["item_id"] == world_item(world)
    assert count(world, TicketRow) == 0
    world.clock.advance(minutes=80)  # 10:50: within the 15 minutes before the slot
    assert world.hub.check_in(kiosk, code="EARLY-0001").result == "checked_in"


def world_item(world) -> str:
    with world.hub.engine.connect() as conn:
        return conn.execute(text("select id from service_items where site_id = 's1' and code = 'IA'")).scalar()


def test_unknown_cancelled_and_other_sites_bookings_are_refused(world):
    load(world, booking(world, code="CANCEL-001", status="cancelled"))
    kiosk, other_site = world.actor("kiosk"), world.actor("s2kiosk")
    with pytest.raises(appointments.AppointmentCancelled):
        world.hub.check_in(kiosk, code="CANCEL-001")
    with pytest.raises(appointments.AppointmentNotFound):
        world.hub.check_in(kiosk, code="NO-SUCH-CODE")
    with pytest.raises(appointments.AppointmentNotFound):
        world.hub.check_in(other_site, code="CANCEL-001")
    world.clock.advance(days=1)  # a booking counts on its own day only
    with pytest.raises(appointments.AppointmentNotFound):
        world.hub.check_in(kiosk, id_number=ID)


def test_two_kiosks_checking_in_at_the_same_moment_get_one_ticket(world):
    load(world, booking(world))
    kiosks = [world.actor("kiosk")] * 6
    start, answers, failures = threading.Barrier(len(kiosks)), [], []

    def go(actor):
        start.wait()
        try:
            answers.append(world.hub.check_in(actor, code="YW202611260001"))
        except e.HaobanError as exc:  # a conflict would be acceptable; a second ticket never
            failures.append(exc)

    threads = [threading.Thread(target=go, args=(k,)) for k in kiosks]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert count(world, TicketRow) == 1
    assert {a.ticket.id for a in answers} == {answers[0].ticket.id} and sum(a.new for a in answers) == 1
    assert failures == []


def test_a_bad_import_names_each_bad_row_in_both_languages_and_writes_nothing(world):
    rows = [booking(world), booking(world, code="YW202611260002", id_number=ID[:-1] + "0"),
            booking(world, code="YW202611260003", start="10:00", end="09:00"),
            booking(world, code="YW202611260001"), {**booking(world, code="YW202611260004"), "item_code": "NOPE"}]
    with pytest.raises(e.InvalidInput) as bad:
        load(world, *rows)
    zh, en = bad.value.zh, bad.value.en
    assert "第2行：身份证号码最后一位校验码不对" in zh and "row 2: The check digit" in en
    assert "第3行" in zh and "row 4: The booking code appears twice" in en and "NOPE" in en and "row 1" not in en
    assert ID[:-1] not in zh + en  # never echo the ID number
    assert count(world, AppointmentRow) == 0


def test_a_new_import_updates_bookings_but_not_checked_in_ones(world):
    load(world, booking(world), booking(world, code="YW202611260002", start="11:00", end="11:30"))
    world.hub.check_in(world.actor("kiosk"), code="YW202611260001")
    answer = load(world, booking(world, start="14:00", end="14:30"),
                  booking(world, code="YW202611260002", status="cancelled"))
    assert answer == {"added": 0, "updated": 1, "unchanged": 1}
    with world.hub.engine.connect() as conn:
        statuses = dict(conn.execute(select(AppointmentRow.code, AppointmentRow.status)).all())
    assert statuses == {"YW202611260001": "checked_in", "YW202611260002": "cancelled"}


def test_over_http_roles_and_no_echo_of_personal_data(world, live):
    def post(path, token, body):
        return requests.post(f"{live.url}/api/v1/appointments/{path}", json=body, timeout=10,
                             headers={"Authorization": f"Bearer {token}"} if token else {})

    importer, _ = world.hub.enrol(world.codes.pop("importer"))
    kiosk, _ = world.hub.enrol(world.codes.pop("kiosk"))
    assert post("import", kiosk, {"rows": [booking(world)]}).status_code == 403  # a kiosk may not import
    assert post("import", None, {"rows": []}).status_code == 401
    assert post("import", importer, {"rows": [booking(world)]}).json()["added"] == 1
    r = post("check-in", kiosk, {"id_number": ID})
    assert r.status_code == 200 and r.json()["result"] == "checked_in" and r.json()["ticket"]["number"] == "A001"
    token = r.json()["ticket"]["public_token"]
    assert requests.get(f"{live.url}/api/v1/public/tickets/{token}", timeout=10).json()["number"] == "A001"
    r = post("check-in", kiosk, {"id_number": ID[:-1] + "Q"})
    assert r.status_code == 422 and ID[:10] not in r.text
    r = post("check-in", kiosk, {"code": "NOSUCHCODE"})
    assert r.status_code == 404 and "预约" in r.json()["message_zh"] and "appointment" in r.json()["message_en"]


def test_id_number_check_ins_are_limited_per_device(world, live):
    """A misused kiosk token cannot probe ID numbers for bookings: after a burst, a bilingual 429; check-ins by
    the booking's QR code go on."""
    from server.appointment_routes import ID_CHECK_IN_BURST

    def post(token, body):
        return requests.post(f"{live.url}/api/v1/appointments/check-in", json=body, timeout=10,
                             headers={"Authorization": f"Bearer {token}"})

    world.hub.import_appointments(world.actor("importer"), [booking(world, code="YW202611260077")])
    prober, _ = world.hub.enrol(world.codes.pop("kiosk"))
    burst = [post(prober, {"id_number": ID}) for _ in range(ID_CHECK_IN_BURST)]
    assert [r.status_code for r in burst] == [200] * ID_CHECK_IN_BURST
    r = post(prober, {"id_number": ID})
    assert r.status_code == 429 and int(r.headers["Retry-After"]) >= 1
    assert r.json()["message_zh"] == "请求太频繁，请稍后再试" and "Too many requests" in r.json()["message_en"]
    assert ID[:10] not in r.text
    assert post(prober, {"code": "YW202611260077"}).json()["result"] == "checked_in"  # the QR code is not limited


def test_the_hub_key_is_made_once_and_readable_by_its_owner_only(tmp_path):
    key = appointments.hub_key(tmp_path)
    assert len(key) == 32 and appointments.hub_key(tmp_path) == key
    mode = stat.S_IMODE(os.stat(tmp_path / appointments.KEY_FILE).st_mode)
    assert mode == 0o600
    with pytest.raises(appointments.NoIdKey):
        appointments.id_hash(None, ID)


def test_demo_bookings_are_around_now(world):
    from common.usecases import reference

    with world.hub.engine.begin() as conn:
        reference.load_demo(conn)
        assert len(appointments.load_demo(conn, ID_KEY, world.clock.now() + timedelta(hours=1))) == 4
        days = set(conn.execute(select(AppointmentRow.business_day)).scalars())
    assert days == {world.clock.now().astimezone(SHANGHAI).date().isoformat()}


def test_upgrade_from_0003_keeps_items_and_adds_english_names_and_appointments(db_url):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from common.db.engine import make_engine, migrate
    from common.db.schema import Base
    from common.usecases import reference

    engine = make_engine(db_url)
    migrate(engine, "0003")
    with engine.begin() as conn:  # an item as a 0003 hub stored it: no English name column yet
        conn.execute(text("insert into sites (id, name, level, rules) values ('v1', '蔡浜村', 'village', '{}')"))
        conn.execute(text("insert into queues (id, site_id, letter, name) values ('v1-A', 'v1', 'A', '综合')"))
        conn.execute(text("insert into service_items (id, site_id, code, name, department, category, complexity, "
                          "standard_minutes, queue_id, wait_limit_min, service_limit_min) values "
                          "('v1-YB-01', 'v1', 'YB-01', '医保卡补领', '医保', 'personal', 'general', 8, 'v1-A', 10, 20)"))
    migrate(engine)
    with engine.begin() as conn:
        assert compare_metadata(MigrationContext.configure(conn), Base.metadata) == []
        assert conn.execute(text("select name, name_en from service_items")).one() == ("医保卡补领", None)
        snap = reference.snapshot(conn, "v1")
        assert snap["tables"]["service_items"][0]["name_en"] is None
    engine.dispose()


def test_cli_import_from_a_csv_all_or_nothing(tmp_path):
    import subprocess
    import sys

    from tests.integration.test_migrations_cli import ROOT

    env = {**os.environ, "HAOBAN_DATA_DIR": str(tmp_path)}

    def cli(*args):
        return subprocess.run([sys.executable, "-m", "server.cli", *args], env=env, cwd=ROOT, capture_output=True,
                              text=True, timeout=120)

    assert cli("admin", "load-demo").returncode == 0
    day = __import__("datetime").datetime.now(SHANGHAI).date().isoformat()
    head = "code,item_code,date,start,end,id_number,name\n"
    bad = tmp_path / "bad.csv"
    bad.write_text(head + f"YW0000000001,YB-01,{day},09:00,09:30,{ID},张伟明\nYW0000000002,YB-01,{day},9点,09:30,{ID},李娜\n", "utf-8")
    r = cli("admin", "import-appointments", "--site", "qp-centre", str(bad))
    assert r.returncode == 2 and "第2行" in r.stderr and "row 2" in r.stderr and ID not in r.stderr
    good = tmp_path / "good.csv"
    good.write_text(head + f"YW0000000001,YB-01,{day},09:00,09:30,{ID},张伟明\n", "utf-8")
    r = cli("admin", "import-appointments", "--site", "qp-centre", str(good))
    assert r.returncode == 0 and "added 1" in r.stdout
    engine = __import__("common.db.engine", fromlist=["make_engine"]).make_engine(f"sqlite:///{tmp_path / 'hub.sqlite3'}")
    with engine.connect() as conn:  # the demo's bookings and the one good row; nothing of the bad file
        codes = set(conn.execute(select(AppointmentRow.code)).scalars())
    engine.dispose()
    assert "YW0000000001" in codes and "YW0000000002" not in codes
    assert (tmp_path / appointments.KEY_FILE).exists()
