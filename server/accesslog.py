"""The access log, when turned on (`access_log = true`), never holds a secret from an address.

A phone page's address holds its ticket's token (/api/v1/public/tickets/{token}), the display board's enrolment
may carry a one-time code in its query (/display?code=…): the filter masks the token and drops every query.
"""
from __future__ import annotations

import logging
import re

TOKEN_PATH = re.compile(r"(/public/tickets/)[^/?]+")


def mask(path: str) -> str:
    path, query, _ = path.partition("?")
    return TOKEN_PATH.sub(r"\1***", path) + ("?…" if query else "")


class MaskSecrets(logging.Filter):
    """For uvicorn's access records: args are (client, method, path with query, HTTP version, status)."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and len(args) >= 3 and isinstance(args[2], str):
            record.args = (*args[:2], mask(args[2]), *args[3:])
        return True


def install() -> None:
    logger = logging.getLogger("uvicorn.access")
    if not any(isinstance(f, MaskSecrets) for f in logger.filters):
        logger.addFilter(MaskSecrets())
