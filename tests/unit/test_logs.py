"""The hub's log lines: JSON, one a line, the journal's priority under systemd, rotation, and no personal data."""
from __future__ import annotations

import ast
import io
import json
import logging
import os
from pathlib import Path

import pytest

from server import logs

ROOT = Path(__file__).resolve().parents[2]
ID_NUMBER = "31011519900307123X"
OLD_ID = "310115900307123"
PHONE = "13812345678"
NAME = "张美玲"


@pytest.fixture
def captured():
    out = io.StringIO()
    handler = logs.setup("info", stream=out, env={})
    yield out
    logging.getLogger().removeHandler(handler)


def lines(out: io.StringIO) -> list[dict]:
    return [json.loads(x) for x in out.getvalue().splitlines()]


def test_a_line_is_one_json_object_with_level_logger_and_message(captured):
    logging.getLogger("haoban.test").warning("window %s paused for %d minutes", "w-3", 15)
    [line] = lines(captured)
    assert line["level"] == "warning" and line["logger"] == "haoban.test"
    assert line["msg"] == "window w-3 paused for 15 minutes"
    assert line["ts"].endswith("+00:00")


@pytest.mark.parametrize("given", [ID_NUMBER, ID_NUMBER.lower(), OLD_ID, PHONE, "+86 138-1234-5678", "8613812345678",
                                   "138 1234 5678"])
def test_id_numbers_and_phones_never_reach_the_output_from_arguments_or_the_message(captured, given):
    log = logging.getLogger("haoban.test")
    log.info("looked up %s", given)
    log.info(f"an f-string with {given} in it")  # noqa: G004 - the masking covers even this
    log.info("as a mapping %(who)s", {"who": given})
    text = captured.getvalue()
    digits = "".join(ch for ch in given if ch.isdigit())
    assert digits[-8:] not in text.replace("-", "").replace(" ", "")
    assert len(lines(captured)) == 3 and all("[id]" in x["msg"] or "[phone]" in x["msg"] for x in lines(captured))


def test_a_name_in_arguments_or_in_an_exception_never_reaches_the_output(captured):
    log = logging.getLogger("haoban.test")
    log.info("case reporter %s, phone %s, card %s", NAME, PHONE, ID_NUMBER)
    try:
        raise ValueError(f"bad row for {NAME} {ID_NUMBER} {PHONE}")
    except ValueError:
        log.exception("import failed")
    text = captured.getvalue()
    for secret in (NAME, "张", ID_NUMBER, PHONE):
        assert secret not in text
    first, second = lines(captured)
    assert first["msg"] == "case reporter [zh], phone [phone], card [id]"
    assert second["msg"] == "import failed" and "ValueError: bad row for [zh] [id] [phone]" in second["exc"]


def test_numbers_that_are_not_personal_data_stay(captured):
    logging.getLogger("haoban.test").info("event #%s of %s, 1234567890123 ms, ticket A012", 123456, "0191e0c2-7d3a")
    assert lines(captured)[0]["msg"] == "event #123456 of 0191e0c2-7d3a, 1234567890123 ms, ticket A012"


def test_under_systemd_each_line_starts_with_its_syslog_priority(tmp_path):
    with open(tmp_path / "journal", "w+", encoding="utf-8") as stream:
        st = os.fstat(stream.fileno())
        handler = logs.setup("info", stream=stream, env={"JOURNAL_STREAM": f"{st.st_dev}:{st.st_ino}"})
        try:
            log = logging.getLogger("haoban.test")
            log.error("the writer stopped")
            log.info("closed past business days: %d tickets expired", 3)
        finally:
            logging.getLogger().removeHandler(handler)
        stream.seek(0)
        error, info = stream.read().splitlines()
    assert error.startswith("<3>{") and json.loads(error[3:])["msg"] == "the writer stopped"
    assert info.startswith("<6>{")
    # another stream than the one JOURNAL_STREAM names (a child's redirected stderr): no prefix
    assert not logs.under_journal(io.StringIO(), {"JOURNAL_STREAM": f"{st.st_dev}:{st.st_ino}"})


def test_a_log_file_rotates_and_keeps_five(tmp_path, monkeypatch):
    monkeypatch.setattr(logs, "ROTATE_BYTES", 2000)
    path = tmp_path / "hub.log"
    handler = logs.setup("info", log_file=str(path))
    try:
        for n in range(400):
            logging.getLogger("haoban.test").info("line %d of a busy day, phone %s", n, PHONE)
    finally:
        logging.getLogger().removeHandler(handler)
        handler.close()
    files = sorted(p.name for p in tmp_path.iterdir())
    assert files == ["hub.log", "hub.log.1", "hub.log.2", "hub.log.3", "hub.log.4", "hub.log.5"]
    last = [json.loads(x) for x in path.read_text("utf-8").splitlines()]
    assert last[-1]["msg"] == "line 399 of a busy day, phone [phone]"
    assert all(PHONE not in p.read_text("utf-8") for p in tmp_path.iterdir())


def _log_calls(tree: ast.AST):
    for node in ast.walk(tree):
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.args
                and node.func.attr in ("debug", "info", "warning", "error", "exception", "critical")
                and isinstance(node.func.value, ast.Name) and node.func.value.id in ("log", "logger", "logging")):
            yield node


def test_the_shipped_code_logs_fixed_english_messages_only():
    """A name could only reach a log through the message itself: every log call of the shipped code has a plain
    string literal without Chinese as its message (values go in as arguments, which the filter masks)."""
    bad, seen = [], 0
    for top in ("common", "server", "kiosk", "terminal", "qtbase"):
        for path in (ROOT / top).rglob("*.py"):
            for call in _log_calls(ast.parse(path.read_text("utf-8"))):
                seen += 1
                message = call.args[0]
                if not (isinstance(message, ast.Constant) and isinstance(message.value, str)) or logs.HAN.search(message.value):
                    bad.append(f"{path.relative_to(ROOT)}:{call.lineno}")
    assert seen >= 10  # the walk found the log calls (10 when this was written)
    assert not bad, f"log messages that are not a plain English literal: {bad}"
