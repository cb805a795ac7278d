"""A district centre and a village point it serves, for the 视频帮办 tests: sites, a matter, a desk and village staff."""
from __future__ import annotations

from common.usecases import reference
from tests.world import PIN

DISTRICT, VILLAGE, OTHER = "vd", "vv", "vx"
DESK, VILLAGER, OTHER_DESK = ("D1", "帮办甲"), ("V1", "村居甲"), ("X1", "他区乙")


def build(engine) -> str:
    """The sites and clerks on `engine`; the matter's id."""
    with engine.begin() as c:
        reference.create_site(c, id=DISTRICT, name="青浦区行政服务中心", level="district")
        reference.create_site(c, id=VILLAGE, name="金泽镇蔡浜村", level="village", parent_id=DISTRICT)
        reference.create_site(c, id=OTHER, name="松江区行政服务中心", level="district")
        q = reference.create_queue(c, site_id=VILLAGE, letter="A", name="综合")
        item = reference.create_item(c, site_id=VILLAGE, code="YB-01", name="医保卡补领", department="医保",
                                     category="personal", complexity="general", standard_minutes=8, queue_id=q, name_en="Replacing a medical insurance card")
        reference.create_clerk(c, site_id=DISTRICT, staff_no=DESK[0], name=DESK[1], pin=PIN)
        reference.create_clerk(c, site_id=VILLAGE, staff_no=VILLAGER[0], name=VILLAGER[1], pin=PIN)
        reference.create_clerk(c, site_id=OTHER, staff_no=OTHER_DESK[0], name=OTHER_DESK[1], pin=PIN)
    return item


def sign_in(page, url: str, site: str, staff_no: str, lang: str = "") -> None:
    page.goto(f"{url}/video/sign-in")
    page.select_option("#site", site)
    page.fill("#staff_no", staff_no)
    page.fill("#pin", PIN)
    page.click("#sign-in")
    page.wait_for_load_state()
    if lang:
        page.goto(page.url.split("?")[0] + f"?lang={lang}")
