"""The web pages the hub serves: the hall display board, the citizen's phone page, the supervisors' dashboard, the
departments' page.

Everything a page needs (HTML, CSS, JS, SVG) comes from this package: no CDN, no web font, no build step.
"""
from __future__ import annotations

from importlib import resources
from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

STATIC = Path(str(resources.files(__name__) / "static"))


def install(app: FastAPI) -> None:
    """Add the pages' routes and their static files to the hub's app."""
    from server.web import (
        casepage,
        cases,
        dashboard,
        display,
        guidephone,
        guides,
        handler,
        homecancel,
        homeplan,
        hometeam,
        homevillage,
        homevisits,
        phone,
        ratelimit,
        reports,
        staffing,
        video,
        words,
    )

    app.state.phone_limit = ratelimit.TokenBucket(phone.RATE, phone.BURST)
    video.install(app)
    for module in (display, phone, guidephone, casepage, cases, words, guides, reports, dashboard, handler, video,
                   staffing, homevisits, homeplan, homevillage, hometeam, homecancel):
        app.include_router(module.router)
    app.mount("/web/static", StaticFiles(directory=STATIC), name="web-static")
