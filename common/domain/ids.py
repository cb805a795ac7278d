"""Identifiers: time-ordered UUIDs (version 7) for events and tickets, and secret tokens."""
from __future__ import annotations

import hashlib
import os
import re
import secrets
import threading
import time
import uuid

from common.domain import limits as L

_lock = threading.Lock()
_last = 0


def uuid7() -> str:
    """A UUIDv7 string: 48-bit Unix milliseconds, then randomness; strictly increasing per process."""
    global _last
    with _lock:
        ms = time.time_ns() // 1_000_000
        # Keep order within one millisecond by bumping the 12-bit sub-counter field.
        value = max(ms << 12, _last + 1)
        _last = value
    ms, counter = value >> 12, value & 0xFFF
    rand = int.from_bytes(os.urandom(8), "big") & ((1 << 62) - 1)
    n = (ms << 80) | (0x7 << 76) | (counter << 64) | (0b10 << 62) | rand
    return str(uuid.UUID(int=n))


def new_token(nbytes: int = 24) -> str:
    """An unguessable URL-safe secret."""
    return secrets.token_urlsafe(nbytes)


def token_hash(token: str) -> str:
    """Tokens are stored only as their SHA-256; they are long random strings, so no salt is needed."""
    return hashlib.sha256(token.encode()).hexdigest()


_TOKEN = re.compile(L.TOKEN_PATTERN)
_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


def uuid_form(value: str) -> bool:
    """Whether `value` is a UUID as this software writes them (lower-case hex, dashed): e.g. a case id a device made."""
    return bool(_UUID.match(value))


def public_token_form(token: str) -> bool:
    """Whether `token` can be a public token at all (ticket or case): looked up only then, so no NUL or other
    stray character ever reaches a query (PostgreSQL refuses a NUL with an error, not a miss)."""
    return L.TOKEN_MIN <= len(token) <= L.TOKEN_MAX and bool(_TOKEN.match(token))
