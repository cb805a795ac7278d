"""Rendering pages from the templates in server/web/templates (Jinja2, autoescaped), and bilingual error pages."""
from __future__ import annotations

from pathlib import Path

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape

_env = Environment(loader=FileSystemLoader(Path(__file__).parent / "templates"), autoescape=select_autoescape(["html"]))
# Pages load only what the hub serves, and may not be framed by another site.
HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
                               "frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}


def render(name: str, http_status: int = 200, headers: dict | None = None, **context) -> HTMLResponse:
    html = _env.get_template(name).render(**context)
    return HTMLResponse(html, status_code=http_status, headers={**HEADERS, **(headers or {})})


def wants_html(request: Request) -> bool:
    """A browser asking for a page (rather than a client asking for JSON)."""
    return "text/html" in request.headers.get("accept", "")


def message(zh: str, en: str, status: int, headers: dict | None = None) -> HTMLResponse:
    return render("message.html", http_status=status, headers=headers, zh=zh, en=en)
