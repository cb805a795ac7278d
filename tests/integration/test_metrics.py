"""/metrics over real HTTP: the gauges follow the hall at each scrape, latency is labelled by route template, and only
this machine or a hub token of the own site may read it (hostile peers, forged forwarding headers, other roles)."""
from __future__ import annotations

import http.client
import json
from urllib.parse import urlsplit

import pytest
import requests
from prometheus_client.parser import text_string_to_metric_families

from common.domain.model import Role
from common.usecases import auth, reference

OTHER_PEER = "127.0.0.2"  # a loopback address that is not 127.0.0.1: a real socket peer that is not this machine's own


def scrape(live, headers: dict | None = None, source: str | None = None) -> tuple[int, str, dict]:
    """GET /metrics from `source` as the socket's own address (default 127.0.0.1)."""
    port = urlsplit(live.url).port
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30, source_address=(source, 0) if source else None)
    try:
        conn.request("GET", "/metrics", headers=headers or {})
        r = conn.getresponse()
        return r.status, r.read().decode("utf-8"), {k.lower(): v for k, v in r.getheaders()}
    finally:
        conn.close()


def samples(text: str) -> dict[tuple, float]:
    out = {}
    for family in text_string_to_metric_families(text):
        for s in family.samples:
            out[(s.name, tuple(sorted(s.labels.items())))] = s.value
    return out


def value(text: str, name: str, **labels) -> float:
    return samples(text)[(name, tuple(sorted(labels.items())))]


def code(world, site: str, role: Role, name: str = "监控") -> str:
    with world.hub.engine.begin() as c:
        return auth.create_enrolment_code(c, site_id=site, role=role, name=name, now=world.clock.now())


def token_of(world, site: str, role: Role) -> str:
    return world.hub.enrol(code(world, site, role))[0]


def test_the_gauges_follow_the_hall_at_each_scrape(world, live):
    status, text, headers = scrape(live)
    assert status == 200 and headers["content-type"].startswith("text/plain; version=")
    assert value(text, "haoban_waiting_tickets", site="s1", queue="A") == 0
    assert value(text, "haoban_windows", site="s1", state="closed") == 4

    kiosk = world.actor("kiosk")
    for letter in "AAB":
        world.hub.issue_ticket(kiosk, item_id=world.items[letter])
    world.clock.advance(minutes=7)
    world.hub.issue_ticket(kiosk, item_id=world.items["A"])
    world.clock.advance(seconds=30)
    t2 = world.actor("terminal2")  # window 2 serves A only: signed in, so open
    t3 = world.actor("terminal3")
    world.hub.pause(t3, world.windows[3], "用餐")
    world.hub.call_next(t2, world.windows[2])
    world.hub.pull(kiosk, 2, 10)  # the kiosk says it has the first two of the site's events (its cursor)

    text = scrape(live)[1]
    assert value(text, "haoban_waiting_tickets", site="s1", queue="A") == 2  # one of three was called
    assert value(text, "haoban_waiting_tickets", site="s1", queue="B") == 1
    assert value(text, "haoban_waiting_tickets", site="s2", queue="A") == 0
    assert value(text, "haoban_longest_wait_seconds", site="s1", queue="A") == 450  # 7 min 30 s: the second A
    assert value(text, "haoban_longest_wait_seconds", site="s1", queue="B") == 450
    assert value(text, "haoban_longest_wait_seconds", site="s1", queue="C") == 0
    assert value(text, "haoban_windows", site="s1", state="open") == 1
    assert value(text, "haoban_windows", site="s1", state="paused") == 1
    assert value(text, "haoban_windows", site="s1", state="closed") == 2
    head = value(text, "haoban_event_log_seq", site="s1")
    assert head >= 6  # four tickets issued, a pause, a call (and the sign-ins' events, if any)
    assert value(text, "haoban_sync_backlog_events", peer=kiosk.device_id, site="s1", role="kiosk") == head - 2


def test_latency_is_labelled_by_route_template_and_status_class(world, live):
    kiosk = world.actor("kiosk")
    ticket = world.hub.issue_ticket(kiosk, item_id=world.items["A"]).ticket
    assert requests.get(f"{live.url}/api/v1/public/tickets/{ticket.public_token}", timeout=30).status_code == 200
    for n in range(5):  # raw paths must not become labels: five unknown paths, one label
        assert requests.get(f"{live.url}/no/such/page/{n}", timeout=30).status_code == 404
    text = scrape(live)[1]
    counts = {labels: v for (name, labels), v in samples(text).items() if name == "haoban_request_seconds_count"}
    assert counts[(("route", "/api/v1/public/tickets/{token}"), ("status", "2xx"))] == 1
    assert counts[(("route", "<unmatched>"), ("status", "4xx"))] == 5
    assert not any(ticket.public_token in str(labels) for labels in counts)
    assert not any("/no/such" in str(labels) for labels in counts)


def refused(status: int, body: str, expected: int) -> None:
    assert status == expected
    answer = json.loads(body)
    assert "本机" in answer["message_zh"] and "this machine" in answer["message_en"]


def test_only_this_machine_or_a_hub_token_of_the_own_site(world, live):
    with world.hub.engine.begin() as c:  # a child site below s1: its hub is not this hub
        reference.create_site(c, id="s1-child", name="子站点", level="village", parent_id="s1")
    own_hub, child_hub = token_of(world, "s1", Role.hub), token_of(world, "s1-child", Role.hub)
    kiosk = token_of(world, "s1", Role.kiosk)

    assert scrape(live, source=OTHER_PEER)[0] != 200
    refused(*scrape(live, source=OTHER_PEER)[:2], 401)  # no token
    refused(*scrape(live, {"Authorization": "Bearer nonsense"}, OTHER_PEER)[:2], 401)
    refused(*scrape(live, {"Authorization": "Bearer " + "x" * 5000}, OTHER_PEER)[:2], 401)
    refused(*scrape(live, {"Authorization": f"Bearer {kiosk}"}, OTHER_PEER)[:2], 403)  # another role
    refused(*scrape(live, {"Authorization": f"Bearer {child_hub}"}, OTHER_PEER)[:2], 403)  # a child's hub
    refused(*scrape(live, {"Authorization": f"Basic {own_hub}"}, OTHER_PEER)[:2], 401)  # not a bearer token
    # forged forwarding headers: from elsewhere, claiming to be this machine; and through a proxy on this machine
    for header in ("X-Forwarded-For", "X-Real-IP", "Forwarded"):
        refused(*scrape(live, {header: "127.0.0.1"}, OTHER_PEER)[:2], 401)
        refused(*scrape(live, {header: "203.0.113.9"})[:2], 401)
    refused(*scrape(live, {"X-Forwarded-For": "127.0.0.1"})[:2], 401)

    status, text, _ = scrape(live, {"Authorization": f"Bearer {own_hub}"}, OTHER_PEER)
    assert status == 200 and "haoban_waiting_tickets" in text
    with world.hub.engine.begin() as c:
        auth.revoke_device(c, world.hub.actor(own_hub).device_id, world.clock.now())
    refused(*scrape(live, {"Authorization": f"Bearer {own_hub}"}, OTHER_PEER)[:2], 401)


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_a_high_scrape_rate_is_fine(world, live):
    """Cheap: 300 scrapes in a row all answer (the time they take is measured in bench/metrics.py, not here)."""
    http_session = requests.Session()
    for _ in range(300):
        r = http_session.get(f"{live.url}/metrics", timeout=30)
        assert r.status_code == 200
    assert value(r.text, "haoban_request_seconds_count", route="/metrics", status="2xx") >= 299
