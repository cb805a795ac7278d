"""Domain errors: each kind is a class with a code and an HTTP-like status; its messages come from the
catalogue i18n/errors.json by key (the code's own text unless a raise names another key)."""
from __future__ import annotations

import i18n


class HaobanError(Exception):
    """Base of every error a user may see: `HaobanError(key, **fields)` says catalogue text `key`
    (default: the code's) with its `{fields}` filled, in every language."""

    code = "error"
    status = 400

    def __init__(self, key: str | None = None, /, **fields: object) -> None:
        key = key or self.code
        self.key: str | None = key  # None: a relayed refusal, with its texts as they came
        self.detail = fields
        self.messages = i18n.texts("errors", key, **fields)
        super().__init__(self.en)

    @property
    def zh(self) -> str:
        return self.messages["zh_CN"]

    @property
    def en(self) -> str:
        return self.messages["en"]

    def as_dict(self) -> dict:
        """The answer's body: the code and the message in each language."""
        return answer(self.code, self.messages)


def answer(code: str, messages: dict[str, str]) -> dict:
    """An error's JSON body: {"error", "message_zh", "message_en", "message_zh_hant"}."""
    return {"error": code, "message_zh": messages["zh_CN"], "message_en": messages["en"],
            "message_zh_hant": messages.get("zh_Hant") or messages["zh_CN"]}


class Relayed(HaobanError):
    """A refusal a hub answered: its code, status and messages as they came (not from our catalogue)."""

    def __init__(self, body: dict, status: int) -> None:
        self.key, self.detail, self.code, self.status = None, {}, body.get("error") or "error", status
        zh, en = body.get("message_zh") or "", body.get("message_en") or ""
        self.messages = {"zh_CN": zh, "en": en, "zh_Hant": body.get("message_zh_hant") or zh}
        Exception.__init__(self, en)


# ---------------------------------------------------------------- requests and devices

class NotFound(HaobanError):
    code, status = "not_found", 404


class InvalidInput(HaobanError):
    code, status = "invalid_input", 422


class Unauthenticated(HaobanError):
    code, status = "unauthenticated", 401


class Forbidden(HaobanError):
    code, status = "forbidden", 403


class ClerkRequired(HaobanError):
    code, status = "clerk_required", 401


class ClerkLocked(HaobanError):
    code, status = "clerk_locked", 423


class BadCredentials(HaobanError):
    code, status = "bad_credentials", 401


class EnrolmentInvalid(HaobanError):
    code, status = "enrolment_invalid", 401


class Conflict(HaobanError):
    code, status = "conflict", 409


class TooManyRequests(HaobanError):
    code, status = "too_many_requests", 429


class Internal(HaobanError):
    code, status = "internal", 500


class BodyTooLarge(HaobanError):
    code, status = "body_too_large", 413


class StreamsFull(HaobanError):
    code, status = "streams_full", 503


class CsrfInvalid(HaobanError):
    code, status = "csrf_invalid", 403


# ---------------------------------------------------------------- the queue's rules

class TicketNotWaiting(HaobanError):
    code, status = "ticket_not_waiting", 409


class WindowBusy(HaobanError):
    code, status = "window_busy", 409


class WindowIdle(HaobanError):
    code, status = "window_idle", 409


class WindowPaused(HaobanError):
    code, status = "window_paused", 409


class WindowNotPaused(HaobanError):
    code, status = "window_not_paused", 409


class QueueEmpty(HaobanError):
    code, status = "queue_empty", 409


class QueueNotServed(HaobanError):
    code, status = "queue_not_served", 409


class RecallLimit(HaobanError):
    code, status = "recall_limit", 409


class SkipTooEarly(HaobanError):
    code, status = "skip_too_early", 409


class NotStarted(HaobanError):
    code, status = "not_started", 409


class AlreadyStarted(HaobanError):
    code, status = "already_started", 409


class NotFinished(HaobanError):
    code, status = "not_finished", 409


class AlreadyRated(HaobanError):
    code, status = "already_rated", 409


class ReasonRequired(HaobanError):
    code, status = "reason_required", 422


# ---------------------------------------------------------------- appointments and the ID number

class InvalidId(HaobanError):
    code, status = "invalid_id", 422


class AppointmentNotFound(HaobanError):
    code, status = "appointment_not_found", 404


class AppointmentCancelled(HaobanError):
    code, status = "appointment_cancelled", 409


class NoIdKey(HaobanError):
    code, status = "no_id_key", 503


class CheckInOffline(HaobanError):
    code, status = "checkin_offline", 503


# ---------------------------------------------------------------- sync

class ProtocolTooOld(HaobanError):
    code, status = "protocol_too_old", 426


class ProtocolTooNew(HaobanError):
    code, status = "protocol_too_new", 426


class NoNumbers(HaobanError):
    code, status = "no_numbers", 409


class HubUnreachable(HaobanError):
    code, status = "hub_unreachable", 503


# ---------------------------------------------------------------- the kiosk's devices

class PrinterFailed(HaobanError):
    code, status = "printer_failed", 503


class ReaderFailed(HaobanError):
    code, status = "id_reader_failed", 503


class ScanRejected(HaobanError):
    code, status = "scan_rejected", 422
