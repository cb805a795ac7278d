"""A case contact sealed on a device without the hub (docs/cases.md "Personal data"): to the hub's X25519 public key
(PyNaCl's SealedBox), opened only with its private key; the hub's AES "v1" form still opens as before."""
from __future__ import annotations

import base64
import os
import stat

import pytest

from common.domain import contact
from common.domain import errors as e
from common.domain import limits as L

WHO = contact.Contact("张三明", "13812345678")


@pytest.fixture
def box() -> bytes:
    return os.urandom(32)


def test_a_device_seals_to_the_public_key_and_only_the_hub_opens_it(box):
    sealed = contact.seal_box(contact.box_public(box), WHO)
    assert sealed.startswith(f"b1.{contact.box_public(box)['key_id']}.") and contact.device_form(sealed)
    assert "13812345678" not in sealed and "张三明" not in sealed
    assert contact.unseal(None, sealed, box) == WHO
    assert contact.unseal(os.urandom(32), sealed, box).masked() == {"name": "张*明", "phone": "138****5678"}


def test_two_seals_of_one_contact_differ(box):
    public = contact.box_public(box)
    assert contact.seal_box(public, WHO) != contact.seal_box(public, WHO)  # an ephemeral key each time


def test_another_hubs_key_is_contact_elsewhere(box):
    sealed = contact.seal_box(contact.box_public(box), WHO)
    with pytest.raises(e.Forbidden) as got:
        contact.unseal(None, sealed, os.urandom(32))
    assert got.value.key == "contact_elsewhere"


def test_the_right_id_with_the_wrong_key_is_unreadable(box):
    other = os.urandom(32)
    body = contact.seal_box(contact.box_public(other), WHO).split(".", 2)[2]
    forged = f"b1.{contact.box_public(box)['key_id']}.{body}"  # claims this hub's key id
    with pytest.raises(e.Conflict) as got:
        contact.unseal(None, forged, box)
    assert got.value.key == "contact_unreadable"


@pytest.mark.parametrize("spoil", [
    lambda s: s[:-6] + ("AAAA" if s[-6:-2] != "AAAA" else "BBBB") + s[-2:],  # a flipped byte of the box
    lambda s: s[:40],  # cut short
    lambda s: s + "!!",  # not base64
    lambda s: "b2" + s[2:],  # an unknown version
    lambda s: s.replace(".", "", 1),  # no key id
])
def test_a_tampered_seal_is_refused(box, spoil):
    sealed = spoil(contact.seal_box(contact.box_public(box), WHO))
    with pytest.raises(e.HaobanError) as got:
        contact.unseal(None, sealed, box)
    assert got.value.key in ("contact_unreadable", "contact_elsewhere")


def test_a_box_sealing_something_other_than_a_contact_is_unreadable(box):
    from nacl.public import PrivateKey, SealedBox

    body = base64.urlsafe_b64encode(SealedBox(PrivateKey(box).public_key).encrypt(b"[1, 2]")).decode()
    with pytest.raises(e.Conflict) as got:
        contact.unseal(None, f"b1.{contact.box_public(box)['key_id']}.{body}", box)
    assert got.value.key == "contact_unreadable"


def test_the_aes_form_still_opens_and_is_not_a_device_form(box):
    key = os.urandom(32)
    sealed = contact.seal(key, WHO)
    assert contact.unseal(key, sealed, box) == WHO and not contact.device_form(sealed)
    with pytest.raises(e.Conflict):  # a hub holding only its box key cannot open an AES form
        contact.unseal(None, sealed, box)


def test_the_longest_contact_fits_the_events_bound(box):
    longest = contact.Contact("𠀀" * L.NAME_MAX, "1" * L.PHONE_MAX)  # 4 bytes a character in UTF-8
    sealed = contact.seal_box(contact.box_public(box), longest)
    assert contact.device_form(sealed) and len(sealed) <= L.CONTACT_SEALED_MAX
    assert not contact.device_form(sealed[:12] + "A" * L.CONTACT_SEALED_MAX)


def test_a_public_key_that_does_not_match_its_id_is_not_used(box):
    public = {**contact.box_public(box), "key_id": "00000000"}
    with pytest.raises(ValueError):
        contact.seal_box(public, WHO)


def test_the_box_key_is_made_once_and_private(tmp_path):
    first = contact.box_key(tmp_path / "data")
    assert contact.box_key(tmp_path / "data") == first and len(first) == 32
    assert stat.S_IMODE((tmp_path / "data" / contact.BOX_KEY_FILE).stat().st_mode) == 0o600
    assert first != contact.contact_key(tmp_path / "data")
