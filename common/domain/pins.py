"""Staff PINs: argon2 hashes, the one way a PIN is stored and checked (hub, terminal offline, kiosk staff gesture)."""
from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import Argon2Error, InvalidHashError

_hasher = PasswordHasher()


def hash_pin(pin: str) -> str:
    return _hasher.hash(pin)


def verify_pin(pin_hash: str | None, pin: str) -> bool:
    """A PIN against its stored argon2 hash; False for a wrong PIN, no hash or a damaged hash."""
    if not pin_hash:
        return False
    try:
        return _hasher.verify(pin_hash, pin)
    except (Argon2Error, InvalidHashError):
        return False
