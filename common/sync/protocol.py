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
from common.domain.clock import utc
from common.domain.events import Event

PROTOCOL = 1  # this build speaks exactly this protocol version
MAX_BODY = 8 * 1024 * 1024  # bytes of one request, on the wire (server/limits.py) and decompressed (`decode`)
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
    while version < ev.SCHEMA_VERSION:
        step = UPCASTERS.get((kind, version))
        data = step(dict(data)) if step else data
        version += 1
    return data


def from_wire(w: dict) -> Event:
    try:
        kind, version = w["k"], int(w["v"])
        if kind not in ev.KINDS or not isinstance(w["d"], dict):
            raise ValueError(kind)
        data = upcast(kind, version, w["d"])
        ev.validate(kind, data)
        return Event(id=str(w["i"])[:36], site_id=str(w["s"]), kind=kind, at=utc(datetime.fromisoformat(w["t"])),
                     data=data, device_id=w.get("dv"), clerk_id=w.get("c"), schema_version=ev.SCHEMA_VERSION)
    except e.HaobanError:
        raise
    except (KeyError, TypeError, ValueError) as exc:
        raise e.InvalidInput("sync_unknown_event") from exc


# ---------------------------------------------------------------- receiver

