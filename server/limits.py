"""Bounds on what one client may cost the hub: request body sizes (checked before reading) and open live streams.

Body sizes: a body longer than its route's limit is refused with 413 at once when its Content-Length says
so (nothing is read), and reading stops at the limit when it comes chunked. Streams: server-sent-event
streams take a slot of a global cap and of a cap per client address; a full hub answers 503, a full
address 429, both with Retry-After and both messages. A hall's Wi-Fi puts many phones behind one address,
so the cap per address is generous; behind a reverse proxy every phone has the proxy's address (set the
per-address cap in the proxy then). See README "Running a hub".
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from fastapi import FastAPI, HTTPException, Request
from fastapi.responses import JSONResponse, StreamingResponse

from common.domain import errors as e
from common.sync import protocol as wire
from server.web import pages

KB = 1024
DEFAULT_BODY = 64 * KB  # a command, a sign-in, a form
BODY_LIMITS = (  # (path prefix, bytes on the wire): the routes that take more
    ("/api/v1/sync/push", wire.MAX_BODY),  # also the bound of the gzip decoder: one limit before and after
    ("/api/v1/appointments/import", 4 * KB * KB),  # 5,000 bookings of a day
    ("/video/", 16 * KB),  # 视频帮办: a signalling message (server/signalling.py MAX_MESSAGE) or a small command
    ("/dashboard/guides/", 1024 * KB),  # one guide from the editors' form (server/web/guideform.py FORM_MAX)
)
STREAM_RETRY_SECONDS = 30


@dataclass(frozen=True)
class Limits:
    max_streams: int = 2000  # open live streams of this hub process (display boards, terminals, phone pages)
    max_streams_per_address: int = 200


def body_limit(path: str) -> int:
    return next((limit for prefix, limit in BODY_LIMITS if path.startswith(prefix)), DEFAULT_BODY)


class BodyTooLarge(HTTPException):  # an HTTPException, so FastAPI's body parsing passes it on unchanged
    def __init__(self) -> None:
        super().__init__(413)


def too_large() -> JSONResponse:
    return JSONResponse(e.BodyTooLarge().as_dict(), status_code=413, headers={"Connection": "close"})


class BodyLimit:
    """ASGI middleware: refuse by Content-Length before reading; stop a chunked body past the limit."""

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        limit = body_limit(scope["path"])
        length = dict(scope["headers"]).get(b"content-length", b"0")
        if not length.isdigit() or int(length) > limit:
            return await too_large()(scope, receive, send)
        seen = 0

        async def bounded():
            nonlocal seen
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > limit:
                raise BodyTooLarge()
            return message

        await self.app(scope, bounded, send)


class StreamSlots:
    """The open streams of this hub process, in all and per client address (one event loop: no lock needed)."""

    def __init__(self, limits: Limits) -> None:
        self.limits, self.open, self.by_address = limits, 0, Counter()

    def take(self, address: str) -> e.HaobanError | None:
        """None when a slot was taken for `address` (give it back with `give_back`), else the refusal."""
        if self.open >= self.limits.max_streams:
            return e.StreamsFull()
        if self.by_address[address] >= self.limits.max_streams_per_address:
            return e.TooManyRequests("streams_per_address")
        self.open += 1
        self.by_address[address] += 1
        return None

    def give_back(self, address: str) -> None:
        self.open -= 1
        self.by_address[address] -= 1
        if not self.by_address[address]:
            del self.by_address[address]


def address(request: Request) -> str:
    return request.client.host if request.client else "?"


class SlotStream(StreamingResponse):
    """A stream that holds its slot until the response ends, however it ends (the client gone before the first
    byte included: a generator never started runs no `finally`)."""

    def __init__(self, slots: StreamSlots, where: str, body) -> None:
        # X-Accel-Buffering: a reverse proxy (nginx) passes each event on at once, whatever its buffering settings
        super().__init__(body, media_type="text/event-stream",
                         headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"})
        self.slots, self.where = slots, where

    async def __call__(self, scope, receive, send) -> None:
        try:
            await super().__call__(scope, receive, send)
        finally:
            self.slots.give_back(self.where)


def stream(request: Request, body_of):
    """The event stream `body_of()` (an async generator, made only once a slot is taken), or the refusal."""
    slots: StreamSlots = request.app.state.stream_slots
    where = address(request)
    if refused := slots.take(where):
        headers = {"Retry-After": str(STREAM_RETRY_SECONDS)}
        if pages.wants_html(request):
            return pages.message(refused.zh, refused.en, refused.status, headers)
        return JSONResponse(refused.as_dict(), status_code=refused.status, headers=headers)
    return SlotStream(slots, where, body_of())


def install(app: FastAPI, limits: Limits) -> None:
    app.state.stream_slots = StreamSlots(limits)
    app.add_middleware(BodyLimit)

    @app.exception_handler(BodyTooLarge)
    async def _too_large(_request: Request, _exc: BodyTooLarge):
        return too_large()
