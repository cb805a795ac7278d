"""GuideDesk, the kiosk's 查询·办事指南 without Qt: the test world's hub on loopback, a real kiosk store. Its hits are the
kiosk's choices (a ticket is taken for them), the index follows the reference data and is built only when it changes,
any input is answered within bounds, a search that found nothing reaches the hub masked."""
from __future__ import annotations

import json

import pytest
from sqlalchemy import text

from common.devices.printer import dummy_printer
from common.stations.guide import SHOWN, GuideDesk
from common.stations.ticketing import KioskService
from common.sync.client import SyncClient
from common.sync.store import LocalStore
from common.sync.transport import HttpTransport, HubUnreachable
from common.usecases import reference
from tests.conftest import LiveHub
from tests.integration.http import Device
from tests.world import build


@pytest.fixture
def desk(sqlite_engine, tmp_path):
    world = build(sqlite_engine)
    with LiveHub(world.hub) as live:
        info = Device(live.url, world.codes["kiosk"]).info
        client = SyncClient(LocalStore(tmp_path / "kiosk.sqlite3"), HttpTransport(live.url, info["token"], timeout=15),
                            device_id=info["device_id"], site_id=info["site_id"], lease_size=5, clock=world.clock)
        client.sync_once()
        yield GuideDesk(KioskService(client, dummy_printer(), live.url)), world


def test_hits_are_the_kiosks_choices_and_a_ticket_is_taken_for_one(desk):
    guide, world = desk
    (first, *_), bundle = guide.search("事项A").choices, guide.search("yijianshi").choices[0]
    assert (first["id"], first["bundle"], first["department"], first["category"]) == (world.items["A"], False, "医保", "personal")
    assert (bundle["name"], bundle["bundle"], bundle["department"]) == ("一件事", True, "医保")
    page = guide.matter(first)
    assert (page["queue"], page["windows"]) == ("A · 队列A", [1, 2])  # the windows that call queue A
    ticket = guide.service.take_ticket(first)
    with world.hub.engine.connect() as conn:
        assert conn.execute(text("select item_id from tickets where number = :n"), {"n": ticket.number}).scalar() == world.items["A"]


def test_the_index_is_built_once_and_again_when_the_reference_changes(desk):
    guide, world = desk
    built = guide.index()
    assert "医保卡补领" not in [c["name"] for c in guide.search("ybk").choices] and guide.index() is built
    with world.hub.engine.begin() as conn:
        reference.create_item(conn, site_id="s1", code="YB-01", name="医保卡补领", department="医保", category="personal",
                              complexity="general", standard_minutes=8, queue_id=world.queues["A"])
    guide.service.client.refresh_reference()
    assert guide.search("ybk").choices[0]["name"] == "医保卡补领" and guide.index() is not built


@pytest.mark.parametrize("query", [None, 12, "", "   ", "x" * 100_000, "\x00\u200b😀", "'; drop table tickets; --",
                                   "事项" * 500, ["事项A"]])
def test_any_input_is_answered_within_bounds(desk, query):
    found = desk[0].search(query)
    assert len(found.choices) <= SHOWN and all(c["queue_id"] for c in found.choices)


def test_a_search_that_found_nothing_reaches_the_hub_masked_when_the_screen_is_left(desk):
    guide, world = desk
    assert guide.search("13812345678 zzqqxx").miss and guide.misses == 0
    assert guide.leave() and guide.misses == 1 and not guide.leave()  # once
    assert not guide.search("").miss and not guide.leave()  # an empty box is not a miss
    guide.search("zzqq")
    guide.search("事项A")  # typing on found it: nothing to report
    assert not guide.leave()
    guide.search("z")
    assert not guide.leave()  # one stray letter says nothing
    assert "13812345678" not in repr(vars(guide))  # nothing of the digits typed is kept
    guide.service.client.sync_once()
    with world.hub.engine.connect() as conn:
        kept = conn.execute(text("select data from events where kind = 'search_missed'")).scalars().all()
    assert [json.loads(d) if isinstance(d, str) else d for d in kept] == [{"text": "# zzqqxx"}]


def test_before_the_first_sync_there_is_nothing_to_search(tmp_path):
    client = SyncClient(LocalStore(tmp_path / "new.sqlite3"), HttpTransport("http://127.0.0.1:9", "", timeout=1),
                        device_id="d", site_id="s1")
    with pytest.raises(HubUnreachable):
        GuideDesk(KioskService(client, dummy_printer(), "http://127.0.0.1:9")).search("ybk")
