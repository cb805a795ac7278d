"""A catalogue of guides as one JSON file (schema `haoban.guides/1`): read all or none, every bad entry named
with its path (`guides[3].materials[2].copies`) in Chinese and English; written back the same way."""
from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from importlib import resources

from pydantic import ValidationError

import i18n
from common.domain.errors import InvalidInput
from common.domain.guide import SCHEMA, Guide, GuideFile
from common.guides.rules import Problem, problems

FILE_MAX = 16 * 1024 * 1024  # bytes of one file
GUIDES_MAX = 10_000  # guides in one file
SHOWN_MAX = 20  # problems named in the message (all of them stay in `.problems`)

# pydantic's error types -> our error texts
_KINDS = {"missing": "guide_missing", "extra_forbidden": "guide_unknown_field", "string_too_long": "guide_too_long",
          "too_long": "guide_too_many", "value_error": "guide_bad_text", "string_pattern_mismatch": "guide_bad_text",
          "string_too_short": "guide_missing", "too_short": "guide_too_few", "greater_than_equal": "guide_range",
          "less_than_equal": "guide_range", "enum": "guide_choice", "literal_error": "guide_choice",
          "datetime_parsing": "guide_time", "datetime_from_date_parsing": "guide_time", "timezone_aware": "guide_time",
          "datetime_type": "guide_time"}


class GuideFileError(InvalidInput):
    """The file is refused as a whole; `.problems` lists every one found."""

    def __init__(self, found: Sequence[Problem]) -> None:
        self.problems = list(found)
        shown = self.problems[:SHOWN_MAX]
        listed = {lang: "；".join(f"{p.path}：{i18n.text('errors', p.code, lang)}" for p in shown)
                  if lang != "en" else "; ".join(f"{p.path}: {i18n.text('errors', p.code, 'en')}" for p in shown)
                  for lang in i18n.LANGUAGES}
        super().__init__("guide_file", count=len(self.problems), problems=listed)


def _path(loc: Iterable[int | str]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(file)"


def load(data: bytes | str) -> tuple[Guide, ...]:
    """The guides of a JSON file, or GuideFileError naming every problem (nothing is half read)."""
    if len(data) > FILE_MAX:
        raise GuideFileError([Problem("(file)", "guide_file_size")])
    try:
        raw = json.loads(data)
    except (ValueError, UnicodeDecodeError):
        raise GuideFileError([Problem("(file)", "guide_not_json")]) from None
    if not isinstance(raw, dict):
        raise GuideFileError([Problem("(file)", "guide_not_json")])
    return from_raw(raw)


def from_raw(raw: dict) -> tuple[Guide, ...]:
    """The guides of a file's parsed JSON (or of a workbook's rows), all or none."""
    if raw.get("schema", SCHEMA) != SCHEMA:
        raise GuideFileError([Problem("schema", "guide_schema")])
    entries = raw.get("guides", [])
    found: list[Problem] = []
    try:
        GuideFile.model_validate({**raw, "guides": ()})  # the envelope: no unknown keys
    except ValidationError as e:
        found += _problems(e, ())
    if not isinstance(entries, list):
        raise GuideFileError([*found, Problem("guides", "guide_field")])
    if len(entries) > GUIDES_MAX:
        raise GuideFileError([*found, Problem("guides", "guide_too_many")])
    guides: list[Guide] = []
    seen: set[str] = set()
    for i, entry in enumerate(entries):  # each guide on its own: one bad guide hides nothing of another
        try:
            g = Guide.model_validate(entry)
        except ValidationError as e:
            found += _problems(e, ("guides", i))
            continue
        if g.item in seen:
            found.append(Problem(f"guides[{i}].item", "guide_duplicate"))
        seen.add(g.item)
        found += problems(g, f"guides[{i}].")
        guides.append(g)
    if found:
        raise GuideFileError(found)
    return tuple(guides)


def _problems(e: ValidationError, under: tuple[int | str, ...]) -> list[Problem]:
    return [Problem(_path((*under, *err["loc"])), _KINDS.get(err["type"], "guide_field")) for err in e.errors()]


def dump(guides: Sequence[Guide]) -> str:
    """The JSON file of these guides (fields at their defaults left out); `load(dump(g)) == g`."""
    body = GuideFile(guides=tuple(guides)).model_dump(mode="json", by_alias=True, exclude_defaults=True)
    return json.dumps({"schema": SCHEMA, **body}, ensure_ascii=False, indent=1) + "\n"


def to_wire(guides: Sequence[Guide]) -> list[dict]:
    """Guides as the reference data and the database carry them: each as its JSON object in the file's form."""
    return [g.model_dump(mode="json", exclude_defaults=True) for g in guides]


def from_wire(rows: Sequence[dict]) -> tuple[Guide, ...]:
    """Guides from the reference data (checked as a file is: a hub never hands a device a guide it cannot show)."""
    return from_raw({"guides": list(rows)})


def samples() -> tuple[Guide, ...]:
    """The demo's sample guides (示例内容), shipped in the package."""
    return load(resources.files("common.guides").joinpath("samples.json").read_bytes())
