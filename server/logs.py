"""The hub's logs: one JSON object a line, to the journal under systemd, else to stderr or a rotating file; never a
citizen's ID number, phone or name.

Stdlib logging with a formatter of our own: a line is `{"ts", "level", "logger", "msg"[, "exc"]}`. Under systemd
(JOURNAL_STREAM names our stderr) each line starts with its syslog priority (`<3>`), which journald reads as the
entry's PRIORITY (`journalctl -p warning`), and journald keeps the time and rotates. Elsewhere, `--log-file` writes
a file that rotates at 10 MB, five kept.

`PersonalData`, on the handler, so on every record of every logger: ID numbers (18 digits with a final X, and the old
15), mobile phones (1[3-9] and nine digits, with +86 or separators) become `[id]` and `[phone]` anywhere in the line
and the traceback; Chinese characters in a log call's arguments and in exception texts become `[zh]`: a name can
only come that way, since the code's messages are English (tests/unit/test_logs.py holds the code to it).
"""
from __future__ import annotations

import json
import logging
import os
import re
import sys
import traceback
import urllib.parse
from datetime import datetime, timezone
from logging.handlers import RotatingFileHandler
from typing import IO

ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])(?:\d{17}[0-9Xx]|\d{15})(?![0-9A-Za-z])")
PHONE = re.compile(r"(?<![0-9])(?:(?:\+|00)?86[- ]?)?1[3-9]\d[- ]?\d{4}[- ]?\d{4}(?![0-9])")
PERCENT = re.compile(r"(?:%[0-9A-Fa-f]{2})+")
HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]+")
ROTATE_BYTES, ROTATE_KEEP = 10 * 1024 * 1024, 5
PRIORITY = {logging.CRITICAL: 2, logging.ERROR: 3, logging.WARNING: 4, logging.INFO: 6, logging.DEBUG: 7}  # syslog's


def mask_digits(text: str) -> str:
    return PHONE.sub("[phone]", ID_NUMBER.sub("[id]", text))


def mask(text: str) -> str:
    """What may come from a citizen: digits patterns and every Chinese character masked (also percent-encoded, as
    an address in the access log has them)."""
    text = PERCENT.sub(lambda m: urllib.parse.unquote(m[0]), text)
    return HAN.sub("[zh]", mask_digits(text))


class PersonalData(logging.Filter):
    """Masks a record's message and traceback before any formatter sees them (see the module's docstring)."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple):
            args = tuple(a if isinstance(a, int | float) else mask(str(a)) for a in args)
        elif isinstance(args, dict):
            args = {k: v if isinstance(v, int | float) else mask(str(v)) for k, v in args.items()}
        try:
            message = str(record.msg) % args if args else str(record.msg)
        except (TypeError, ValueError):  # a bad format string: say so rather than lose the line
            message = f"{record.msg!s} (arguments not formatted)"
        record.msg, record.args = mask_digits(message), None
        if record.exc_info and not record.exc_text:
            record.exc_text = "".join(traceback.format_exception(*record.exc_info)).rstrip()
        if record.exc_text:
            record.exc_text = mask(record.exc_text)
        record.exc_info = None  # formatted (and masked) above: never formatted again from the raw exception
        if record.stack_info:
            record.stack_info = mask(record.stack_info)
        return True


class JsonLines(logging.Formatter):
    """One JSON object a line; `journal`: prefixed with the syslog priority for journald."""

    def __init__(self, journal: bool = False) -> None:
        super().__init__()
        self.journal = journal

    def format(self, record: logging.LogRecord) -> str:
        line = {"ts": datetime.fromtimestamp(record.created, timezone.utc).isoformat(timespec="milliseconds"),
                "level": record.levelname.lower(), "logger": record.name, "msg": record.getMessage()}
        if record.exc_text:
            line["exc"] = record.exc_text
        if record.stack_info:
            line["stack"] = record.stack_info
        text = json.dumps(line, ensure_ascii=False)
        return f"<{PRIORITY.get(record.levelno, 6)}>{text}" if self.journal else text


def under_journal(stream: IO, env=os.environ) -> bool:
    """systemd connected `stream` to the journal: JOURNAL_STREAM is "<device>:<inode>" of that very file."""
    device, _, inode = env.get("JOURNAL_STREAM", "").partition(":")
    try:
        st = os.fstat(stream.fileno())
    except (OSError, ValueError, AttributeError):
        return False
    return f"{st.st_dev}:{st.st_ino}" == f"{device}:{inode}"


def setup(level: str = "warning", log_file: str = "", stream: IO | None = None, env=os.environ) -> logging.Handler:
    """Every logger of the process (uvicorn's too) through one handler of ours: stderr (the journal under systemd) or
    `log_file`. Called again, it replaces its own handler (a worker process of `serve` calls it for itself)."""
    handler: logging.Handler
    if log_file:
        handler = RotatingFileHandler(log_file, maxBytes=ROTATE_BYTES, backupCount=ROTATE_KEEP, encoding="utf-8")
        handler.setFormatter(JsonLines())
    else:
        stream = stream or sys.stderr
        handler = logging.StreamHandler(stream)
        handler.setFormatter(JsonLines(journal=under_journal(stream, env)))
    handler.addFilter(PersonalData())
    handler.set_name("haoban")
    root = logging.getLogger()
    for old in [h for h in root.handlers if h.get_name() == "haoban"]:
        root.removeHandler(old)
        old.close()
    root.addHandler(handler)
    root.setLevel(level.upper())
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):  # their lines come to ours, not to their handlers
        logger = logging.getLogger(name)
        logger.handlers.clear()
        logger.propagate = True
    return handler
