"""The district server for real on loopback: nginx running packaging/proxy/nginx-haoban.conf (TLS from a CA made here)
in front of two hub processes (`haoban serve`) on one PostgreSQL database, both started at once on an empty database
and data folder (they migrate and make the keys together). Through the proxy over verified https: a kiosk enrols and
takes tickets; a live stream gets events written by the other hub process; a body too big is refused by nginx with the
hub's own bilingual 413; /metrics stays inside; http goes to https; cookies are Secure; a hub
process that stops leaves the kiosk served by the other. Needs nginx (the `haoban` script installs it for tests)."""
from __future__ import annotations

import http.client
import json
import queue
import threading

import pytest
import requests

from common.domain import errors as e
from devtools.proxy import District, cli
from server import limits
from tests.integration.http import Device

pytestmark = pytest.mark.slow  # two hub processes and nginx: about half a minute here
CLOCK = "sim:2026-12-01T10:00:00+08:00:1"  # a Tuesday morning in Shanghai, for every process
SITE = "qp-centre"
WAIT = 30  # seconds: what a hub on a loaded machine is given to answer


@pytest.fixture(scope="module")
def district(tmp_path_factory, request):
    url = request.getfixturevalue("pg_url_module")
    d = District(tmp_path_factory.mktemp("district"), url, CLOCK)
    try:
        d.start()
        cli(d.env, "admin", "load-demo")
        yield d
    finally:
        d.stop()


@pytest.fixture(scope="module")
def pg_url_module():
    """A PostgreSQL database of its own for the module (tests/conftest.py `pg_url`, at module scope)."""
    from tests.conftest import pg_database

    yield from pg_database()


def kiosk(district: District, url: str | None = None) -> Device:
    """A kiosk of the centre enrolled at `url` (default: through the proxy, verified against the test CA only)."""
    code = cli(district.env, "admin", "enrol-code", "--site", SITE, "--role", "kiosk", "--name", "大厅自助机").split()[-1]
    return Device(url or district.url, code, verify=str(district.ca))


def first_item(device: Device) -> str:
    r = device.get("/catalogue")
    assert r.status_code == 200, r.text
    return r.json()["items"][0]["item_id"]


def test_both_hub_processes_started_together_on_an_empty_database_and_share_one_key(district):
    for hub in district.hubs:
        assert requests.get(f"{hub.url}/healthz", timeout=WAIT).json()["ok"] is True
    keys = sorted(p.name for p in (district.folder / "data").iterdir() if p.suffix == ".key")
    assert keys == ["appointment-id.key", "case-box.key", "case-contact.key"]
    assert not [p for p in (district.folder / "data").iterdir() if p.name.startswith(".")]  # no key left half made
    for key in keys:
        assert len(bytes.fromhex((district.folder / "data" / key).read_text())) >= 32


def test_a_kiosk_enrols_and_takes_tickets_through_the_proxy_over_verified_https(district):
    device = kiosk(district)
    item = first_item(device)
    numbers = []
    for _ in range(12):
        r = device.post("/tickets", json={"item_id": item})
        assert r.status_code == 201, r.text
        numbers.append(r.json()["ticket"]["number"])
    assert len(set(numbers)) == 12
    with pytest.raises(requests.exceptions.SSLError):  # the proxy's certificate is the test CA's, nobody else's
        requests.get(f"{district.url}/healthz", timeout=WAIT, verify=True)


def _read_stream(response: requests.Response, into: queue.Queue) -> None:
    try:
        for line in response.iter_lines(decode_unicode=True):
            if line and line.startswith("data: "):
                into.put(json.loads(line.removeprefix("data: ")))
    except Exception:  # noqa: BLE001 - the test closed the response under the reading thread
        pass


def test_a_stream_through_the_proxy_gets_events_written_by_either_hub_process(district):
    """The stream is served by one of the two processes (the proxy picks it by the device's token); a ticket
    issued directly at each process reaches it, so one of them came from the process that does not serve it."""
    watcher = kiosk(district)
    response = watcher.http.get(f"{district.url}/api/v1/events", stream=True, timeout=WAIT)
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/event-stream")
    events: queue.Queue = queue.Queue()
    reader = threading.Thread(target=_read_stream, args=(response, events), daemon=True)
    reader.start()
    try:
        issued = {}
        for hub in district.hubs:
            direct = kiosk(district, url=hub.url)
            r = direct.post("/tickets", json={"item_id": first_item(direct)})
            assert r.status_code == 201, r.text
            issued[r.json()["event"]["id"]] = hub.port
        seen: set[str] = set()
        while not set(issued) <= seen:
            try:
                seen.add(events.get(timeout=WAIT)["id"])  # each event passes the proxy at once (no buffering)
            except queue.Empty:
                pytest.fail(f"events issued at ports {sorted(issued.values())} not all on the proxied stream: {seen}")
    finally:
        response.close()


def _declared(district: District, path: str, length: int) -> tuple[int, str, dict]:
    """POST to `path` through the proxy with a Content-Length of `length` and no body yet: (status, type, JSON)."""
    conn = http.client.HTTPSConnection("127.0.0.1", district.https_port, timeout=WAIT, context=district.tls_context())
    try:
        conn.putrequest("POST", path)
        conn.putheader("Content-Type", "application/json")
        conn.putheader("Content-Length", str(length))
        conn.endheaders()
        r = conn.getresponse()
        return r.status, r.getheader("Content-Type", ""), json.loads(r.read())
    finally:
        conn.close()


@pytest.mark.parametrize("path", ["/api/v1/tickets", "/api/v1/sync/push", "/api/v1/appointments/import"])
def test_a_body_over_the_hubs_limit_is_refused_by_the_proxy_with_the_hubs_bilingual_answer(district, path):
    """nginx refuses by the Content-Length before a byte reaches a hub; its answer is the hub's, word for word."""
    status, kind, body = _declared(district, path, limits.body_limit(path) + 1)
    assert status == 413 and kind.startswith("application/json")
    assert body == e.BodyTooLarge().as_dict()  # the texts of i18n/, in Chinese and English
    direct = requests.post(f"{district.hubs[0].url}{path}", data=b" " * (limits.body_limit(path) + 1), timeout=WAIT)
    assert direct.status_code == 413 and direct.json() == body  # what the hub itself answers without the proxy


def test_a_body_at_the_limit_passes_and_a_chunked_one_past_it_is_refused_whole(district):
    device = kiosk(district)
    at_limit = b"{" + b" " * (limits.DEFAULT_BODY - 2) + b"}"  # an empty command, exactly 64 KB
    r = device.post("/tickets", data=at_limit, headers={"Content-Type": "application/json"})
    assert r.status_code == 422 and r.json()["error"] == "invalid_input", r.text  # the hub read it and answered

    def chunks():  # chunked: nginx counts as it reads and refuses at the limit, never a half-read 502
        for _ in range(40):
            yield b" " * 4096

    for _ in range(20):
        r = device.post("/tickets", data=chunks(), headers={"Content-Type": "application/json"})
        assert r.status_code == 413 and r.json() == e.BodyTooLarge().as_dict()


def test_metrics_are_not_reachable_through_the_proxy(district):
    for path in ("/metrics", "/metrics/", "/metrics?format=prometheus"):
        r = requests.get(f"{district.url}{path}", timeout=WAIT, verify=str(district.ca))
        assert r.status_code == 404 and r.headers["server"].startswith("nginx") and "text/html" in r.headers["content-type"]
    direct = requests.get(f"{district.hubs[0].url}/metrics", timeout=WAIT)  # the hub answers its own machine there
    assert direct.status_code == 200 and "text/plain" in direct.headers["content-type"]
    assert "haoban_" in direct.text


def test_plain_http_is_sent_to_https_with_its_path_and_query(district):
    r = requests.get(f"{district.http_url}/api/v1/public/tickets/abc?lang=en", timeout=WAIT, allow_redirects=False)
    assert r.status_code == 301 and r.headers["location"] == "https://127.0.0.1/api/v1/public/tickets/abc?lang=en"


def test_cookies_are_secure_through_the_proxy_whatever_the_client_claims(district):
    for claim in ({}, {"X-Forwarded-Proto": "http", "X-Forwarded-For": "10.9.9.9"}):  # the proxy sets both itself
        r = requests.get(f"{district.url}/dashboard/sign-in", timeout=WAIT, verify=str(district.ca), headers=claim)
        assert r.status_code == 200 and r.cookies and all(c.secure for c in r.cookies), claim
    direct = requests.get(f"{district.hubs[0].url}/dashboard/sign-in", timeout=WAIT)
    assert direct.cookies and not any(c.secure for c in direct.cookies)  # plain http, no proxy: not Secure


def test_a_stopped_hub_process_leaves_the_kiosks_served_by_the_other(district):
    devices = [kiosk(district) for _ in range(8)]  # eight tokens: the proxy spreads them over both processes
    item = first_item(devices[0])
    district.hubs[1].stop()
    try:
        for device in devices:
            r = device.post("/tickets", json={"item_id": item})
            assert r.status_code == 201, r.text  # refused connections are retried at the other process
    finally:
        district.hubs[1].start().wait_up()
