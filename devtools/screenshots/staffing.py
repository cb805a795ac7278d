"""Screenshots of the staffing page (zh, en) and the dashboard with a live warning, from the test hall:
`PYTHONPATH=. .venv/bin/python devtools/screenshots/staffing.py` writes them to docs/screenshots/."""
import tempfile

from playwright.sync_api import sync_playwright

from common.db.engine import make_engine, migrate
from devtools import browser
from tests import world as W
from tests.conftest import LiveHub
from tests.integration import test_staffing_page as T
from tests.integration.http import Device
from tests.world import PIN

d = tempfile.mkdtemp()
eng = make_engine(f"sqlite:///{d}/h.sqlite3")
migrate(eng)
w = T.hall.__wrapped__(W.build(eng))
with eng.begin() as c:
    from sqlalchemy import update

    from common.db.schema import QueueRow
    c.execute(update(QueueRow).where(QueueRow.id == w.queues["B"]).values(name="社保卡"))
    c.execute(update(QueueRow).where(QueueRow.id == w.queues["A"]).values(name="医保社保"))
    c.execute(update(QueueRow).where(QueueRow.id == w.queues["C"]).values(name="公积金"))
with LiveHub(w.hub) as live, sync_playwright() as p:
    b = browser.launch(p)
    page = browser.new_page(b, "dashboard")
    page.goto(f"{live.url}/dashboard/sign-in")
    if page.query_selector("select[name=site]"):
        page.select_option("select[name=site]", "s1")
    page.fill("#staff_no", "S1")
    page.fill("#pin", PIN)
    page.click("#sign-in")
    page.wait_for_url(f"{live.url}/dashboard")
    for lang in ("zh_CN", "en"):
        page.goto(f"{live.url}/dashboard/staffing?lang={lang}")
        page.screenshot(path=f"docs/screenshots/web-staffing-{lang}.png", full_page=True)
    from common.domain.model import Role
    from common.usecases import auth
    with eng.begin() as c:
        code = auth.create_enrolment_code(c, site_id="s1", role=Role.kiosk, name="k9", now=w.clock.now())
    kiosk = Device(live.url, code)
    for letter in "AAAAC":
        kiosk.post("/tickets", json={"item_id": w.items[letter]})
    w.clock.advance(minutes=6)
    from datetime import timedelta

    from common.db import warningrows
    with eng.begin() as c:  # the warnings of the last days as the minute job kept them: 8 of 9 came true
        for n in range(1, 10):
            at = w.clock.now() - timedelta(days=n)
            warningrows.add(c, "s1", at, [{"queue_id": w.queues["A"], "horizon": 15, "minutes": 6, "tickets": 2,
                                           "window_id": None}])
        for n, row in enumerate(warningrows.open_rows(c, "s1")):
            warningrows.decide(c, row.id, n != 3, row.raised_at + timedelta(minutes=15))
    w.hub.keep_warnings()  # today's, not decided yet
    for lang in ("zh", "en"):
        page.goto(f"{live.url}/dashboard{'?lang=en' if lang == 'en' else ''}")
        page.screenshot(path=f"docs/screenshots/web-dashboard-warning-{lang}.png")
    b.close()
