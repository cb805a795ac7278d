"""Screenshots of the hub's pages for review: the display board at 1920x1080, the phone page at 390x844
(中文 and English, waiting and called), the 一次告知 list on the phone (a question open, and answered), the
dashboard at 1440x900 (and its whole length), the sign-in pages, the cases panel and a department's page (/handler)
with one of its cases.

The data is a demo morning played through the hub's commands (devtools/sample.py); Debian's Chromium renders.
"""
from __future__ import annotations

import tempfile
from pathlib import Path

from common.db import guiderows
from common.db.engine import make_engine, migrate
from common.domain.model import Outcome, Role
from common.guides import tell
from common.usecases import auth, reference
from devtools import browser, sample


def render(folder: Path, chromium=None) -> list[Path]:
    """Render every page to `folder`; in `chromium` (a Playwright browser) or a Chromium of its own."""
    if chromium is not None:
        return _render(folder, chromium)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = browser.launch(p)
        try:
            return _render(folder, chromium)
        finally:
            chromium.close()


def _render(folder: Path, chromium) -> list[Path]:
    from devtools.loopback import LoopbackHub

    folder.mkdir(parents=True, exist_ok=True)
    made: list[Path] = []
    with tempfile.TemporaryDirectory() as tmp:
        engine = make_engine(f"sqlite:///{tmp}/hub.sqlite3")
        migrate(engine)
        with engine.begin() as c:
            reference.load_demo(c)
        hall = sample.morning(engine)
        hub, first = hall.hub, hall.counters[0]
        if first["ticket"] is not None:  # window 1 finishes and calls the next citizen, who is on the way
            hub.finish(first["actor"], first["window"], Outcome.completed)
        called = hub.call_next(first["actor"], first["window"]).ticket
        waiting = hub.issue_ticket(hall.kiosk, item_id="qp-centre-YB-01").ticket
        with engine.begin() as c:
            code = auth.create_enrolment_code(c, site_id="qp-centre", role=Role.display, name="大厅屏", now=hall.clock.now())
        guide = hub.read(guiderows.guide, "YB-01")
        supervisor = next(s for s in reference.demo_data()["sites"] if s["id"] == "qp-centre")["supervisors"][0]

        with LoopbackHub(hub) as served:
            pages = []

            def shot(page, name: str, full: bool = False) -> None:
                pages.append(page)
                path = folder / f"web-{name}.png"
                page.screenshot(path=str(path), full_page=full)
                made.append(path)

            page = browser.new_page(chromium, "display")
            page.goto(f"{served.url}/display")
            shot(page, "display-enrol")
            page.goto(f"{served.url}/display?code={code}")
            browser.wait_until(page, "window.haobanBoard && window.haobanBoard.loads > 0")
            shot(page, "display")
            for lang in ("zh", "en"):
                for name, ticket in (("waiting", waiting), ("called", called)):
                    page = browser.new_page(chromium, "phone")
                    page.goto(f"{served.url}/api/v1/public/tickets/{ticket.public_token}?lang={lang}")
                    browser.wait_until(page, "window.haobanPhone && window.haobanPhone.updates > 0")
                    shot(page, f"phone-{name}-{lang}")
                for name, answers in (("guide-question", {"who": "agent"}), ("guide-list", {"who": "agent", "why": "lost"})):
                    page = browser.new_page(chromium, "phone")  # the printed 一次告知 list's QR, one answer or both
                    page.goto(tell.link(served.url, guide, answers) + f"&lang={lang}")
                    shot(page, f"phone-{name}-{lang}", full=True)
                page = browser.new_page(chromium, "phone")  # a 一件事 bundle's list: one item's question answered
                page.goto(f"{served.url}{tell.PATH}/BD-01?a=married.yes&lang={lang}")
                shot(page, f"phone-guide-bundle-{lang}", full=True)
            page = browser.new_page(chromium, "dashboard")
            page.goto(f"{served.url}/dashboard")
            shot(page, "dashboard-sign-in")
            page.select_option("#site", "qp-centre")
            page.fill("#staff_no", supervisor["staff_no"])
            page.fill("#pin", "000000")  # a wrong PIN: the one answer of every failure
            page.click("#sign-in")
            page.wait_for_selector(".error")
            shot(page, "dashboard-sign-in-refused")
            page.select_option("#site", "qp-centre")
            page.fill("#staff_no", supervisor["staff_no"])
            page.fill("#pin", supervisor["pin"])
            page.click("#sign-in")
            page.wait_for_selector("#kpis")
            shot(page, "dashboard")
            shot(page, "dashboard-full", full=True)
            tokens = _cases(hall, f"qp-centre-{supervisor['staff_no']}")  # the next morning: sign in again
            page.goto(f"{served.url}/dashboard/sign-in")
            page.select_option("#site", "qp-centre")
            page.fill("#staff_no", supervisor["staff_no"])
            page.fill("#pin", supervisor["pin"])
            page.click("#sign-in")
            page.wait_for_selector("#kpis")
            for lang in ("zh", "en"):
                for name, token in tokens.items():
                    citizen = browser.new_page(chromium, "phone")
                    citizen.goto(f"{served.url}/c/{token}?lang={lang}")
                    shot(citizen, f"case-{name}-{lang}", full=True)
                page.goto(f"{served.url}/dashboard/cases{'?lang=en' if lang == 'en' else ''}")
                shot(page, f"dashboard-cases-{lang}", full=True)
                page.click("#worklist tbody tr:first-child a")
                page.wait_for_selector("#history")
                shot(page, f"dashboard-case-{lang}", full=True)
            handler = next(s for s in reference.demo_data()["sites"] if s["id"] == "qp-centre")["handlers"][0]
            page = browser.new_page(chromium, "dashboard")  # a department's handler, in a browser of her own
            page.goto(f"{served.url}/handler/sign-in")
            shot(page, "handler-sign-in")
            page.select_option("#site", "qp-centre")
            page.fill("#staff_no", handler["staff_no"])
            page.fill("#pin", handler["pin"])
            page.click("#sign-in")
            page.wait_for_selector("#case-kpis")
            for lang in ("zh", "en"):
                page.goto(f"{served.url}/handler{'?lang=en' if lang == 'en' else ''}")
                shot(page, f"handler-{lang}", full=True)
                page.click("#worklist tbody tr:last-child a")  # the one due later: her three forms and the contact
                page.wait_for_selector("#history")
                shot(page, f"handler-case-{lang}", full=True)
            for context in {id(p.context): p.context for p in pages}.values():
                context.close()
        engine.dispose()
    return made


def _cases(hall, supervisor_id: str) -> dict[str, str]:
    """A few cases of the morning through the hub's commands, read the next day: one closed, one overdue, one
    entered from 12345, one 差评 appealed. Returns the citizen page tokens of the overdue and the closed one."""
    import os
    from datetime import timedelta

    from common.usecases.casework import Desk

    hub, desk, item = hall.hub, Desk(site_id="qp-centre", clerk_id=supervisor_id), "qp-centre-YB-01"
    hub.contact_key = os.urandom(32)
    done = hub.open_case(hall.kiosk, source="kiosk", cause="materials", item_id=item, name="王小明", phone="13812345678",
                         text="窗口要求的材料和网上办事指南不一致").case
    hub.classify_case(desk, done.id, "general")
    hub.assign_case(desk, done.id, "区医保中心")
    hub.answer_case(desk, done.id, "done", "已统一办事指南与窗口材料清单，您可携身份证原件到 3 号窗口直接办理。")
    hub.follow_up_case(desk, done.id, True, True)
    late = hub.open_case(hall.kiosk, source="kiosk", cause="policy", item_id=item, text="外省参保记录无法转入").case
    hub.classify_case(desk, late.id, "immediate")
    hub.assign_case(desk, late.id, "区医保中心")
    hotline = hub.open_case(desk, source="hotline", cause="system", item_id=item, text="一网通办预约页面一直打不开",
                            name="李四光", phone="13900001111").case
    hub.classify_case(desk, hotline.id, "general")
    hub.assign_case(desk, hotline.id, "区医保中心")
    hall.clock.t += timedelta(hours=22)  # 08:30 the next day
    return {"overdue": late.public_token, "closed": done.public_token}


def main(argv: list[str]) -> int:
    for path in render(Path(argv[0] if argv else "screenshots")):
        print(path)
    return 0
