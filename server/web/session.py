"""Who is behind a browser: the display board's device cookie, a supervisor's (or a department's handler's) session
cookie; form bodies.

Every cookie is HttpOnly (no script reads it), SameSite=Strict (no other site's page sends it) and Secure when
the page came over https (directly, or through a proxy trusted by `forwarded_allow_ips`). Every form carries a
CSRF token (double submit: a random value in a cookie and in the form's hidden field `csrf`, which must match),
so a form posted from anywhere but a page of this hub is refused even where SameSite is not kept.
"""
from __future__ import annotations

import hmac
import secrets
from urllib.parse import parse_qs

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from common.domain import errors as e
from common.domain.model import Role
from common.usecases.auth import WEB_ROLES, Actor, Supervisor, WebUser
from server.web import pages

DISPLAY_COOKIE = "haoban_display"
SUPERVISOR_COOKIE = "haoban_session"
CSRF_COOKIE, CSRF_FIELD = "haoban_csrf", "csrf"
DISPLAY_COOKIE_DAYS = 3650  # the TV is enrolled once; revoking the device ends it
SUPERVISOR_COOKIE_SECONDS = 12 * 3600
# A random token of its own, given at each dashboard sign-in (never the session token): it opens nothing and proves
# only that this browser signed in to that account before, so the browser backs off on its own count of wrong PINs,
# not the account's (common.usecases.auth.KnownSignInRow; only its hash is stored).
KNOWN_COOKIE = "haoban_known"
KNOWN_COOKIE_SECONDS = 400 * 86400
MAX_FORM_BYTES = 4096


def set_cookie(request: Request, response: Response, name: str, token: str, max_age: int) -> None:
    response.set_cookie(name, token, max_age=max_age, httponly=True, samesite="strict", path="/",
                        secure=request.url.scheme == "https")


def _csrf_cookie(request: Request) -> str:
    token = request.cookies.get(CSRF_COOKIE, "")
    return token if 20 <= len(token) <= 64 else ""


def form_page(request: Request, template: str, http_status: int = 200, headers: dict | None = None,
              **context) -> HTMLResponse:
    """A page with a form: its hidden CSRF field `csrf` and the cookie it must match (kept while valid)."""
    token = _csrf_cookie(request) or secrets.token_urlsafe(24)
    response = pages.render(template, http_status=http_status, headers=headers, csrf=token, **context)
    set_cookie(request, response, CSRF_COOKIE, token, SUPERVISOR_COOKIE_SECONDS)
    return response


def display(request: Request) -> Actor:
    """The display board enrolled in this browser; Unauthenticated if none (or not a display)."""
    token = request.cookies.get(DISPLAY_COOKIE)
    if not token or len(token) > 200:
        raise e.Unauthenticated()
    actor = request.app.state.hub.actor(token)
    if actor.role is not Role.display:
        raise e.Forbidden()
    return actor


def supervisor(request: Request) -> Supervisor:
    token = request.cookies.get(SUPERVISOR_COOKIE)
    if not token or len(token) > 200:
        raise e.Unauthenticated("sign_in_first")
    return request.app.state.hub.supervisor(token)


def handler(request: Request) -> WebUser:
    """The department's handler signed in in this browser (the same session cookie as a supervisor's)."""
    token = request.cookies.get(SUPERVISOR_COOKIE)
    if not token or len(token) > 200:
        raise e.Unauthenticated("sign_in_first")
    return request.app.state.hub.handler(token)


def known_browser(request: Request) -> str | None:
    token = request.cookies.get(KNOWN_COOKIE)
    return token if token and len(token) <= 200 else None


async def form(request: Request) -> dict[str, str]:
    """A small urlencoded form body as a dict of first values; CsrfInvalid unless its `csrf` field matches the
    cookie of the page it came from (`form_page`)."""
    body = await request.body()
    if len(body) > MAX_FORM_BYTES:
        raise e.InvalidInput("form_too_long")
    fields = {k: v[0] for k, v in parse_qs(body.decode("utf-8", "replace")).items()}
    expected = _csrf_cookie(request)
    if not expected or not hmac.compare_digest(fields.get(CSRF_FIELD, "").encode(), expected.encode()):
        raise e.CsrfInvalid()
    return fields


async def sign_in(request: Request, roles: frozenset[str] = WEB_ROLES) -> tuple[dict, tuple[str, str, str] | None,
                                                                            e.HaobanError | None]:
    """A sign-in form posted (CSRF checked, fields cut to their lengths) through `Hub.web_sign_in` on the sign-in
    threads (server/signins.py: argon2 never on the event loop), for one of `roles`: (what was typed, to show again
    without the PIN; (session token, known token, role) or None; the refusal or None). Every failure answers alike
    (README "Sign-in and back-off")."""
    from server import signins

    hub, fields = request.app.state.hub, {}
    try:
        fields = await form(request)
        found = await signins.run(
            hub.web_sign_in, fields.get("site", "")[:64], fields.get("staff_no", "")[:32], fields.get("pin", "")[:32],
            address=request.client.host if request.client else "", browser_token=known_browser(request), roles=roles)
    except e.HaobanError as exc:
        return {"site": fields.get("site"), "staff_no": fields.get("staff_no", "")[:32]}, None, exc
    return {}, found, None


def signed_in(request: Request, where: str, token: str, known: str) -> Response:
    """After a sign-in: to `where`, with the session's cookie and the browser's known token."""
    response = RedirectResponse(where, status_code=303)
    set_cookie(request, response, SUPERVISOR_COOKIE, token, SUPERVISOR_COOKIE_SECONDS)
    set_cookie(request, response, KNOWN_COOKIE, known, KNOWN_COOKIE_SECONDS)
    return response


def check_csrf_header(request: Request) -> None:
    """A script's POST from a page of this hub: its header `X-CSRF` must match the page's CSRF cookie (branch video)."""
    expected = _csrf_cookie(request)
    if not expected or not hmac.compare_digest(request.headers.get("x-csrf", "").encode(), expected.encode()):
        raise e.CsrfInvalid()


def check_csrf(request: Request, value: str) -> None:
    """A form read by its page's own parser (a guide's, larger than `form` takes): its `csrf` field against the cookie."""
    expected = _csrf_cookie(request)
    if not expected or not hmac.compare_digest(value.encode(), expected.encode()):
        raise e.CsrfInvalid()
