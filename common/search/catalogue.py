"""The documents of a catalogue: its service items and 一件事 bundles, in the form the demo data and the
hub's catalogue answer have ({"items": [...], "bundles": [...]}, each with code, name, name_en, department)."""
from __future__ import annotations

from collections.abc import Mapping, Sequence

from common.search.index import Doc

CATEGORY = {"personal": "个人", "enterprise": "企业"}


def catalogue_docs(catalogue: Mapping, aliases: Mapping[str, Sequence[str]] | None = None) -> list[Doc]:
    """One Doc per item and bundle, by code; `aliases` (code -> more names) become its keywords."""
    aliases = aliases or {}
    items = list(catalogue.get("items") or [])
    names = {i["code"]: i["name"] for i in items}
    docs = []
    for item in items:
        docs.append(Doc(item["code"], "item", item["name"], _fields(item, aliases, {
            "category": CATEGORY.get(item.get("category") or "", "")})))
    for bundle in catalogue.get("bundles") or []:
        inside = " ".join(names.get(code, "") for code in bundle.get("items") or [])
        docs.append(Doc(bundle["code"], "bundle", bundle["name"], _fields(bundle, aliases, {"items": inside})))
    return docs


def _fields(entry: Mapping, aliases: Mapping[str, Sequence[str]], more: dict[str, str]) -> dict[str, str]:
    fields = {"name_en": entry.get("name_en") or "", "department": entry.get("department") or "",
              "keywords": " ".join(aliases.get(entry["code"], ())), **more}
    return {k: v for k, v in fields.items() if v}
