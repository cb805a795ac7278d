"""A case reporter's name and phone number (PIPL): encrypted at rest, masked in every list, shown in full only to
whoever must call the citizen, and every such showing is written to the audit log (common/db/caserows.audit).

AES-256-GCM from `cryptography` (no home-made crypto) with the hub's key, a file in its data folder (0600). The
sealed form "v1.<key id>.<base64 of nonce + ciphertext>" travels in the case's events and rows; the key id (the
first 8 hex digits of the key's SHA-256) tells which hub's key opens it.
"""
from __future__ import annotations

import base64
import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from common.domain import errors as e
from common.domain import limits as L
from common.domain.files import secret_key
from common.domain.idcard import mask_name

KEY_FILE = "case-contact.key"
_AAD = b"haoban case contact v1"


def contact_key(folder: Path) -> bytes:
    """The hub's key for reporters' contact data: made once in its data folder, mode 0600."""
    return secret_key(Path(folder) / KEY_FILE)


def key_id(key: bytes) -> str:
    return hashlib.sha256(key).hexdigest()[:8]


@dataclass(frozen=True)
class Contact:
    name: str | None
    phone: str | None

    def masked(self) -> dict:
        """As every list shows it: 张*明, 138****5678."""
        phone = self.phone
        if phone and len(phone) >= 7:
            phone = phone[:3] + "*" * (len(phone) - 7) + phone[-4:]
        elif phone:
            phone = "*" * len(phone)
        return {"name": mask_name(self.name) if self.name else None, "phone": phone}


def check(name: str | None, phone: str | None) -> Contact | None:
    """The contact as typed, checked (the limits of `common.domain.limits`); None when neither is given."""
    name = (name or "").strip() or None
    phone = (phone or "").replace(" ", "").replace("-", "") or None
    if name is not None and (len(name) > L.NAME_MAX or not name.isprintable()):
        raise e.InvalidInput("case_contact_name")
    if phone is not None and (not phone.isascii() or not phone.isdigit() or not 5 <= len(phone) <= L.PHONE_MAX):
        raise e.InvalidInput("case_contact_phone")
    return None if name is None and phone is None else Contact(name, phone)


def seal(key: bytes, contact: Contact) -> str:
    nonce = os.urandom(12)
    plain = json.dumps({"n": contact.name, "p": contact.phone}, ensure_ascii=False).encode()
    sealed = base64.urlsafe_b64encode(nonce + AESGCM(key).encrypt(nonce, plain, _AAD)).decode()
    return f"v1.{key_id(key)}.{sealed}"


def unseal(key: bytes, sealed: str) -> Contact:
    """The contact in full (the caller writes the showing to the audit log). Another hub's seal: `contact_elsewhere`."""
    try:
        version, kid, body = sealed.split(".", 2)
        if version != "v1":
            raise ValueError(version)
        if kid != key_id(key):
            raise e.Forbidden("contact_elsewhere")
        raw = base64.urlsafe_b64decode(body)
        plain = json.loads(AESGCM(key).decrypt(raw[:12], raw[12:], _AAD))
    except (ValueError, InvalidTag, KeyError) as exc:
        raise e.Conflict("contact_unreadable") from exc
    return Contact(plain.get("n"), plain.get("p"))
