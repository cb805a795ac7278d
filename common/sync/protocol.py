"""The sync protocol's wire format: one protocol for device <-> site hub and for hub <-> upstream hub.

Push: the sender sends its events in the order of its own positions (an outbox number, or its
event seq for a hub), saying after which position the batch starts. The receiver stores each
event once (by id), projects the new ones, and records the last position in the same
transaction; it answers with that position ("acked"). A sender that hears nothing retries the
same batch: stored events are skipped by id. Pull: events of the peer's site after a cursor, in
this hub's order. Every answer carries the protocol version and the hub's time. Bodies are
gzip-compressed JSON. Rules and reasons: docs/sync.md.
"""
from __future__ import annotations

import gzip
import json
import zlib
from collections.abc import Callable
from datetime import datetime

from common.domain import errors as e
from common.domain import events as ev
from common.domain import limits as L
from common.domain.clock import utc
from common.domain.events import Event

PROTOCOL = 1  # this build speaks exactly this protocol version
MAX_BODY = 32 * 1024 * 1024  # decompressed bytes of one request
MAX_BATCH = 2000


# Upcasters: (kind, schema version) -> function turning that version's data into the next one's.
UPCASTERS: dict[tuple[str, int], Callable[[dict], dict]] = {}


# ---------------------------------------------------------------- wire format

def encode(obj) -> bytes:
    return gzip.compress(json.dumps(obj, separators=(",", ":"), ensure_ascii=False).encode(), 6)


def decode(body: bytes, compressed: bool = True) -> dict:
    try:
        if compressed:
            d = zlib.decompressobj(wbits=31)
            raw = d.decompress(body, MAX_BODY)
            if d.unconsumed_tail:
                raise e.InvalidInput("sync_too_large")
        else:
            raw = body
        obj = json.loads(raw)
    except RecursionError as exc:  # JSON nested deeper than Python's stack: refused, never a 500
        raise e.InvalidInput("sync_too_deep") from exc
    except (OSError, zlib.error, ValueError, UnicodeDecodeError) as exc:
        raise e.InvalidInput("sync_unreadable") from exc
    if not isinstance(obj, dict):
        raise e.InvalidInput("sync_request_shape")
    return obj


def check_protocol(version) -> None:
    if not isinstance(version, int):
        raise e.InvalidInput("sync_version_missing")
    if version < PROTOCOL:
        raise e.ProtocolTooOld()
    if version > PROTOCOL:
        raise e.ProtocolTooNew()


def to_wire(event: Event) -> dict:
    return {"i": event.id, "s": event.site_id, "k": event.kind, "t": event.at.isoformat(), "d": event.data,
            "v": event.schema_version, "dv": event.device_id, "c": event.clerk_id}


def upcast(kind: str, version: int, data: dict) -> dict:
    """Bring an event's data from an older schema version up to ours; refuse one from the future."""
    if version > ev.SCHEMA_VERSION:
        raise e.ProtocolTooNew("event_too_new")
    if version < 1:  # there never was a version 0: refused, not upcast for ever
        raise ValueError("v")
    while version < ev.SCHEMA_VERSION:
        step = UPCASTERS.get((kind, version))
        data = step(dict(data)) if step else data
        version += 1
    return data


_ENVELOPE = {"i", "s", "k", "t", "d", "v", "dv", "c", "p", "q"}  # p: a pushed position, q: a pulled seq
_NAMES = _ENVELOPE | {name for fields in ev.FIELDS.values() for name in fields}


def _string(w: dict, key: str, max_len: int) -> str:
    value = w.get(key)
    if not isinstance(value, str) or not 0 < len(value) <= max_len:
        raise ValueError(key)
    return value


def _maybe(w: dict, key: str, max_len: int) -> str | None:
    return None if w.get(key) is None else _string(w, key, max_len)


def from_wire(w: dict) -> Event:
    """An event from its wire form; anything not exactly as `to_wire` writes it is refused (InvalidInput)."""
    try:
        if set(w) - _ENVELOPE:
            raise ValueError("?")
        kind, version = w["k"], w["v"]
        if kind not in ev.KINDS:
            raise ValueError("k")
        if not isinstance(w["d"], dict) or type(version) is not int:
            raise ValueError("d" if type(version) is int else "v")
        data = upcast(kind, version, w["d"])
        ev.validate(kind, data)
        at = datetime.fromisoformat(_string(w, "t", 40))
        if at.tzinfo is None:
            raise ValueError("t")
        return Event(id=_string(w, "i", L.UUID_MAX), site_id=_string(w, "s", L.ID_MAX), kind=kind, at=utc(at),
                     data=data, device_id=_maybe(w, "dv", L.ID_MAX), clerk_id=_maybe(w, "c", L.ID_MAX),
                     schema_version=ev.SCHEMA_VERSION)
    except e.HaobanError:
        raise
    except (KeyError, TypeError, ValueError, OverflowError) as exc:  # named only if it is one of ours: never echoed
        named = exc.args[0] if exc.args and isinstance(exc.args[0], str) and exc.args[0] in _NAMES else "?"
        raise e.InvalidInput("sync_unknown_event", field=named) from exc


# ---------------------------------------------------------------- receiver

