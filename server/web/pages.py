"""Rendering pages from the templates in server/web/templates (Jinja2, autoescaped), and bilingual error pages.

Templates take their texts from the catalogues in i18n/: `{{ t("web.title") }}` is text "title" of i18n/web.json
in the page's language, `{{ t("phone.called", "en", w=3) }}` one in English with its field filled."""
from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape

import i18n

_env = Environment(loader=FileSystemLoader(Path(str(resources.files("server.web") / "templates"))), autoescape=select_autoescape(["html"]))
# Pages load only what the hub serves, and may not be framed by another site.
HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
                               "frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}


HTML_LANG = {"zh_CN": "zh-CN", "en": "en", "zh_Hant": "zh-Hant"}


def render(name: str, http_status: int = 200, headers: dict | None = None, lang: str = i18n.DEFAULT,
           **context) -> HTMLResponse:
    """The template `name` in `lang` (the language of its `t(...)` texts; `tn(name)` a department's or queue's name in
    it, i18n.name)."""
    html = _env.get_template(name).render(t=translator(lang), tn=lambda text: i18n.name(text or "", lang),
                                          html_lang=HTML_LANG[lang], **context)
    return HTMLResponse(html, status_code=http_status, headers={**HEADERS, **(headers or {})})


def lang_of(request) -> str:
    """The page's language: English with `?lang=en`, else 中文 (every staff page reads it so)."""
    return "en" if request.query_params.get("lang") == "en" else i18n.DEFAULT


def translator(page_lang: str):
    """`t("catalogue.key", lang=None, **fields)`: a catalogue's text in `lang`, by default the page's."""
    def t(dotted: str, lang: str | None = None, **fields) -> str:
        catalogue, key = dotted.split(".", 1)
        return i18n.text(catalogue, key, lang or page_lang, **fields)
    return t


def texts_of(name: str, lang: str, prefix: str = "") -> dict[str, str]:
    """A catalogue's texts in `lang` (those whose key starts with `prefix`), for a page's script."""
    return {k: v for k, v in i18n.by_language(name)[lang].items() if k.startswith(prefix)}


def script_json(value) -> str:
    """`value` as JSON safe inside <script type="application/json">."""
    return json.dumps(value, ensure_ascii=False).replace("<", "\\u003c")


def wants_html(request: Request) -> bool:
    """A browser asking for a page (rather than a client asking for JSON)."""
    return "text/html" in request.headers.get("accept", "")


def message(zh: str, en: str, status: int, headers: dict | None = None) -> HTMLResponse:
    return render("message.html", http_status=status, headers=headers, zh=zh, en=en)
