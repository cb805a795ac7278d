"""What the district server's files must agree on with the code, checked without running them: the nginx sample's
body limits and its 413 answer are the hub's (server/limits.py, common.domain.errors), its streams are the hub's
stream routes; and a key made by many processes at once is one key, never read half written."""
from __future__ import annotations

import json
import multiprocessing
import re
from pathlib import Path

from common.domain import errors as e
from common.domain.files import secret_key
from server import limits

SAMPLE = Path(__file__).resolve().parents[2] / "packaging" / "proxy" / "nginx-haoban.conf"


def _locations(text: str) -> dict[str, str]:
    """location -> its block's text (the sample's blocks hold no nested braces but the 413's JSON)."""
    out = {}
    for m in re.finditer(r"^\s*location\s+(.+?)\s*\{\n(.*?)^\s*\}\n", text, re.M | re.S):
        out[m.group(1)] = m.group(2)
    return out


def _size(value: str) -> int:
    units = {"k": 1024, "m": 1024 * 1024}
    return int(value[:-1]) * units[value[-1]] if value[-1] in units else int(value)


def test_the_samples_body_limits_are_the_hubs():
    text = SAMPLE.read_text("utf-8")
    server_block = text[text.index("listen 443"):]
    default = re.search(r"^    client_max_body_size (\w+);", server_block, re.M)
    assert default and _size(default.group(1)) == limits.DEFAULT_BODY
    blocks = _locations(server_block)
    for prefix, limit in limits.BODY_LIMITS:
        size = re.search(r"client_max_body_size (\w+);", blocks[prefix])
        assert size and _size(size.group(1)) == limit, prefix
        assert "proxy_pass http://haoban_hubs;" in blocks[prefix]
    sized = {m for m in blocks if "client_max_body_size" in blocks[m]}
    assert sized == {prefix for prefix, _ in limits.BODY_LIMITS}  # no route of the proxy's own


def test_the_samples_413_is_the_hubs_answer_word_for_word():
    text = SAMPLE.read_text("utf-8")
    body = re.search(r"return 413 '(.*)';", text)
    assert body and json.loads(body.group(1)) == e.BodyTooLarge().as_dict()


def _routes() -> list[tuple[str, object]]:
    """(path, endpoint) of every route of the hub's routers that serve pages and the API."""
    from server import appointment_routes, case_routes, routes, stream, sync_routes
    from server.web import casepage, cases, dashboard, display, handler, phone

    modules = (routes, case_routes, stream, sync_routes, appointment_routes, casepage, cases, dashboard, display,
               handler, phone)
    out = []
    for module in modules:
        for name in ("router", "public_router"):
            router = getattr(module, name, None)
            out += [(r.path, r.endpoint) for r in getattr(router, "routes", ())]
    return out


def test_the_samples_unbuffered_locations_are_exactly_the_hubs_streams():
    text = SAMPLE.read_text("utf-8")
    regex = next(m for m in _locations(text) if m.startswith("~"))
    pattern = re.compile(regex.split(None, 1)[1])
    every = _routes()
    streams = {path for path, endpoint in every if "limits.stream" in _source(endpoint) or "site_stream(" in _source(endpoint)}
    assert streams == {"/api/v1/events", "/display/events", "/api/v1/public/tickets/{token}/events"}
    for path in streams:
        assert pattern.match(path.replace("{token}", "Abc123_-x")), path
    others = [path for path, _ in every if path not in streams and pattern.match(re.sub(r"\{\w+\}", "t", path))]
    assert not others


def _source(endpoint) -> str:
    import inspect

    return inspect.getsource(endpoint)


def _make(path: str, out) -> None:
    out.put(secret_key(path).hex())


def test_a_key_made_by_many_processes_at_once_is_one_whole_key(tmp_path):
    ctx = multiprocessing.get_context("spawn")
    for round_ in range(3):
        path = str(tmp_path / f"round{round_}" / "case-contact.key")
        out = ctx.Queue()
        procs = [ctx.Process(target=_make, args=(path, out)) for _ in range(6)]
        for p in procs:
            p.start()
        keys = [out.get(timeout=60) for _ in procs]
        for p in procs:
            p.join(60)
        assert len(set(keys)) == 1 and len(bytes.fromhex(keys[0])) == 32  # never an empty or a second key
        assert Path(path).read_text() == keys[0]
        assert [f.name for f in Path(path).parent.iterdir()] == ["case-contact.key"]  # nothing left beside it
        assert Path(path).stat().st_mode & 0o777 == 0o600
