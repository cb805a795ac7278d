"""Tables. Reference data, the append-only event log, and the projection (tickets, window states, counters)."""
from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import JSON, BigInteger, Boolean, DateTime, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

Seq = BigInteger().with_variant(Integer, "sqlite")


class UtcStamp(TypeDecorator):
    """An instant, stored as UTC and read back aware in UTC on every database. SQLite keeps no offset: an aware
    Shanghai time was stored as its wall-clock reading and came back eight hours off (a clock injected in Shanghai
    time found it); PostgreSQL's timestamptz converts by itself. Same column type as before: no migration."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if isinstance(value, datetime) and value.tzinfo is not None:
            return value.astimezone(timezone.utc)
        return value

    def process_result_value(self, value, dialect):
        if isinstance(value, datetime):
            return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value.astimezone(timezone.utc)
        return value


Stamp = UtcStamp()


class Base(DeclarativeBase):
    pass


class SiteRow(Base):
    __tablename__ = "sites"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    level: Mapped[str] = mapped_column(String(16))
    parent_id: Mapped[str | None] = mapped_column(ForeignKey("sites.id"))
    address: Mapped[str | None] = mapped_column(String(300))
    rules: Mapped[dict] = mapped_column(JSON, default=dict)


class QueueRow(Base):
    __tablename__ = "queues"
    __table_args__ = (UniqueConstraint("site_id", "letter"),)
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    site_id: Mapped[str] = mapped_column(ForeignKey("sites.id"), index=True)
    letter: Mapped[str] = mapped_column(String(1))
    name: Mapped[str] = mapped_column(String(100))
    name_en: Mapped[str | None] = mapped_column(String(100))  # the hall's own English name (i18n.name: before names.json)


class WindowRow(Base):
    __tablename__ = "windows"
    __table_args__ = (UniqueConstraint("site_id", "number"),)
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    site_id: Mapped[str] = mapped_column(ForeignKey("sites.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(16))


class WindowQueueRow(Base):
    __tablename__ = "window_queues"
    window_id: Mapped[str] = mapped_column(ForeignKey("windows.id"), primary_key=True)
    queue_id: Mapped[str] = mapped_column(ForeignKey("queues.id"), primary_key=True)
    position: Mapped[int] = mapped_column(Integer, default=0)


class ServiceItemRow(Base):
    __tablename__ = "service_items"
    __table_args__ = (UniqueConstraint("site_id", "code"),)
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    site_id: Mapped[str] = mapped_column(ForeignKey("sites.id"), index=True)
    code: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str | None] = mapped_column(String(200))  # the English screen falls back to `name`
    department: Mapped[str] = mapped_column(String(50))
    department_en: Mapped[str | None] = mapped_column(String(100))  # the hall's own English name of `department`
    category: Mapped[str] = mapped_column(String(16))
    complexity: Mapped[str] = mapped_column(String(16))
    standard_minutes: Mapped[int] = mapped_column(Integer)
    queue_id: Mapped[str] = mapped_column(ForeignKey("queues.id"))
    wait_limit_min: Mapped[int] = mapped_column(Integer)
    service_limit_min: Mapped[int] = mapped_column(Integer)


class BundleRow(Base):
    __tablename__ = "bundles"
    __table_args__ = (UniqueConstraint("site_id", "code"),)
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    site_id: Mapped[str] = mapped_column(ForeignKey("sites.id"), index=True)
    code: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str | None] = mapped_column(String(200))
    queue_id: Mapped[str] = mapped_column(ForeignKey("queues.id"))


class BundleItemRow(Base):
    __tablename__ = "bundle_items"
    bundle_id: Mapped[str] = mapped_column(ForeignKey("bundles.id"), primary_key=True)
    item_id: Mapped[str] = mapped_column(ForeignKey("service_items.id"), primary_key=True)


class ClerkRow(Base):
    __tablename__ = "clerks"
    __table_args__ = (UniqueConstraint("site_id", "staff_no"),)
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    site_id: Mapped[str] = mapped_column(ForeignKey("sites.id"), index=True)
    staff_no: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(100))
    pin_hash: Mapped[str] = mapped_column(String(200))
    failed_pins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(Stamp)
    role: Mapped[str] = mapped_column(String(16), server_default="clerk")  # clerk | supervisor | handler
    department: Mapped[str | None] = mapped_column(String(50))  # a handler's 承办单位, as cases' assignments name it


class DeviceRow(Base):
    __tablename__ = "devices"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    site_id: Mapped[str] = mapped_column(ForeignKey("sites.id"), index=True)
    role: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(100))
    window_id: Mapped[str | None] = mapped_column(ForeignKey("windows.id"))  # terminals and rating pads sit at one window
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    enrolled_at: Mapped[datetime] = mapped_column(Stamp)
    revoked_at: Mapped[datetime | None] = mapped_column(Stamp)


class EnrolmentCodeRow(Base):
    __tablename__ = "enrolment_codes"
    code_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    site_id: Mapped[str] = mapped_column(ForeignKey("sites.id"))
    role: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(100))
    window_id: Mapped[str | None] = mapped_column(ForeignKey("windows.id"))
    expires_at: Mapped[datetime] = mapped_column(Stamp)
    used_at: Mapped[datetime | None] = mapped_column(Stamp)


class ClerkSessionRow(Base):
    __tablename__ = "clerk_sessions"
    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    clerk_id: Mapped[str] = mapped_column(ForeignKey("clerks.id"))
    device_id: Mapped[str] = mapped_column(ForeignKey("devices.id"))
    started_at: Mapped[datetime] = mapped_column(Stamp)
    ended_at: Mapped[datetime | None] = mapped_column(Stamp)


class WebSessionRow(Base):
    """A supervisor signed in to the dashboard in a browser; the cookie holds the token, this row its hash."""

    __tablename__ = "web_sessions"
    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    clerk_id: Mapped[str] = mapped_column(ForeignKey("clerks.id"))
    started_at: Mapped[datetime] = mapped_column(Stamp)
    expires_at: Mapped[datetime] = mapped_column(Stamp)
    ended_at: Mapped[datetime | None] = mapped_column(Stamp)


class KnownSignInRow(Base):
    """A device or browser an account has signed in on before, with that place's own count of wrong PINs: while the
    account backs off for everyone else, a known place is slowed only by its own count (README "Sign-in and back-off").

    `source` is `device:<device id>` for a terminal, `browser:<hash of the haoban_known cookie's token>` for a browser
    (a random token of its own, never a session token; only its SHA-256 is kept, like every token here)."""

    __tablename__ = "known_sign_ins"
    clerk_id: Mapped[str] = mapped_column(ForeignKey("clerks.id"), primary_key=True)
    source: Mapped[str] = mapped_column(String(80), primary_key=True)
    since: Mapped[datetime] = mapped_column(Stamp)
    failed_pins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(Stamp)


class EventRow(Base):
    """Append-only: rows are inserted, never updated or deleted. `seq` is the hub's order."""

    __tablename__ = "events"
    __table_args__ = (Index("ix_events_site_seq", "site_id", "seq"),
                      Index("ix_events_site_kind_seq", "site_id", "kind", "seq"))  # a case's history (caserows.history)
    seq: Mapped[int] = mapped_column(Seq, primary_key=True, autoincrement=True)
    id: Mapped[str] = mapped_column(String(36), unique=True)
    site_id: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(32))
    at: Mapped[datetime] = mapped_column(Stamp)
    device_id: Mapped[str | None] = mapped_column(String(64))
    clerk_id: Mapped[str | None] = mapped_column(String(64))
    schema_version: Mapped[int] = mapped_column(Integer)
    data: Mapped[dict] = mapped_column(JSON)


class TicketRow(Base):
    """Projection of ticket events; columns mirror `common.domain.model.Ticket`."""

    __tablename__ = "tickets"
    __table_args__ = (
        UniqueConstraint("site_id", "business_day", "number"),
        Index("ix_tickets_site_status_queue", "site_id", "status", "queue_id"),
        Index("ix_tickets_site_day", "site_id", "business_day"),
        Index("ix_tickets_queue_order", "queue_id", "status", "priority", "arrival_at", "seq"),
        Index("ix_tickets_queue_slot", "queue_id", "status", "slot_start"),
        Index("ix_tickets_status_day", "status", "business_day"),  # tickets a past day left open (close_past_days)
    )
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    site_id: Mapped[str] = mapped_column(String(64))
    business_day: Mapped[str] = mapped_column(String(10))
    number: Mapped[str] = mapped_column(String(12))
    letter: Mapped[str] = mapped_column(String(1))
    seq: Mapped[int] = mapped_column(Integer)
    queue_id: Mapped[str] = mapped_column(String(64))
    item_id: Mapped[str | None] = mapped_column(String(64))
    bundle_id: Mapped[str | None] = mapped_column(String(64))
    priority: Mapped[str] = mapped_column(String(8))
    issued_at: Mapped[datetime] = mapped_column(Stamp)
    arrival_at: Mapped[datetime] = mapped_column(Stamp)
    wait_limit_min: Mapped[int] = mapped_column(Integer)
    service_limit_min: Mapped[int] = mapped_column(Integer)
    public_token: Mapped[str] = mapped_column(String(64), unique=True)
    slot_start: Mapped[datetime | None] = mapped_column(Stamp)
    slot_end: Mapped[datetime | None] = mapped_column(Stamp)
    status: Mapped[str] = mapped_column(String(12))
    window_id: Mapped[str | None] = mapped_column(String(64))
    clerk_id: Mapped[str | None] = mapped_column(String(64))
    first_called_at: Mapped[datetime | None] = mapped_column(Stamp)
    called_at: Mapped[datetime | None] = mapped_column(Stamp)
    recalls: Mapped[int] = mapped_column(Integer)
    requeues: Mapped[int] = mapped_column(Integer)
    transfers: Mapped[int] = mapped_column(Integer)
    target_window_id: Mapped[str | None] = mapped_column(String(64))
    started_at: Mapped[datetime | None] = mapped_column(Stamp)
    finished_at: Mapped[datetime | None] = mapped_column(Stamp)
    outcome: Mapped[str | None] = mapped_column(String(20))
    outcome_reason: Mapped[str | None] = mapped_column(Text)
    missing_materials: Mapped[str | None] = mapped_column(Text)
    due_date: Mapped[str | None] = mapped_column(String(10))
    rating_score: Mapped[int | None] = mapped_column(Integer)
    rating_reason: Mapped[str | None] = mapped_column(Text)
    waited_seconds: Mapped[float] = mapped_column(Float, default=0.0)
    waiting_since: Mapped[datetime | None] = mapped_column(Stamp)
    services: Mapped[list] = mapped_column(JSON, default=list)


class WindowStateRow(Base):
    __tablename__ = "window_states"
    window_id: Mapped[str] = mapped_column(ForeignKey("windows.id"), primary_key=True)
    site_id: Mapped[str] = mapped_column(String(64))
    paused: Mapped[bool] = mapped_column(Boolean, default=False)
    pause_reason: Mapped[str | None] = mapped_column(Text)
    current_ticket_id: Mapped[str | None] = mapped_column(String(36))
    clerk_id: Mapped[str | None] = mapped_column(String(64))


class TicketCounterRow(Base):
    __tablename__ = "ticket_counters"
    site_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    business_day: Mapped[str] = mapped_column(String(10), primary_key=True)
    letter: Mapped[str] = mapped_column(String(1), primary_key=True)
    last_seq: Mapped[int] = mapped_column(Integer)


class SyncPeerRow(Base):
    """A device or child hub that syncs with this hub: how far its pushes are stored, when it was last seen."""

    __tablename__ = "sync_peers"
    peer_id: Mapped[str] = mapped_column(String(64), primary_key=True)  # the device id of its token
    site_id: Mapped[str] = mapped_column(String(64))
    role: Mapped[str] = mapped_column(String(16))
    acked: Mapped[int] = mapped_column(BigInteger, default=0)  # highest outbox position of the peer stored here
    pulled: Mapped[int] = mapped_column(BigInteger, default=0)  # highest event seq of ours the peer has confirmed
    received: Mapped[int] = mapped_column(BigInteger, default=0)  # events stored from it, duplicates not counted
    last_contact: Mapped[datetime | None] = mapped_column(Stamp)


class SyncStateRow(Base):
    """This hub's own link to its upstream: cursors and versions, one row per key."""

    __tablename__ = "sync_state"
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[dict] = mapped_column(JSON)


class UpstreamSetAsideRow(Base):
    """This hub's events its upstream refused (docs/sync.md "A refused batch"): each stays in the event log and is
    recorded here with the refusal, never sent again by itself, so the upload goes on past it; `hub status` counts them."""

    __tablename__ = "upstream_set_aside"
    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)  # the event's seq in our log
    event_id: Mapped[str] = mapped_column(String(36))
    kind: Mapped[str] = mapped_column(String(32))
    refusal: Mapped[dict] = mapped_column(JSON)  # the upstream's answer: {"error", "message_zh", "message_en", ...}
    set_aside_at: Mapped[datetime] = mapped_column(Stamp)


class AppointmentRow(Base):
    """A booked slot (预约), imported from the booking system; checking in at the kiosk issues its ticket.
    The citizen's ID number is kept only as a keyed hash (`common.usecases.appointments.id_hash`), the name masked."""

    __tablename__ = "appointments"
    __table_args__ = (
        UniqueConstraint("site_id", "code"),
        Index("ix_appointments_site_day_id", "site_id", "business_day", "id_hash"),
    )
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    site_id: Mapped[str] = mapped_column(ForeignKey("sites.id"))
    code: Mapped[str] = mapped_column(String(64))  # the booking code: the payload of the appointment's QR code
    item_id: Mapped[str] = mapped_column(ForeignKey("service_items.id"))
    business_day: Mapped[str] = mapped_column(String(10))
    slot_start: Mapped[datetime] = mapped_column(Stamp)
    slot_end: Mapped[datetime] = mapped_column(Stamp)
    id_hash: Mapped[str] = mapped_column(String(64))  # HMAC-SHA256 of the ID number with the hub's secret
    name_masked: Mapped[str] = mapped_column(String(50))
    status: Mapped[str] = mapped_column(String(12))  # booked | checked_in | cancelled
    ticket_id: Mapped[str | None] = mapped_column(String(36))
    checked_in_at: Mapped[datetime | None] = mapped_column(Stamp)
    imported_at: Mapped[datetime] = mapped_column(Stamp)


class CaseRow(Base):
    """Projection of case events (办不成事 and 差评: common/domain/cases.py); columns mirror `Case`. The reporter's
    name and phone are in `contact`, encrypted (common/domain/contact.py); the history is the event log."""

    __tablename__ = "cases"
    __table_args__ = (
        Index("ix_cases_site_status_due", "site_id", "status", "due_day"),
        Index("ix_cases_handler", "handler_site_id", "department", "status"),
        Index("ix_cases_item_opened", "item_id", "opened_day"),
        Index("ix_cases_site_opened", "site_id", "opened_day"),  # the figures of a period (readmodels.cases.figures)
    )
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    site_id: Mapped[str] = mapped_column(String(64))
    number: Mapped[str] = mapped_column(String(12))
    public_token: Mapped[str] = mapped_column(String(64), unique=True)
    kind: Mapped[str] = mapped_column(String(8))
    source: Mapped[str] = mapped_column(String(12))
    cause: Mapped[str] = mapped_column(String(12))
    text: Mapped[str | None] = mapped_column(Text)
    opened_at: Mapped[datetime] = mapped_column(Stamp)
    opened_day: Mapped[str] = mapped_column(String(10))
    contact: Mapped[str | None] = mapped_column(String(400))
    item_id: Mapped[str | None] = mapped_column(String(64))
    ticket_id: Mapped[str | None] = mapped_column(String(36))
    rated_clerk_id: Mapped[str | None] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(12))
    case_class: Mapped[str | None] = mapped_column(String(16))
    due_day: Mapped[str | None] = mapped_column(String(10))
    department: Mapped[str | None] = mapped_column(String(50))
    handler_site_id: Mapped[str | None] = mapped_column(String(64))
    contacts: Mapped[int] = mapped_column(Integer)
    first_contact_at: Mapped[datetime | None] = mapped_column(Stamp)
    extensions: Mapped[int] = mapped_column(Integer)
    answer: Mapped[str | None] = mapped_column(String(16))
    answer_text: Mapped[str | None] = mapped_column(Text)
    answered_at: Mapped[datetime | None] = mapped_column(Stamp)
    answered_on_time: Mapped[bool | None] = mapped_column(Boolean)
    negative_reported: Mapped[bool] = mapped_column(Boolean)
    follow_ups: Mapped[int] = mapped_column(Integer)
    reached: Mapped[bool | None] = mapped_column(Boolean)
    satisfied: Mapped[bool | None] = mapped_column(Boolean)
    reopened: Mapped[bool] = mapped_column(Boolean)
    escalated: Mapped[bool] = mapped_column(Boolean)
    appeal_upheld: Mapped[bool | None] = mapped_column(Boolean)
    closed_at: Mapped[datetime | None] = mapped_column(Stamp)


class CalendarDayRow(Base):
    """The district's own working-day entries (common/domain/workdays.py): a holiday or 调休 day the calendar library
    does not know yet (a new year's arrangement), or a local one. They win over the library."""

    __tablename__ = "calendar_days"
    day: Mapped[str] = mapped_column(String(10), primary_key=True)
    working: Mapped[bool] = mapped_column(Boolean)


class GuideRow(Base):
    """One published version of a service item's guide (办事指南, common/domain/guide.py), as its JSON. Versions are
    only added: the history of a guide is its rows, each with who published it and when (docs/guides.md)."""

    __tablename__ = "guides"
    item_code: Mapped[str] = mapped_column(String(64), primary_key=True)  # the item's code in the catalogue (YB-01)
    version: Mapped[int] = mapped_column(Integer, primary_key=True)
    body: Mapped[dict] = mapped_column(JSON)  # the guide, as common.guides.files writes one
    published_by: Mapped[str] = mapped_column(String(100))
    published_at: Mapped[datetime] = mapped_column(Stamp)


class SearchWordsRow(Base):
    """One published version of the words editors add to guide search ({"synonyms": [[...]], "aliases": {code:
    [...]}}, common/search/lexicon.py `parse_words`). Versions are only added, each with who published it and when."""

    __tablename__ = "search_words"
    version: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    body: Mapped[dict] = mapped_column(JSON)
    published_by: Mapped[str] = mapped_column(String(100))
    published_at: Mapped[datetime] = mapped_column(Stamp)


class RaisedWarningRow(Base):
    """A live warning as the hub raised it (common/planning/warning.py: a ticket of the queue expected past its wait
    limit within `horizon` minutes), and once the horizon has passed whether it came true: so that the warnings'
    precision is a figure (docs/planning.md "Live warning"). One row per queue while its warning lasts."""

    __tablename__ = "raised_warnings"
    __table_args__ = (Index("ix_raised_warnings_site_day", "site_id", "business_day"),
                      Index("ix_raised_warnings_open", "decided_at"))
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    site_id: Mapped[str] = mapped_column(String(64))
    queue_id: Mapped[str] = mapped_column(String(64))
    business_day: Mapped[str] = mapped_column(String(10))  # of the raising, Shanghai time
    raised_at: Mapped[datetime] = mapped_column(Stamp)
    horizon: Mapped[int] = mapped_column(Integer)  # minutes it looked ahead (15 or 30)
    minutes: Mapped[int] = mapped_column(Integer)  # until the first crossing it expected
    tickets: Mapped[int] = mapped_column(Integer)  # expected to cross within the horizon
    helper_window_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    decided_at: Mapped[datetime | None] = mapped_column(Stamp, nullable=True)  # None: its horizon has not passed
    came_true: Mapped[bool | None] = mapped_column(Boolean, nullable=True)


class AuditRow(Base):
    """Every showing of personal data in full (PIPL): who saw what of which record, when. Rows are only inserted;
    no command of the hub updates or deletes them, and supervisors read them on the dashboard."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_site_at", "site_id", "at"),)
    id: Mapped[int] = mapped_column(Seq, primary_key=True, autoincrement=True)
    site_id: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(Stamp)
    clerk_id: Mapped[str] = mapped_column(String(64))  # who saw it
    what: Mapped[str] = mapped_column(String(32))  # e.g. "case_contact"
    record_id: Mapped[str] = mapped_column(String(36))  # of which record
    purpose: Mapped[str] = mapped_column(String(32))  # e.g. "handle", "follow_up"
