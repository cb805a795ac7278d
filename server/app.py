"""The hub's FastAPI application: routes, and one place that turns every error into a bilingual answer."""
from __future__ import annotations

import contextlib
import logging
import threading

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

import i18n
from common.domain import errors as e
from common.usecases.hub import Hub
from server import appointment_routes, case_routes, limits, metrics, routes, stream, sync_routes, warning_routes, web
from server.schemas import ErrorOut

log = logging.getLogger("haoban.hub")

HTTP_KEYS = {404: "http_404", 405: "http_405"}  # other statuses: "http_error", with Starlette's detail in English


def _error(status: int, code: str, key: str, extra: dict | None = None, **fields) -> JSONResponse:
    """An answer of the server's own (not a domain error): the catalogue's text `key` in every language."""
    return JSONResponse({**e.answer(code, i18n.texts("errors", key, **fields)), **(extra or {})}, status_code=status)


EVERY_MINUTE = 60.0  # seconds between two rounds of the hub's own jobs


def close_days(hub: Hub) -> None:
    """Expire what a past business day left waiting (after midnight in Shanghai, yesterday's tickets go before
    anybody calls one of them)."""
    expired = hub.close_past_days()
    if expired:
        log.info("closed past business days: %d tickets expired", expired)


def keep_warnings(hub: Hub) -> None:
    """Store the live warnings raised and decide those whose horizon has passed."""
    stored, decided = hub.keep_warnings()
    if stored or decided:
        log.info("live warnings: %d raised, %d decided", stored, decided)


def every_minute(job, what: str, stop: threading.Event, every: float = EVERY_MINUTE) -> None:
    """Run `job` at start and then every minute until `stop`; a failure (a busy database) is tried again next time
    and never stops the loop."""
    while True:
        try:
            job()
        except Exception:
            log.exception("%s failed", what)
        if stop.wait(every):
            return


def create_app(hub: Hub, upstream=None, bounds: limits.Limits | None = None) -> FastAPI:
    """The hub's app; with `upstream` (a `common.usecases.upstream.UpstreamLink`), a thread keeps it in step;
    other threads close past business days (`close_days`) and keep the live warnings (`keep_warnings`). `bounds`: body sizes and stream caps (server/limits.py)."""

    stop = threading.Event()  # the background threads end with the app (a server cut short sets it too)

    @contextlib.asynccontextmanager
    async def lifespan(_app):
        threading.Thread(target=every_minute, args=(lambda: close_days(hub), "closing past business days", stop), name="close-days", daemon=True).start()
        threading.Thread(target=every_minute, args=(lambda: keep_warnings(hub), "keeping the live warnings", stop), name="warnings",
                         daemon=True).start()
        if upstream is not None:
            threading.Thread(target=upstream.run, args=(stop,), name="upstream", daemon=True).start()
        yield
        stop.set()

    app = FastAPI(
        lifespan=lifespan,
        title="Haoban hub (好办)",
        version="1",
        description="The site hub: queue commands, queries and the live event stream. "
        "Every request but enrolment and the public ticket status needs a device token.",
        responses={status: {"model": ErrorOut} for status in (400, 401, 403, 404, 409, 423)},
    )
    app.state.hub = hub
    app.state.stop = stop
    app.include_router(routes.router)
    app.include_router(case_routes.router)
    app.include_router(case_routes.public_router)
    app.include_router(stream.router)
    app.include_router(sync_routes.router)
    appointment_routes.install(app)
    warning_routes.install(app, hub)
    web.install(app)
    limits.install(app, bounds or limits.Limits())
    metrics.install(app, hub)  # after the limits: its latency middleware is the outermost, it times every answer

    @app.get("/healthz", tags=["public"])
    async def healthz() -> dict:  # async: no I/O, so no thread hop
        """Liveness, and the hub's time: clients correct their clocks by it."""
        return {"ok": True, "now": hub.clock.now().isoformat()}

    @app.exception_handler(e.HaobanError)
    async def domain_error(_request: Request, exc: e.HaobanError):
        return JSONResponse(exc.as_dict(), status_code=exc.status)

    @app.exception_handler(RequestValidationError)
    async def invalid(_request: Request, exc: RequestValidationError):
        # Only where and what kind: never echo the input, which may hold personal data.
        fields = [{"loc": [str(p) for p in err.get("loc", ())], "type": err.get("type")} for err in exc.errors()]
        where = ", ".join(".".join(f["loc"]) for f in fields)
        return _error(422, "invalid_input", "invalid_fields", {"fields": fields}, where=where)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_request: Request, exc: StarletteHTTPException):
        return _error(exc.status_code, "http_error", HTTP_KEYS.get(exc.status_code, "http_error"), detail=exc.detail)

    @app.exception_handler(Exception)
    async def unexpected(_request: Request, exc: Exception):
        log.exception("unexpected error", exc_info=exc)
        return _error(500, "internal", "internal")

    return app
