"""The live warning on the dashboard over real HTTP: tickets waiting at a queue nobody calls yet are foretold to
pass their limit, with a window that may serve the queue; a queue called in time is not."""
from __future__ import annotations

import requests

from common.usecases import reference
from tests.conftest import LiveHub
from tests.integration.http import Device, post_form, terminal
from tests.world import PIN


def test_the_dashboard_warns_before_a_queue_passes_its_limit(world):
    with world.hub.engine.begin() as c:
        reference.create_clerk(c, site_id="s1", staff_no="S1", name="主管甲", pin=PIN, role="supervisor")
    with LiveHub(world.hub) as live:
        http = requests.Session()
        assert post_form(http, live.url, "/dashboard/sign-in", "/dashboard/sign-in",
                         {"site": "s1", "staff_no": "S1", "pin": PIN}, allow_redirects=False).status_code == 303
        kiosk = Device(live.url, world.codes.pop("kiosk"))
        for letter in "AAAAC":
            assert kiosk.post("/tickets", json={"item_id": world.items[letter]}).status_code == 201
        t2 = terminal(live, world, 2)
        terminal(live, world, 4)  # C's window is open too (a window nobody is signed in at serves nobody)
        world.clock.advance(minutes=4)
        world.clock.advance(minutes=2)  # 6 minutes waited, no call yet: A has window 2 open, a ticket per 10 min
        got = http.get(f"{live.url}/dashboard/data", timeout=30).json()["warnings"]
        assert [w["letter"] for w in got] == ["A"]  # C's limit is 30 minutes: in time
        a = got[0]
        assert a["minutes"] == 4 and a["horizon"] == 15 and a["window_number"] == 2 and a["tickets"] >= 1
        page = http.get(f"{live.url}/dashboard", timeout=30).text
        assert 'id="warnings"' in page and "预计 4 分钟后超时" in page and "号窗口可协助" in page
        for _ in range(4):  # window 2 calls every A ticket: nobody left to pass the limit, the warning goes
            assert t2.post(f"/windows/{world.windows[2]}/call-next").status_code == 200
            t2.post(f"/windows/{world.windows[2]}/start")
            t2.post(f"/windows/{world.windows[2]}/finish", json={"outcome": "completed"})
        assert http.get(f"{live.url}/dashboard/data", timeout=30).json()["warnings"] == []
