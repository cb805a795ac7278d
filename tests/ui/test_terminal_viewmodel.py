"""The clerk terminal's view-model without a single widget, against a real hub on loopback with a clock the
test moves: sign-in, the board following the hub's event stream, call / start / finish and the timer's colours,
forms asked for by the keys, refusals in both languages, and manual mode when the hub is cut."""
from __future__ import annotations

import pytest
from PySide6.QtWidgets import QWidget
from sqlalchemy import text

from common.domain import events as ev
from common.stations.counter import TerminalService
from common.sync.client import SyncClient
from common.sync.store import LocalStore
from common.sync.transport import HttpTransport
from qtbase.app import delete_now
from qtbase.probes import wait_for
from terminal.viewmodel import TerminalModel
from tests.world import PIN


class Terminal:
    """Window 1's terminal as its desk builds it (local store, sync client, service), minus the widgets."""

    def __init__(self, world, live, tmp_path):
        self.world, self.live = world, live
        local = LocalStore(tmp_path / "t.sqlite3")
        me = local.identity(live.url, world.codes.pop("terminal1"))
        self.client = SyncClient(local, HttpTransport(live.url, me["token"], timeout=3), device_id=me["device_id"],
                                 site_id=me["site_id"], lease_size=5)
        # the clerk's commands wait as long as the terminal's own transport does (10 s): a loaded CI machine can take
        # more than 3 s to answer a sign-in; a cut hub refuses the connection at once, whatever the time-out
        service = TerminalService(HttpTransport(live.url, me["token"], timeout=10), me["window_id"], world.clock,
                                  client=self.client)
        self.walk_ins, self.forms, self.changes = [], [], 0
        self.vm = TerminalModel(service, on_walk_in=self.walk_ins.append)
        self.vm.formWanted.connect(self.forms.append)
        self.vm.changed.connect(self._changed)
        self.vm.follow(live.url, me["token"], me["device_id"])
        self.kiosk = world.actor("kiosk")

    def _changed(self):
        self.changes += 1

    def issue(self, letter="A"):
        return self.world.hub.issue_ticket(self.kiosk, item_id=self.world.items[letter]).ticket

    def status(self, ticket_id):
        with self.world.hub.engine.connect() as conn:
            return conn.execute(text("select status from tickets where id = :i"), {"i": ticket_id}).scalar()

    def signed_in(self):
        self.vm.sign_in("C1", PIN)
        state = lambda: (f"signed_in={self.vm.signed_in} error={self.vm.sign_in_error!r} online={self.vm.online} "  # noqa: E731
                         f"figures_error={self.vm.figures_error!r}")
        wait_for(lambda: self.vm.signed_in and self.vm.loaded is not None, timeout=30, what=state)
        wait_for(lambda: self.vm.figures != "", timeout=30, what=state)


@pytest.fixture
def terminal(hall, tmp_path):
    world, live = hall
    t = Terminal(world, live, tmp_path)
    yield t
    t.vm.close()
    delete_now(t.vm)


def test_no_widget_is_made(terminal):
    import ast
    import inspect

    from terminal import cases, viewmodel, warning

    parts = {"terminal.cases", "terminal.warning"}  # the cases page's and the banner's models: no widgets either
    for module in (viewmodel, cases, warning):
        tree = ast.parse(inspect.getsource(module))
        imported = {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
        assert not {m for m in imported if "Widgets" in m or m.startswith("terminal.") and m not in parts}, imported
    assert not isinstance(terminal.vm, QWidget) and terminal.vm.findChildren(QWidget) == []
    assert terminal.vm.current == "—" and terminal.vm.badge == "● 在线" and not terminal.vm.signed_in


def test_sign_in_call_start_finish_with_the_timer_and_figures(terminal):
    t, vm = terminal, terminal.vm
    vm.sign_in("C1", "000000")
    wait_for(lambda: vm.sign_in_error != "")
    zh, en = vm.sign_in_error.split("\n")  # both languages at once: the clerk may read either
    assert "工号或密码不正确" in zh and en.isascii() and en and not vm.signed_in
    vm.press("call-next")  # not signed in: the keys do nothing
    t.signed_in()
    assert vm.sign_in_error == "" and vm.clerk == "工作人员1 · 1号窗口" and vm.service_timer == "空闲 · 按 F1 叫号"
    assert vm.figures.startswith("今日：已办 0 件")
    first, second = t.issue(), t.issue("B")  # issued at the kiosk: the stream brings them
    wait_for(lambda: len(vm.rows) == 2)
    assert vm.rows[0][0].startswith(first.number) and "队列B" in vm.rows[1][0] and vm.rows[0][1] is False
    before = t.changes
    vm.press("call-next")
    wait_for(lambda: vm.current == first.number and vm.service_timer == "已叫号，等候办事人到窗口")
    assert t.changes > before and t.status(first.id) == "called"
    wait_for(lambda: len(vm.rows) == 1)
    vm.start()
    wait_for(lambda: vm.service_timer.startswith("办理 00:") and vm.service_timer.endswith("/ 20 分钟"))
    assert vm.colour == "normal"
    t.world.clock.advance(minutes=17)  # 85 % of 20 minutes: the local tick shows it, no reload
    wait_for(lambda: vm.colour == "amber")
    assert vm.service_timer.startswith("办理 17:")
    t.world.clock.advance(minutes=4)
    wait_for(lambda: vm.colour == "red")
    vm.press("finish")  # the form first: nothing is sent yet
    assert t.forms == ["finish"] and t.status(first.id) == "serving"
    vm.finish("rejected", reason="不属于本中心受理范围")
    wait_for(lambda: t.status(first.id) == "finished" and vm.current == "—",
             what=lambda: (t.status(first.id), vm.current, vm.message))
    assert "办不成事" in vm.message and not vm.message_error
    wait_for(lambda: "已办 1 件" in vm.figures and vm.colour == "normal" and vm.service_timer == "空闲 · 按 F1 叫号")
    vm.toggleLanguage()
    assert vm.service_timer == "Free · press F1 to call" and vm.figures.startswith("Today: 1 served")
    assert vm.badge == "● Online" and vm.rows[0][0].startswith(second.number) and "waited" in vm.rows[0][0]


def test_refusals_say_why_in_the_clerks_language(terminal):
    t, vm = terminal, terminal.vm
    t.signed_in()
    vm.press("call-next")  # nobody waits
    wait_for(lambda: vm.refusal is not None)
    zh, en = vm.refusal
    assert vm.message == zh and vm.message_error and zh != en and "等候" in zh and "waiting" in en
    vm.toggleLanguage()
    vm.say("")
    vm.call_next()
    wait_for(lambda: vm.message != "")
    assert vm.message == en and vm.message_error and vm.current == "—"
    vm.toggleLanguage()
    vm.press("walk_in")  # the hub is there: no manual mode
    vm.loaded = None  # as just after sign-in, before the first load of the board has come back
    vm.press("transfer")
    assert t.forms == [] and "正在载入" in vm.message and vm.message_error
    wait_for(lambda: vm.loaded is not None)  # it asked for the load itself
    ticket = t.issue()
    wait_for(lambda: len(vm.rows) == 1)
    vm.press("call")
    assert t.forms == ["call"] and [n.split()[0] for _, n in vm.waiting_tickets()] == [ticket.number]
    vm.call(vm.waiting_tickets()[0][0], vm.call_reasons[0])
    wait_for(lambda: vm.current == ticket.number and vm.message == "" and vm.refusal is None)
    vm.press("pause")
    assert t.forms[-1] == "pause" and vm.pause_reasons()[1] == ("meeting", "开会")
    vm.pause("meeting")  # with somebody at the window: refused
    wait_for(lambda: vm.refusal is not None)
    assert vm.message == vm.refusal[0] and t.status(ticket.id) == "called"
    vm.skip()  # not recalled yet: refused too
    wait_for(lambda: vm.refusal is not None and "重呼" in vm.message)
    vm.recall()
    wait_for(lambda: vm.refusal is None)
    vm.skip()
    wait_for(lambda: t.status(ticket.id) == "no_show" and vm.current == "—")
    vm.pause("meeting")
    wait_for(lambda: vm.service_timer == "暂停服务（开会） · 按 F9 恢复")
    vm.resume()
    wait_for(lambda: vm.service_timer == "空闲 · 按 F1 叫号")


def test_figures_that_failed_to_load_are_asked_again(terminal):
    """A first load of today's figures that fails (a hub slow to answer) does not leave the clerk's line empty."""
    from common.sync.transport import HubUnreachable

    t, vm = terminal, terminal.vm
    real, calls = vm.service.figures, []

    def flaky():
        calls.append(1)
        if len(calls) == 1:
            raise HubUnreachable("read timed out")
        return real()

    vm.service.figures = flaky
    t.signed_in()
    assert len(calls) >= 2 and vm.figures_error is None and "0" in vm.figures


def test_the_hub_cut_switches_to_manual_mode_and_back(terminal):
    t, vm = terminal, terminal.vm
    t.signed_in()
    t.client.sync_once()  # the reference data and number leases manual mode needs
    assert t.client.numbers_left("A") > 0 and len(vm.manual_items()) == 2
    t.live.stop(cut=True)
    wait_for(lambda: not vm.online)
    assert vm.badge == "● 离线 · 人工模式" and "F10" in vm.offline_hint and "0 条" in vm.offline_hint
    vm.call_next()  # the hub is away: refused, and said so
    wait_for(lambda: vm.refusal is not None)
    assert "连不上" in vm.message and vm.message_error
    vm.press("walk_in")
    assert t.forms == ["walk_in"]
    vm.walk_in(vm.manual_items()[0]["id"], "rejected")  # a rejection needs a reason
    wait_for(lambda: "原因" in vm.message)
    assert t.walk_ins == []
    vm.walk_in(vm.manual_items()[0]["id"], "completed")
    wait_for(lambda: "已登记" in vm.message)
    number = t.walk_ins[0]["number"]
    assert number.startswith("A") and number in vm.message and not vm.message_error
    assert t.client.store.backlog() == 4 and "4 条" in vm.offline_hint  # issued, called, started, finished
    t.live.start()
    wait_for(lambda: vm.online, timeout=30)
    assert vm.badge == "● 在线"
    t.client.sync_once()
    wait_for(lambda: t.client.store.backlog() == 0)
    with t.world.hub.engine.connect() as conn:
        row = conn.execute(text("select status, outcome, window_id from tickets where number = :n"), {"n": number}).one()
    assert tuple(row) == ("finished", "completed", t.world.windows[1])


def test_events_the_hub_refused_are_counted_in_both_languages(terminal):
    """A refused event is set aside by the sync (docs/sync.md): the clerk is told how many, to tell the administrator."""
    t, vm = terminal, terminal.vm
    t.signed_in()
    assert vm.set_aside_hint == ""
    other = t.world.windows[2]
    t.client.record(ev.WINDOW_PAUSED, {"window_id": other, "reason": None}, vm.service.clerk_id)  # not its window
    t.client.sync_once(leases=False)
    assert t.client.status.set_aside == 1
    wait_for(lambda: vm.set_aside_hint != "")
    assert vm.set_aside_hint == "有 1 条记录未被服务端接受，请联系管理员"
    for _ in range(2):
        t.client.record(ev.WINDOW_PAUSED, {"window_id": other, "reason": None}, vm.service.clerk_id)
    t.client.sync_once(leases=False)
    wait_for(lambda: "3" in vm.set_aside_hint)
    assert vm.set_aside_hint == "有 3 条记录未被服务端接受，请联系管理员"
    vm.toggleLanguage()
    assert vm.set_aside_hint == "3 records were refused by the hub; please tell the administrator"
