"""A case reporter's name and phone number (PIPL): encrypted at rest, masked in every list, shown in full only to
whoever must call the citizen, and every such showing is written to the audit log (common/db/caserows.audit).

AES-256-GCM from `cryptography` (no home-made crypto) with the hub's key, a file in its data folder (0600). The
sealed form "v1.<key id>.<base64 of nonce + ciphertext>" travels in the case's events and rows; the key id (the
first 8 hex digits of the key's SHA-256) tells which hub's key opens it.

A kiosk or terminal offline seals without the hub: the hub's second key is an X25519 pair (PyNaCl's `SealedBox`),
whose public half travels to its devices with the reference data (`box_public`, `reference.snapshot`). A device
seals to it ("b1.<key id>.<base64 of the sealed box>", `seal_box`); only the hub, holding the private half in its
data folder (0600), opens it. The hub keeps the device's sealed form as it came: it is sealed at rest.
"""
from __future__ import annotations

import base64
import hashlib
import json
import os
import re
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from nacl.exceptions import CryptoError
from nacl.public import PrivateKey, PublicKey, SealedBox

from common.domain import errors as e
from common.domain import limits as L
from common.domain.files import secret_key
from common.domain.idcard import mask_name

KEY_FILE = "case-contact.key"
BOX_KEY_FILE = "case-box.key"  # the X25519 private key whose public half the hub's devices seal to
_AAD = b"haoban case contact v1"
_DEVICE_FORM = re.compile(r"b1\.[0-9a-f]{8}\.[A-Za-z0-9_-]+={0,2}")


def contact_key(folder: Path) -> bytes:
    """The hub's key for reporters' contact data: made once in its data folder, mode 0600."""
    return secret_key(Path(folder) / KEY_FILE)


def box_key(folder: Path) -> bytes:
    """The hub's X25519 private key (32 random bytes, any of which is one), made once in its data folder, 0600."""
    return secret_key(Path(folder) / BOX_KEY_FILE)


def key_id(key: bytes) -> str:
    return hashlib.sha256(key).hexdigest()[:8]


def box_public(private: bytes) -> dict:
    """What devices get with the reference data to seal to: the public key (base64) and its id."""
    public = bytes(PrivateKey(private).public_key)
    return {"key_id": key_id(public), "public_key": base64.b64encode(public).decode()}


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
    sealed = base64.urlsafe_b64encode(nonce + AESGCM(key).encrypt(nonce, _plain(contact), _AAD)).decode()
    return f"v1.{key_id(key)}.{sealed}"


def _plain(contact: Contact) -> bytes:
    return json.dumps({"n": contact.name, "p": contact.phone}, ensure_ascii=False).encode()


def seal_box(public: dict, contact: Contact) -> str:
    """On a device: the contact sealed to the hub's public key (`box_public`, from the reference data)."""
    key = PublicKey(base64.b64decode(public["public_key"]))
    if key_id(bytes(key)) != public["key_id"]:
        raise ValueError("the public key does not match its id")
    return f"b1.{public['key_id']}.{base64.urlsafe_b64encode(SealedBox(key).encrypt(_plain(contact))).decode()}"


def device_form(sealed: str) -> bool:
    """Whether a contact a device pushed is in the one form a device makes (`seal_box`), within the events' bound."""
    return len(sealed) <= L.CONTACT_SEALED_MAX and _DEVICE_FORM.fullmatch(sealed) is not None


def unseal(key: bytes | None, sealed: str, box: bytes | None = None) -> Contact:
    """The contact in full (the caller writes the showing to the audit log): "v1" opens with the hub's AES key, "b1"
    (a device's) with its X25519 private key `box`. Another hub's seal: `contact_elsewhere`; a damaged one (or one
    this hub has no key for): `contact_unreadable`."""
    try:
        version, kid, body = sealed.split(".", 2)
        if version == "v1" and key is not None:
            if kid != key_id(key):
                raise e.Forbidden("contact_elsewhere")
            raw = base64.urlsafe_b64decode(body)
            plain = json.loads(AESGCM(key).decrypt(raw[:12], raw[12:], _AAD))
        elif version == "b1" and box is not None:
            private = PrivateKey(box)
            if kid != key_id(bytes(private.public_key)):
                raise e.Forbidden("contact_elsewhere")
            plain = json.loads(SealedBox(private).decrypt(base64.b64decode(body, altchars=b"-_", validate=True)))
        else:
            raise ValueError(version)
        if not isinstance(plain, dict):
            raise ValueError("not a contact")
    except (ValueError, InvalidTag, KeyError, CryptoError) as exc:
        raise e.Conflict("contact_unreadable") from exc
    return Contact(plain.get("n"), plain.get("p"))
