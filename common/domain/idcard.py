"""Resident ID numbers (GB 11643-1999): validation with plain messages, age, and masking (PIPL).

An ID number is personal data: never log it, show it only masked (`mask_id`), keep it only where
a use case needs it.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from common.domain.errors import InvalidId  # also imported from here by callers

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"
_LEGACY = re.compile(r"[0-9]{15}")  # ASCII digits only: str.isdigit() takes "²" and full-width "１" too
_SHAPE = re.compile(r"[0-9]{17}[0-9X]")


@dataclass(frozen=True)
class IdNumber:
    number: str  # 18 characters, upper-case X
    birth: date
    female: bool
    region: str  # the six-digit administrative division code

    def age_on(self, day: date) -> int:
        return day.year - self.birth.year - ((day.month, day.day) < (self.birth.month, self.birth.day))


def check_digit(first17: str) -> str:
    return _CHECK[sum(int(c) * w for c, w in zip(first17, _WEIGHTS)) % 11]


def _birth(text: str) -> date:
    try:
        return date(int(text[:4]), int(text[4:6]), int(text[6:8]))
    except ValueError:
        raise InvalidId("id_no_such_birth_date") from None


def parse_id(raw: str, today: date | None = None) -> IdNumber:
    """Validate an ID number as a citizen typed or a reader delivered it; 15-digit legacy numbers
    (before 1999) are upgraded to 18 digits."""
    text = (raw or "").strip().replace(" ", "").upper()
    today = today or date.today()
    if _LEGACY.fullmatch(text):
        body = text[:6] + "19" + text[6:]
        text = body + check_digit(body)
    if len(text) != 18:
        raise InvalidId("id_length")
    if not _SHAPE.fullmatch(text):
        raise InvalidId("id_characters")
    if text[:2] < "11" or text[:2] > "91":
        raise InvalidId("id_region")
    birth = _birth(text[6:14])
    if birth > today or birth.year < 1880:
        raise InvalidId("id_implausible_birth_date")
    if check_digit(text[:17]) != text[17]:
        raise InvalidId("id_check_digit")
    return IdNumber(number=text, birth=birth, female=int(text[16]) % 2 == 0, region=text[:6])


def mask_id(number: str) -> str:
    """What a screen or receipt may show: the first 3 and last 4 characters."""
    n = (number or "").strip()
    return n[:3] + "*" * max(0, len(n) - 7) + n[-4:] if len(n) > 7 else "*" * len(n)


def mask_name(name: str) -> str:
    """王小明 -> 王*明, 李明 -> 李*; a name is shown no more than this."""
    n = (name or "").strip()
    if len(n) <= 1:
        return n
    if len(n) == 2:
        return n[0] + "*"
    return n[0] + "*" * (len(n) - 2) + n[-1]
