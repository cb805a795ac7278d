"""The set-up screen (qtbase/setup.py) on a real Qt Quick window, tapped and typed into, against a district hub on
loopback (the test world: site s2 is the village): a village laptop set up in one go (a printer device file found, a
test page printed into it, a test scan typed by a keyboard-wedge scanner), whose kiosk then takes a ticket at the
laptop's own hub that reaches the district; a kiosk joining a hub, where a code for another role is refused and
stays unspent; a hub that is down, a bad address and a missing code said plainly, nothing written."""
from __future__ import annotations

import tomllib

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from sqlalchemy import select

from common.db import repo
from common.db.schema import ServiceItemRow
from common.devices.printer import TEST_QR
from common.domain import events as ev
from common.domain.clock import OffsetClock
from common.domain.errors import HaobanError
from common.domain.model import Role
from common.sync.store import LocalStore
from common.usecases import auth, setup, upstream
from common.usecases.hub import Hub
from devtools.loopback import free_port
from kiosk import settings as kiosk_settings
from qtbase.app import dispose_view
from qtbase.probes import centre, find_item, type_keys, wait_for
from qtbase.setup import SetupModel, hub_engine, setup_view
from terminal import settings as terminal_settings
from tests.conftest import LiveHub
from tests.integration.http import Device


class Screen:
    def __init__(self, model: SetupModel) -> None:
        self.model = model
        self.view = setup_view(model)
        self.view.show()
        assert QTest.qWaitForWindowExposed(self.view)

    def tap(self, name: str) -> None:
        QTest.mouseClick(self.view, Qt.LeftButton, Qt.NoModifier, centre(find_item(self.view, name)))

    def type_into(self, name: str, text: str) -> None:
        self.tap(name)
        find_item(self.view, name).setProperty("text", "")
        type_keys(self.view, text)

    def hub(self, url: str, code: str) -> None:
        self.type_into("hubUrlInput", url)
        self.type_into("hubCodeInput", code)
        self.tap("next")

    def step(self) -> str:
        return self.model.view["step"]

    def wait_step(self, step: str) -> None:
        wait_for(lambda: self.step() == step, timeout=60, what=lambda: self.model.view)


@pytest.fixture
def screens():
    made: list[Screen] = []

    def make(*args, **kw) -> Screen:
        made.append(Screen(SetupModel(*args, **kw)))
        return made[-1]

    yield make
    for s in made:
        dispose_view(s.view)


def hub_code(world, site: str = "s2", role: Role = Role.hub) -> str:
    with world.hub.engine.begin() as c:
        return auth.create_enrolment_code(c, site_id=site, role=role, name="设置测试", now=world.clock.now())


def test_a_village_laptop_set_up_on_the_screen_takes_a_ticket_that_reaches_the_district(hall, screens, tmp_path):
    world, live = hall
    dev, conf, data = tmp_path / "dev", tmp_path / "conf", tmp_path / "data"
    (dev / "usb").mkdir(parents=True)
    (dev / "usb" / "lp0").touch()  # the usblp driver's device file of a receipt printer
    local = f"http://127.0.0.1:{free_port()}"
    s = screens(("village", "kiosk"), conf, data, now=world.clock.now, dev=str(dev), local_url=local)
    assert s.step() == "kind"
    s.tap("kind_village")
    s.hub(live.url, "not-a-code")
    assert s.step() == "devices"
    s.tap("finish")
    s.wait_step("hub")
    assert "登记码无效" in s.model.view["error"]
    assert not conf.exists() or not list(conf.iterdir())  # refused by the district: nothing written

    s.hub(live.url, hub_code(world))
    assert s.model.view["printer"] == f"file:{dev}/usb/lp0"  # the printer found is chosen over the simulator
    s.tap("testPrint")
    wait_for(lambda: s.model.view["print_result"], timeout=30)
    assert s.model.view["print_ok"], s.model.view["print_result"]
    printed = (dev / "usb" / "lp0").read_bytes()
    assert "好办 打印测试".encode("gb18030") in printed and TEST_QR.encode() in printed and printed.endswith(b"\x1dV\x00")  # cut
    s.tap("testScan")
    assert s.model.view["scanning"]
    type_keys(s.view, TEST_QR + "\r")
    assert s.model.view["scan_ok"] and TEST_QR in s.model.view["scan_result"]
    s.tap("finish")
    s.wait_step("done")
    done = s.model.view["done"]
    assert done["site_id"] == "s2" and done["again"] is False and done["site_name"] != "s2"

    hub_toml = tomllib.loads((conf / "hub.toml").read_text())["hub"]
    assert hub_toml == {"data_dir": str(data), "upstream": live.url}
    kiosk = kiosk_settings.load(conf / "kiosk.toml")
    assert (kiosk.hub_url, kiosk.printer, kiosk.scanner) == (local, f"file:{dev}/usb/lp0", "wedge")
    terminal = tomllib.loads((conf / "terminal.toml").read_text())["terminal"]
    assert terminal["hub_url"] == local and terminal["enrolment_code"]
    assert "rating_store" not in terminal and "rating_enrolment_code" not in terminal  # one screen: no rating screen

    # the laptop's hub (as `haoban serve --config hub.toml` runs it): its kiosk enrols with the code written for it
    engine = hub_engine(data)
    with engine.connect() as c:
        item = c.execute(select(ServiceItemRow.id).where(ServiceItemRow.site_id == "s2")).scalars().first()
    with LiveHub(Hub(engine, OffsetClock(world.clock)), port=int(local.rpartition(":")[2])):
        ticket = Device(local, kiosk.enrolment_code).post("/tickets", json={"item_id": item})
        assert ticket.status_code == 201, ticket.text
    assert upstream.UpstreamLink(engine).push() >= 1
    with world.hub.engine.connect() as c:
        issued = [x for x in repo.events_after(c, "s2", 0, 1000) if x.kind == ev.TICKET_ISSUED]
    assert [x.ticket_id for x in issued] == [ticket.json()["ticket"]["ticket_id"]]


def test_a_village_laptop_with_a_second_monitor_gets_its_rating_screen_written(hall, screens, tmp_path):
    world, live = hall
    conf, data = tmp_path / "conf", tmp_path / "data"
    s = screens(("village", "kiosk"), conf, data, now=world.clock.now, dev=str(tmp_path / "nodev"), screens=2)
    s.tap("kind_village")
    s.hub(live.url, hub_code(world))
    assert s.model.view["rating"] == "screen"  # a second monitor: the rating screen is chosen first
    s.tap("rating_none")
    assert s.model.view["rating"] == "none"
    s.tap("rating_screen")
    s.tap("finish")
    s.wait_step("done")
    terminal = terminal_settings.load(conf / "terminal.toml")
    assert terminal.rating_store == data / "rating.sqlite3" and not terminal.rating_mouse
    engine = hub_engine(data)
    with engine.begin() as c:  # the code written is one the laptop's hub takes for a rating screen, and only for it
        with pytest.raises(HaobanError):
            auth.enrol(c, terminal.rating_enrolment_code, world.clock.now(), Role.kiosk)
        auth.enrol(c, terminal.rating_enrolment_code, world.clock.now(), Role.rating)
    LocalStore(data / "rating.sqlite3").put("me", {"device_id": "d", "site_id": "s2"})  # as the rating screen keeps it

    s.tap("start")  # set up again: the rating screen enrolled keeps its store and needs no new code
    s2 = screens(("village", "kiosk"), conf, data, now=world.clock.now, dev=str(tmp_path / "nodev"), screens=2)
    s2.tap("kind_village")
    s2.hub(live.url, "unused")
    s2.tap("finish")
    s2.wait_step("done")
    again = terminal_settings.load(conf / "terminal.toml")
    assert s2.model.view["done"]["again"] and again.rating_store == data / "rating.sqlite3"
    assert again.rating_enrolment_code == ""


def test_a_kiosk_joins_a_hub_and_a_code_for_another_role_stays_unspent(hall, screens, tmp_path):
    world, live = hall
    conf, data = tmp_path / "conf", tmp_path / "data"
    s = screens(("village", "kiosk"), conf, data, now=world.clock.now, dev=str(tmp_path / "nodev"))
    s.tap("kind_kiosk")
    terminal_code = world.codes.pop("terminal2")
    s.hub(live.url, terminal_code)
    assert s.model.view["printer"] == "dummy" and "没有找到打印机" in s.model.view["printers_found"]
    s.tap("testPrint")
    wait_for(lambda: s.model.view["print_result"], timeout=30)
    assert "模拟" in s.model.view["print_result"]
    s.tap("finish")
    s.wait_step("hub")
    assert "登记码无效" in s.model.view["error"] and not (conf / "kiosk.toml").exists()
    assert Device(live.url, terminal_code).info["role"] == "terminal"  # refused for a kiosk, so still unspent

    s.hub(live.url, world.codes.pop("kiosk"))
    s.tap("finish")
    s.wait_step("done")
    text = (conf / "kiosk.toml").read_text()
    kiosk = kiosk_settings.load(conf / "kiosk.toml")
    assert kiosk.hub_url == live.url and "enrolment_code" not in text  # enrolled at once: its token is in the store
    me = LocalStore(kiosk.store).get("me")
    assert me["role"] == "kiosk" and me["site_id"] == "s1"
    assert Device(live.url, token=me["token"]).get("/queue").status_code == 200

    again = screens(("village", "kiosk"), conf, data, now=world.clock.now, dev=str(tmp_path / "nodev"))
    again.tap("kind_kiosk")
    again.hub(live.url, "used-before")  # enrolled here already: the code is not spent again
    again.tap("finish")
    again.wait_step("done")
    assert again.model.view["done"]["again"] is True and LocalStore(kiosk.store).get("me") == me


def test_a_counter_pc_is_told_plainly_what_is_wrong_and_nothing_is_written(hall, screens, tmp_path):
    world, live = hall
    conf, data = tmp_path / "conf", tmp_path / "data"
    s = screens(("terminal",), conf, data, now=world.clock.now, scan_seconds=0.3)
    assert s.step() == "hub"  # one kind only: no question
    s.hub("", "x")
    assert s.model.view["error"] == "请填写服务端地址"
    s.hub("192.168.1.10:8300", "abcd")
    assert "http://" in s.model.view["error"] and s.step() == "hub"
    s.hub(live.url, "")
    assert s.model.view["error"] == "请填写登记码"
    down = f"http://127.0.0.1:{free_port()}"
    s.hub(down, "abcdefgh")
    s.wait_step("hub")
    wait_for(lambda: s.model.view["error"], timeout=30)
    assert "连不上服务端" in s.model.view["error"] and down in s.model.view["error"]
    s.model.setLanguage("en")
    s.hub(down, "abcdefgh")
    wait_for(lambda: "cannot be reached" in s.model.view["error"], timeout=30)
    assert not conf.exists() and not (data / "terminal.sqlite3").exists()

    s.hub(live.url, world.codes.pop("terminal1"))
    s.wait_step("done")
    written = tomllib.loads((conf / "terminal.toml").read_text())["terminal"]
    assert written == {"hub_url": live.url, "store": str(data / "terminal.sqlite3")}
    assert LocalStore(data / "terminal.sqlite3").get("me")["window_id"]  # the code was for window 1
    assert s.model.view["done"]["window"] == {"number": 1, "name": "1号窗口"}  # as the hub lists it
    assert find_item(s.view, "doneWindow").property("text") == "This counter: window 1 (1号窗口)"


def test_a_counter_pc_whose_code_names_no_window_says_the_clerk_chooses_it(hall, screens, tmp_path):
    world, live = hall
    s = screens(("terminal",), tmp_path / "conf", tmp_path / "data", now=world.clock.now)
    s.hub(live.url, hub_code(world, "s1", Role.terminal))
    s.wait_step("done")
    assert s.model.view["done"]["window"] is None
    assert find_item(s.view, "doneWindow").property("text") == "本机窗口：工作人员登录时选择"
    assert LocalStore(tmp_path / "data" / "terminal.sqlite3").get("me")["window_id"] is None


def test_a_window_named_by_the_code_but_not_read_from_a_silent_hub_is_said_so(screens, tmp_path):
    down = f"http://127.0.0.1:{free_port()}"
    assert setup._window(down, {"window_id": "w1", "token": "t"}) == {}  # the hub fell silent after the enrolment
    assert setup._window(down, {"window_id": None, "token": "t"}) is None  # no request: the clerk chooses
    s = screens(("terminal",), tmp_path / "conf", tmp_path / "data", now=lambda: None)
    assert s.model._window_text({"window": {}}) == "本机窗口：已由登记码指定，连上服务端后在叫号界面显示"
    assert s.model._window_text({"site_id": "s1"}) == ""  # a kiosk or village laptop: no line


def test_a_test_scan_that_reads_nothing_says_so_and_slow_typing_is_not_a_scan(hall, screens, tmp_path):
    world, live = hall
    s = screens(("kiosk",), tmp_path / "conf", tmp_path / "data", now=world.clock.now, dev=str(tmp_path),
                scan_seconds=0.5)
    s.hub(live.url, "abcdefgh")
    s.tap("testScan")
    for ch in TEST_QR:  # a person at the keyboard: far slower than a scanner's keys
        type_keys(s.view, ch)
        QTest.qWait(120)
    type_keys(s.view, "\r")
    wait_for(lambda: not s.model.view["scanning"], timeout=10)
    assert not s.model.view["scan_ok"] and "没有读到" in s.model.view["scan_result"]
    s.tap("back")
    assert s.step() == "hub" and s.model.view["hub_url"] == live.url  # back keeps what was typed
