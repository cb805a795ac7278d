"""`./haoban screenshots [DIR]` (after the kiosk's): every terminal screen and form, and every rating screen,
in Chinese and English, as PNG files for review. A demo hub on loopback, a real desk (terminal + rating
screen) enrolled at window 1, and a terminal at window 12 (办不成事反映窗口) for the cases page and its forms;
offscreen, no display needed."""
from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def main(argv: list[str] | None = None) -> int:
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QDialog

    from common.domain.clock import OffsetClock
    from common.domain.model import Role
    from common.usecases import auth
    from devtools.harness import SITE, DemoHub, mid_morning
    from qtbase.app import application
    from terminal.desk import Desk

    out = Path((argv or sys.argv[1:] or ["screenshots"])[0]).resolve()
    out.mkdir(parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix="haoban-terminal-shots-"))
    app = application()
    clock = OffsetClock(mid_morning())  # the hall's clock, moved on by hand: waits near their limit, amber, red
    hub = DemoHub(folder, clock).start()  # the hub and the terminal move on together
    wid = f"{SITE}-w01"
    with hub.engine.begin() as conn:
        now = clock.now()
        codes = {r: auth.create_enrolment_code(conn, site_id=SITE, role=r, name="1号窗口", now=now, window_id=wid)
                 for r in (Role.terminal, Role.rating)}
        kiosk_code = auth.create_enrolment_code(conn, site_id=SITE, role=Role.kiosk, name="自助机", now=now)
        colleague_code = auth.create_enrolment_code(conn, site_id=SITE, role=Role.terminal, name="2号窗口", now=now,
                                                    window_id=f"{SITE}-w02")
        window3_code = auth.create_enrolment_code(conn, site_id=SITE, role=Role.terminal, name="3号窗口", now=now,
                                                  window_id=f"{SITE}-w03")
        cases_code = auth.create_enrolment_code(conn, site_id=SITE, role=Role.terminal, name="办不成事反映窗口", now=now,
                                                window_id=f"{SITE}-w12")
    desk = Desk(hub.url, folder / "terminal.sqlite3", codes[Role.terminal], rating_store=folder / "rating.sqlite3",
                rating_code=codes[Role.rating], clock=clock, lease_size=5)
    desk.show(app)
    desk.start()
    w, vm, pad = desk.window, desk.model, desk.pad
    page = w.serve_page
    made: list[Path] = []

    def settle(predicate=lambda: True, ms=5000):
        for _ in range(ms // 20):
            if predicate():
                break
            QTest.qWait(20)
        QTest.qWait(150)

    def shot(name: str, widget=None) -> None:
        lang = "en" if vm.language == "en" else "zh"
        path = out / f"terminal-{lang}-{name}.png"
        (widget or w).grab().save(str(path))
        made.append(path)

    def pad_shot(name: str) -> None:
        lang = "en" if pad.model.language == "en" else "zh"
        path = out / f"rating-{lang}-{name}.png"
        QTest.qWait(150)
        pad.view.grabWindow().save(str(path))
        made.append(path)

    def form(action: str, name: str, prepare=None, suffix: str = "") -> None:
        w.press(action)
        settle(lambda: w.findChild(QDialog, name) is not None)
        dialog = w.findChild(QDialog, name)
        if prepare:
            prepare(dialog)
        QTest.qWait(100)
        shot(f"form-{name}{suffix}", dialog)
        dialog.reject()
        QTest.qWait(50)

    def sign_in(lang: str, screenshot: str | None = None) -> None:
        for shell in (vm, pad.model):
            if shell.language != lang:
                shell.toggleLanguage()
        w.sign_in_page.staff_no.setText("QP0101")
        if screenshot:
            shot(screenshot)
        w.sign_in_page.pin.setText("372915")
        w.sign_in()

    from common.sync.transport import HttpTransport

    me = HttpTransport(hub.url, "").call("POST", "/enrol", json={"code": kiosk_code})
    kiosk = HttpTransport(hub.url, me["token"])
    items = [i["item_id"] for i in kiosk.call("GET", "/catalogue")["items"] if i["queue_id"] == f"{SITE}-A"]
    # window 2's clerk, who sends a citizen over to window 1 ("请到 1 号窗口")
    def clerk(code: str, staff_no: str, pin: str) -> HttpTransport:
        device = HttpTransport(hub.url, HttpTransport(hub.url, "").call("POST", "/enrol", json={"code": code})["token"])
        device.http.headers["X-Clerk-Token"] = device.call("POST", "/clerk/sign-in",
                                                           json={"staff_no": staff_no, "pin": pin})["clerk_token"]
        return device

    colleague = clerk(colleague_code, "QP0102", "840263")

    def pad_of_its_own(third: HttpTransport, lang: str) -> None:
        """Window 3's rating pad, in its own process as `./haoban rating` runs it, with its keyboard up."""
        import subprocess

        window = f"{SITE}-w03"
        with hub.engine.begin() as conn:  # each language's pad enrols once
            code = auth.create_enrolment_code(conn, site_id=SITE, role=Role.rating, name="3号窗口", now=clock.now(),
                                              window_id=window)
        proc = subprocess.Popen([sys.executable, "-m", "devtools.screenshots.keyboard", hub.url, code,
                                 str(folder / f"pad-{lang}.sqlite3"), str(out / f"rating-{lang[:2]}-6-keyboard.png"), lang],
                                stdout=subprocess.PIPE, text=True)
        try:
            assert proc.stdout.readline().strip() == "ready"
            kiosk.call("POST", "/tickets", json={"item_id": items[0]})
            for action in ("call-next", "start"):
                third.call("POST", f"/windows/{window}/{action}")
            third.call("POST", f"/windows/{window}/finish", json={"outcome": "completed"})
            proc.stdout.readline()
            assert proc.wait(60) == 0
        finally:
            proc.kill()
        made.append(out / f"rating-{lang[:2]}-6-keyboard.png")
    def cases_shots(code: str) -> None:
        """Window 12's cases page (one due soon, red), the register form and the answer form, in both languages."""
        reported = [("materials", "网上办事指南的材料清单和窗口要求不一致", "王小明", "13812345678"),
                    ("system", "社保系统无法提交，连续三天报错", None, None),
                    ("policy", "外省户籍能否在本区办理居住证续签，各窗口说法不同", "李红", "13900001111"),
                    ("attitude", None, None, None)]
        opened = [kiosk.call("POST", "/cases", json={"source": "kiosk", "cause": cause, "text": text, "name": name,
                                                     "phone": phone}) for cause, text, name, phone in reported]
        at12 = Desk(hub.url, folder / "cases.sqlite3", code, clock=clock)
        at12.show(app)
        at12.start()
        cw, cm = at12.window, at12.model
        try:
            settle(lambda: at12.client.status.online)
            for lang in ("zh_CN", "en"):
                if cm.language != lang:
                    cm.toggleLanguage()
                cw.sign_in_page.staff_no.setText("QP0112")
                cw.sign_in_page.pin.setText("328571")
                cw.sign_in()
                settle(lambda: cm.page == "cases" and cm.cases.loaded)
                if lang == "zh_CN":  # classified by the page's own calls: 即办 (due today: red), 一般, 复杂
                    for case, cls in zip(opened, ("immediate", "general", "complex"), strict=False):
                        cm.service.case_step(case["case_id"], "classify", {"case_class": cls})
                    cm.service.case_step(opened[1]["case_id"], "assign", {"department": "区人社局"})
                    cm.cases.reload()
                settle(lambda: len(cm.cases.rows) >= 4 and cm.cases.rows[0][1])
                first = cm.cases.ids.index(opened[0]["case_id"])  # the 即办 one, due today: its answer asks a legal reason
                cw.cases_page.table.setCurrentCell(first, 0)
                settle(lambda: (cm.cases.case or {}).get("case_id") == opened[0]["case_id"])
                lang2 = "en" if lang == "en" else "zh"
                for name, grab in (("9-cases", None), ("form-registerDialog", "case_register"),
                                   ("form-answerDialog", "case_answer")):
                    if grab:
                        cm.press(grab)
                        settle(lambda: cw.findChild(QDialog, name[5:]) is not None)  # noqa: B023 - called at once
                        dialog = cw.findChild(QDialog, name[5:])
                        if grab == "case_register":
                            dialog.cause.setCurrentRow(2)
                            dialog.text.setPlainText(reported[0][1])
                        else:
                            dialog.answer.setCurrentRow(2)
                            dialog.text.setPlainText("该事项须由市级部门审批，本中心无权办理")
                            dialog.confirm()  # without the legal reason: the hub's refusal, in both languages
                            settle(lambda: "\n" in dialog.error.text())  # noqa: B023
                    path = out / f"terminal-{lang2}-{name}.png"
                    (dialog if grab else cw).grab().save(str(path))
                    made.append(path)
                    if grab:
                        dialog.reject()
                        QTest.qWait(50)
                cm.sign_out()
                settle(lambda: cw.pages.currentIndex() == 0)
        finally:
            at12.close()

    try:
        settle(lambda: desk.client.status.online and pad.client.status.online)
        for lang in ("zh_CN", "en"):
            sign_in(lang, "1-sign-in")
            settle(lambda: w.pages.currentIndex() == 1 and vm.loaded is not None)
            shot("2-idle")
            pad_shot("1-idle")
            for n in range(6):
                kiosk.call("POST", "/tickets", json={"item_id": items[n % len(items)]})
            clock.offset += 9 * 60  # the first tickets are close to their 10-minute wait limit
            settle(lambda: page.queue.count() >= 6)
            colleague.call("POST", f"/windows/{SITE}-w02/call-next")
            colleague.call("POST", f"/windows/{SITE}-w02/transfer", json={"to_window_id": wid})
            mark = vm.t("for_me").strip()
            settle(lambda: any(mark in page.queue.item(i).text() for i in range(page.queue.count())))  # noqa: B023 - called at once
            shot("2b-transferred-here")
            vm.call_next()
            settle(lambda: (vm.loaded["window"]["current"] or {}).get("number") == vm.current)
            shot("3-called")
            vm.start()
            settle(lambda: (vm.loaded["window"]["current"] or {}).get("started_at"))
            clock.offset += 17 * 60  # 17 of 20 minutes
            settle(lambda: page.service_timer.property("colour") == "amber")
            shot("4-serving-amber")
            clock.offset += 4 * 60
            settle(lambda: page.service_timer.property("colour") == "red")
            shot("5-serving-red")
            form("finish", "finishDialog", lambda d: d.outcome.setCurrentRow(2), "-missing")
            form("finish", "finishDialog", lambda d: d.outcome.setCurrentRow(4), "-rejected")
            form("transfer", "transferDialog")
            vm.finish("completed")
            settle(lambda: pad.model.view["screen"] == "rate" and vm.loaded["window"]["current"] is None)
            shot("6-finished")
            pad_shot("2-faces")
            pad.model.rate(2)
            pad.model.toggleReason("wait")
            pad_shot("3-why")
            pad.model.submitReason()
            settle(lambda: pad.model.view["screen"] == "thanks")
            pad_shot("4-thanks")
            form("call", "callDialog")
            form("pause", "pauseDialog")
            vm.pause("meal")
            settle(lambda: vm.loaded["window"]["paused"])
            shot("7-paused")
            vm.resume()
            settle(lambda: not vm.loaded["window"]["paused"])
            vm.sign_out()
            settle(lambda: w.pages.currentIndex() == 0)
        # three events the hub refuses (a pause of window 2, not this terminal's): set aside, and said so
        from common.domain import events as ev

        for _ in range(3):
            desk.client.record(ev.WINDOW_PAUSED, {"window_id": f"{SITE}-w02", "reason": None}, vm.service.clerk_id)
        desk.client.sync_once(leases=False)
        for lang in ("zh_CN", "en"):
            sign_in(lang)
            settle(lambda: w.pages.currentIndex() == 1 and page.set_aside_hint.isVisible())
            shot("7a-set-aside")
            vm.sign_out()
            settle(lambda: w.pages.currentIndex() == 0)
        cases_shots(cases_code)
        third = clerk(window3_code, "QP0103", "519607")
        for lang in ("zh_CN", "en"):
            pad_of_its_own(third, lang)
        hub.stop()  # the hub goes away: manual mode, the badge, a walk-in and its rating kept here
        for lang in ("en", "zh_CN"):
            sign_in(lang)
            settle(lambda: w.pages.currentIndex() == 1 and not vm.online)
            form("walk_in", "walkInDialog")
            vm.walk_in(items[0], "completed")
            settle(lambda: pad.model.view.get("screen") == "rate")
            shot("8-offline")
            pad.model.rate(5)
            settle(lambda: pad.model.view.get("kept_offline"))
            pad_shot("5-thanks-offline")
            vm.walk_in(items[0], "rejected", "材料不符合法定形式")  # refused in manual mode: F11 registers it here
            settle(lambda: page.register_rejection.isVisible())
            vm.register_case({"source": "rejection", "cause": "materials", "phone": "13812345678",
                              "ticket_id": vm.rejected["ticket_id"], "item_id": vm.rejected["item_id"]})
            settle(lambda: vm.rejected is None)
            shot("8b-offline-case")
            vm.sign_out()
            settle(lambda: w.pages.currentIndex() == 0)
    finally:
        desk.close()
        hub.stop()
    print(f"{len(made)} terminal and rating screenshots in {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
