"""A hall with 上门办 requests for the pages' tests: s2 (renamed 张马村) is a village below the supervisor's site s1,
s3 a centre of its own; three requests made through the hub's commands on Thursday 26 Nov 2026, read on Sunday 29th."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select, update

from common.db.schema import AuditRow, EventRow, SiteRow
from common.guides.files import samples
from common.usecases import reference
from common.usecases.homework import HomeUser
from tests.web.conftest import SUPERVISOR

KEY = bytes(range(32))
BOSS = HomeUser(site_id="s1", clerk_id=f"s1-{SUPERVISOR[0]}", clerk_role="supervisor")
ELSEWHERE = HomeUser(site_id="s3", clerk_id="s3-S9", clerk_role="supervisor")
SLOTS = ["morning", "", "any", "", "", "", ""]
ZHANG = {"name": "张三明", "phone": "13812345678", "address": "青浦区朱家角镇张马村 12 号"}


@dataclass
class Visits:
    zhang: str  # 张马村 (s2), matter IA (its guide: the sample 医保卡补领, with questions)
    li: str  # s1 itself, matter IB (no guide)
    other: str  # s3's: another centre, not the supervisor's


def seed(hall) -> Visits:
    hub = hall.hub
    hub.contact_key = KEY
    with hub.engine.begin() as c:
        c.execute(update(SiteRow).where(SiteRow.id == "s2").values(parent_id="s1", name="张马村"))
        reference.create_site(c, id="s3", name="测试中心s3", level="community")
        q3 = reference.create_queue(c, site_id="s3", letter="A", name="队列A")
        reference.create_item(c, site_id="s3", code="IA", name="事项A", department="医保", category="personal",
                              complexity="general", standard_minutes=10, queue_id=q3)
        guide = next(g for g in samples() if g.item == "YB-01").model_copy(update={"item": "IA"})
        reference.publish_guides(c, (guide,), "王编辑", hall.clock.now())
    ask = {"slots": SLOTS, "reason": "certificate", "certificate_seen": True}
    zhang = hub.request_home_visit(BOSS, site_id="s2", item_id="s2-IA", **ZHANG, **ask).event.data["visit_id"]
    hall.clock.advance(hours=1)
    li = hub.request_home_visit(BOSS, site_id="s1", item_id=hall.items["B"], name="李四", phone="021-5921 0000",
                                address="朱家角镇新风路 88 弄 3 号 502 室", **ask).event.data["visit_id"]
    other = hub.request_home_visit(ELSEWHERE, site_id="s3", item_id="s3-IA", name="王五", phone="13900001111",
                                   address="别区某路 1 号", **ask).event.data["visit_id"]
    hall.clock.advance(days=3)
    return Visits(zhang, li, other)


def counts(hall) -> tuple[int, int]:
    """(events, audit entries): what a refused form must leave as it was."""
    with hall.hub.engine.connect() as conn:
        return (conn.execute(select(func.count()).select_from(EventRow)).scalar(),
                conn.execute(select(func.count()).select_from(AuditRow)).scalar())
