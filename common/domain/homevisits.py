"""上门办 (home visits, docs/remote.md): a visit by a team to a citizen who cannot come, its rules and its projection.

A visit is a fold of events of the village site, like a case. The citizen's name, phone, address (and ID number,
when the reason is age) are personal data: they travel and rest only sealed with the hub's key
(`common.domain.contact`'s AES-GCM, `seal_person`); lists show them masked; a full showing is audited by the caller.

    requested ──plan(team, day, order)──▶ planned ──visit(done)──────────▶ done
        │                                   │  └─visit(not_home | again)──▶ revisit ──plan──▶ planned ...
        └──────────cancel───────────────────┴──────────────cancel──────────┘──▶ cancelled

A rating (faces 1-5, as at a window) is given once per visit made (the citizen was at home: outcome done or again).
Who may ask is the site's rule (`Eligibility`, data): an age from the ID card's birth date, or a certificate the
village staff saw (recorded as a flag and the clerk who saw it).
"""
from __future__ import annotations

import base64
import json
import os
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from common.domain import errors as e
from common.domain import limits as L
from common.domain.contact import key_id
from common.domain.idcard import InvalidId, mask_name, parse_id

HOME_REQUESTED = "home_requested"
HOME_PLANNED = "home_planned"
HOME_VISITED = "home_visited"
HOME_CANCELLED = "home_cancelled"
HOME_RATED = "home_rated"
KINDS = frozenset({HOME_REQUESTED, HOME_PLANNED, HOME_VISITED, HOME_CANCELLED, HOME_RATED})

SOURCES = frozenset({"village", "hotline"})  # the village staff's page; a supervisor from a 12345 call
REASONS = frozenset({"age", "certificate"})  # the two kinds of rule a site may give (`Eligibility`)
OUTCOMES = frozenset({"done", "not_home", "again"})  # 已办 / 不在家 / 需再次上门
SLOTS = frozenset({"morning", "afternoon", "any"})  # the times that suit, per weekday
WEEKDAYS = 7
TEAM_MAX, ADDRESS_MAX, MATERIALS_MAX, ORDER_MAX = 32, 120, 20, 999
SEALED_MAX = 1200  # name + phone + address + ID number sealed: base64 of AES-GCM with its nonce
_AAD = b"haoban home visit person v1"


class HomeStatus(StrEnum):
    requested = "requested"  # 待安排
    planned = "planned"  # 已安排 (team, day, order)
    revisit = "revisit"  # 待再次安排: not at home, or needs another visit
    done = "done"  # 已上门办理
    cancelled = "cancelled"


OPEN = (HomeStatus.requested, HomeStatus.planned, HomeStatus.revisit)


@dataclass(frozen=True)
class Eligibility:
    """A site's rule of who may ask (data, per site): `min_age` from the ID card's birth date, or a certificate
    (残疾证, a doctor's note) that the village staff saw."""

    min_age: int | None = 80
    certificate: bool = True


@dataclass(frozen=True)
class Person:
    name: str
    phone: str
    address: str
    id_number: str | None = None

    def masked(self) -> dict:
        """As every list shows it: 张*明, 138****5678, the address to its first 6 characters."""
        p = self.phone
        phone = p[:3] + "*" * (len(p) - 7) + p[-4:] if len(p) >= 7 else "*" * len(p)
        a = self.address
        return {"name": mask_name(self.name), "phone": phone, "address": a[:6] + ("…" if len(a) > 6 else "")}


@dataclass
class HomeVisit:
    id: str
    site_id: str  # the village site
    item_id: str
    person: str  # sealed (`seal_person`): never unsealed in the projection
    source: str
    reason: str
    seen_by: str | None  # the clerk who saw the certificate (reason "certificate")
    slots: list[str]  # per weekday Monday..Sunday: morning / afternoon / any / "" (not that day)
    requested_at: datetime
    status: HomeStatus = HomeStatus.requested
    team: str | None = None
    day: str | None = None
    order: int | None = None
    visits: list[dict] = field(default_factory=list)  # {"at", "outcome", "materials", "rated"}
    first_visit_at: datetime | None = None  # the first time the team was at the door (any outcome)
    done_at: datetime | None = None
    rating_score: int | None = None

    def ratable(self) -> bool:
        return bool(self.visits) and self.visits[-1]["outcome"] != "not_home" and not self.visits[-1]["rated"]


def _must(ok: bool, code: str) -> None:
    if not ok:
        raise e.Conflict(code)


# ---------------------------------------------------------------- personal data

def check_person(name: str, phone: str, address: str, id_number: str | None, today: date) -> Person:
    name, address = (name or "").strip(), (address or "").strip()
    phone = (phone or "").replace(" ", "").replace("-", "")
    if not 0 < len(name) <= L.NAME_MAX or not name.isprintable():
        raise e.InvalidInput("home_name")
    if not phone.isascii() or not phone.isdigit() or not 5 <= len(phone) <= L.PHONE_MAX:
        raise e.InvalidInput("home_phone")
    if not 0 < len(address) <= ADDRESS_MAX or not address.isprintable():
        raise e.InvalidInput("home_address")
    number = None
    if id_number:
        try:
            number = parse_id(id_number, today).number
        except InvalidId:
            raise e.InvalidInput("home_id_number") from None
    return Person(name, phone, address, number)


def seal_person(key: bytes, p: Person) -> str:
    nonce = os.urandom(12)
    plain = json.dumps({"n": p.name, "p": p.phone, "a": p.address, "i": p.id_number}, ensure_ascii=False).encode()
    return f"v1.{key_id(key)}.{base64.urlsafe_b64encode(nonce + AESGCM(key).encrypt(nonce, plain, _AAD)).decode()}"


def unseal_person(key: bytes | None, sealed: str) -> Person:
    """In full: the caller writes the showing to the audit log. Another hub's seal: `contact_elsewhere`."""
    try:
        version, kid, body = sealed.split(".", 2)
        if version != "v1" or key is None:
            raise ValueError(version)
        if kid != key_id(key):
            raise e.Forbidden("contact_elsewhere")
        raw = base64.urlsafe_b64decode(body)
        d = json.loads(AESGCM(key).decrypt(raw[:12], raw[12:], _AAD))
        return Person(d["n"], d["p"], d["a"], d.get("i"))
    except (ValueError, InvalidTag, KeyError, TypeError) as exc:
        raise e.Conflict("contact_unreadable") from exc


def check_slots(slots: list) -> list[str]:
    if not isinstance(slots, list) or len(slots) != WEEKDAYS or any(s not in SLOTS | {""} for s in slots) \
            or not any(slots):
        raise e.InvalidInput("home_slots")
    return list(slots)


def eligible(rule: Eligibility, reason: str, id_number: str | None, certificate_seen: bool, today: date) -> None:
    """Raise `home_not_eligible` unless the site's rule lets this citizen ask for `reason`."""
    if reason == "age":
        ok = rule.min_age is not None and id_number is not None and parse_id(id_number, today).age_on(today) >= rule.min_age
    elif reason == "certificate":
        ok = rule.certificate and certificate_seen
    else:
        raise e.InvalidInput("home_reason")
    if not ok:
        raise e.Forbidden("home_not_eligible")


# ---------------------------------------------------------------- decisions

def decide_request(*, visit_id: str, item_id: str, person: str, source: str, reason: str, seen_by: str | None,
                   slots: list[str]) -> tuple[str, dict]:
    return HOME_REQUESTED, {"visit_id": visit_id, "item_id": item_id, "person": person, "source": source,
                            "reason": reason, "seen_by": seen_by, "slots": ",".join(slots)}


def decide_plan(v: HomeVisit, team: str, day: date, order: int, today: date) -> tuple[str, dict]:
    """Planned (or re-planned) on a day not past; the same plan again is a conflict, not a second event."""
    _must(v.status in OPEN, "home_not_open")
    if not 0 < len(team) <= TEAM_MAX or not team.isprintable():
        raise e.InvalidInput("home_team")
    if not 1 <= order <= ORDER_MAX:
        raise e.InvalidInput("home_order")
    if day < today:
        raise e.InvalidInput("home_day_past")
    return HOME_PLANNED, {"visit_id": v.id, "team": team, "day": day.isoformat(), "order": order}


def decide_visit(v: HomeVisit, outcome: str, materials: list[str]) -> tuple[str, dict]:
    _must(v.status is HomeStatus.planned, "home_not_planned")
    if outcome not in OUTCOMES:
        raise e.InvalidInput("home_outcome")
    if not isinstance(materials, list) or len(materials) > MATERIALS_MAX or any(
            not isinstance(m, str) or not 0 < len(m) <= 60 or not m.isprintable() or "|" in m for m in materials):
        raise e.InvalidInput("home_materials")
    if outcome == "not_home" and materials:
        raise e.InvalidInput("home_materials")
    return HOME_VISITED, {"visit_id": v.id, "outcome": outcome, "materials": "|".join(materials)}


def decide_cancel(v: HomeVisit, reason: str) -> tuple[str, dict]:
    _must(v.status in OPEN, "home_not_open")
    reason = (reason or "").strip()
    if not 0 < len(reason) <= L.TEXT_MAX:
        raise e.ReasonRequired()
    return HOME_CANCELLED, {"visit_id": v.id, "reason": reason}


def decide_rate(v: HomeVisit, score: int) -> tuple[str, dict]:
    if v.visits and v.visits[-1]["rated"]:
        raise e.AlreadyRated()
    _must(v.ratable(), "home_not_visited")
    if type(score) is not int or not L.SCORE_MIN <= score <= L.SCORE_MAX:
        raise e.InvalidInput("home_score")
    return HOME_RATED, {"visit_id": v.id, "score": score}


# ---------------------------------------------------------------- the projection

def apply(visits: dict[str, HomeVisit], site_id: str, kind: str, at: datetime, d: dict) -> bool:
    """Fold one home-visit event into `visits`; False when it is void (it no longer fits the visit)."""
    if kind == HOME_REQUESTED:
        if d["visit_id"] in visits:
            return False
        visits[d["visit_id"]] = HomeVisit(
            id=d["visit_id"], site_id=site_id, item_id=d["item_id"], person=d["person"], source=d["source"],
            reason=d["reason"], seen_by=d.get("seen_by"), slots=d["slots"].split(","), requested_at=at)
        return True
    v = visits.get(d["visit_id"])
    if v is None or v.site_id != site_id:
        return False
    if kind == HOME_PLANNED and v.status in OPEN:
        v.status, v.team, v.day, v.order = HomeStatus.planned, d["team"], d["day"], d["order"]
    elif kind == HOME_VISITED and v.status is HomeStatus.planned:
        materials = [m for m in d["materials"].split("|") if m]
        v.visits.append({"at": at, "outcome": d["outcome"], "materials": materials, "rated": False})
        v.first_visit_at = v.first_visit_at or at
        if d["outcome"] == "done":
            v.status, v.done_at = HomeStatus.done, at
        else:
            v.status = HomeStatus.revisit
    elif kind == HOME_CANCELLED and v.status in OPEN:
        v.status = HomeStatus.cancelled
    elif kind == HOME_RATED and v.ratable():
        v.visits[-1]["rated"] = True
        v.rating_score = d["score"]
    else:
        return False
    return True
