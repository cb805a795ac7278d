"""The kiosk's 查询·办事指南, without Qt (docs/guide-search.md, "On the kiosk"): the search index of the catalogue the
kiosk holds offline, built once and again only when the reference data changes; a query's hits as the kiosk's usual
choices (items and 一件事 bundles, the dicts `KioskService.take_ticket` takes); a matter's page (department, category,
the queue and windows that serve it). A search that found nothing is reported to the hub when the citizen leaves the
screen, masked (runs of four digits or more become '#'), for the editors' list of words to add."""
from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

import i18n
from common.devices.printer import GuideList
from common.domain.events import SEARCH_MISSED
from common.domain.limits import MISS_TEXT_MAX
from common.stations.ticketing import KioskService

if TYPE_CHECKING:  # imported when the index is first built (pypinyin and jieba take 0.4 s): not on the kiosk's start
    from common.domain.guide import Guide
    from common.search import Answer, Index

SHOWN = 8  # results on the screen at most
CHIPS = ("身份证丢了", "孩子出生", "退休", "医保卡", "公积金", "开公司")  # the quick questions under the search box


@dataclass(frozen=True)
class Found:
    """What a query found: `choices` (at most SHOWN, best first) and the engine's `reasons` (codes of i18n/errors)."""

    choices: list[dict]
    reasons: tuple[str, ...]
    miss: bool


class GuideDesk:
    def __init__(self, service: KioskService) -> None:
        self.service = service
        self._version: object = None
        self._index: Index | None = None
        self._choices: dict[str, dict] = {}  # by code, as the index's hits name them
        # (reference version, guides by item code, bundles by code with their items): read again on another version
        self._held: tuple[object, dict[str, Guide], dict[str, tuple[dict, list[dict]]]] = (None, {}, {})
        self._lock = threading.Lock()  # the kiosk builds it in the background at start; a search may come meanwhile
        self.misses = 0  # searches that found nothing, counted as the screen was left
        self._missed: str | None = None  # the masked text of the last search, while it found nothing

    def _reference_version(self) -> object:
        return (self.service.client.store.get("reference") or {}).get("version")

    def index(self) -> Index:
        """The index of the catalogue in the kiosk's store, rebuilt when a sync brought other reference data."""
        with self._lock:
            version = self._reference_version()
            if self._index is None or version != self._version:
                tables = self.service._tables()  # raises HubUnreachable("kiosk_no_catalogue") before the first sync
                self._index, self._choices = _build(tables)
                self._version = version
            return self._index

    def search(self, query: object) -> Found:
        index = self.index()
        answer: Answer = index.search(query, limit=SHOWN)
        self._missed = answer.query.strip()[:MISS_TEXT_MAX] if answer.miss else None  # typing on: the longer one
        choices = [self._choices[h.id] for h in answer.hits if h.id in self._choices][:SHOWN]
        return Found(choices, answer.reasons, answer.miss)

    def leave(self) -> bool:
        """The citizen left the search screen: a last search that found nothing is reported to the hub with the
        next sync (`search_missed`, its masked text only) so editors can add the word. Never raises."""
        text, self._missed = self._missed, None
        if not text or len(text) < 2 or not text.isprintable():  # one stray character says nothing
            return False
        self.misses += 1
        try:
            self.service.client.record(SEARCH_MISSED, {"text": text})
        except Exception:  # noqa: BLE001 - a full disk must not stop the kiosk: the miss is only lost
            return False
        return True

    def _reference(self) -> tuple[dict[str, Guide], dict[str, tuple[dict, list[dict]]]]:
        """The guides (by item code) and the 一件事 bundles (by code, with their items in the reference data's order)
        of the reference data the kiosk holds: one read of the store, parsed again only when a sync brought another
        version (a kiosk offline shows the version it has, `Guide.version`)."""
        from common.guides.files import from_wire

        reference = self.service.client.store.get("reference") or {}
        version = reference.get("version")
        with self._lock:
            if self._held[0] != version or version is None:
                tables = reference.get("tables", {})
                items = {i["id"]: i for i in tables.get("service_items", [])}
                inside: dict[str, list[dict]] = {}
                for link in tables.get("bundle_items", []):
                    if link["item_id"] in items:
                        inside.setdefault(link["bundle_id"], []).append(items[link["item_id"]])
                self._held = (version, {g.item: g for g in from_wire(tables.get("guides", []))},
                              {b["code"]: (b, inside.get(b["id"], [])) for b in tables.get("bundles", [])})
            return self._held[1], self._held[2]

    def guide(self, code: str) -> Guide | None:
        """An item's guide (by its code) as the kiosk holds it offline: the version the last sync brought, whatever
        the hub has published since."""
        return self._reference()[0].get(code)

    def bundle(self, code: str) -> tuple[dict, list[Guide], list[dict]] | None:
        """A 一件事 bundle by its code: the bundle, the guides of its items (in the bundle's order) and its items
        without a guide ({name, name_en}); None when `code` is not a bundle's."""
        guides, bundles = self._reference()
        if code not in bundles:
            return None
        bundle, inside = bundles[code]
        return bundle, [guides[i["code"]] for i in inside if i["code"] in guides], [
            {"name": i["name"], "name_en": i.get("name_en") or i["name"]} for i in inside if i["code"] not in guides]

    def told(self, code: str, answers: dict[str, str]) -> dict | None:
        """The guide of a matter (an item, or a bundle: its items' lists united) as the screen shows it under these
        answers (common.guides.tell.view, bundle_view), or None when it has none."""
        from common.guides import tell

        guide = self.guide(code)
        if guide is not None:
            return tell.view(guide, answers)
        found = self.bundle(code)
        if found is None or not found[1]:
            return None
        bundle, guides, missing = found
        return tell.bundle_view(code, bundle["name"], bundle.get("name_en") or "", guides, missing, answers)

    def prepare(self, code: str | None, answers: dict[str, str] | None = None) -> tuple[str, str]:
        """A ticket's "请准备" (Chinese, English) from the matter's guide (a bundle's: its items' united): the required
        materials, or those the citizen's answers call for; ("", "") for a matter without a guide."""
        from common.guides import rules, tell

        guide = self.guide(code) if code else None
        if guide is not None:
            told = rules.checklist(guide, answers or {})
        else:
            found = self.bundle(code or "")
            if found is None or not found[1]:
                return "", ""
            told = rules.bundle_checklist(found[1], {g.item: tell.item_answers(g.item, answers or {}) for g in found[1]})
        return tell.prepare(told), tell.prepare_en(told)

    def print_list(self, code: str, answers: dict[str, str]) -> None:
        """Print the 一次告知 list on the kiosk's receipt printer (raises PrinterFailed), its QR the phone page."""
        from common.guides import tell

        shown = self.told(code, answers)
        if shown is None:
            raise LookupError(code)
        url = tell.link_of(self.service.public_url, shown)
        self.service.printer.print_guide_list(guide_list(self.service.site_name(), shown, url,
                                                         self.service.client.now()))

    def matter(self, choice: dict) -> dict:
        """The matter's page: its queue (letter and name) and the windows that call it, by number."""
        tables = self.service._tables()
        queue = next((q for q in tables["queues"] if q["id"] == choice["queue_id"]), {"letter": "", "name": ""})
        serving = {wq["window_id"] for wq in tables["window_queues"] if wq["queue_id"] == choice["queue_id"]}
        windows = sorted((w for w in tables["windows"] if w["id"] in serving), key=lambda w: w["number"])
        return {**choice, "queue": f"{queue['letter']} · {queue['name']}".strip(" ·"),
                "queue_en": f"{queue['letter']} · {i18n.name(queue['name'], 'en', KioskService.own_names(tables))}".strip(" ·"),
                "windows": [w["number"] for w in windows]}


def _build(tables: dict) -> tuple[Index, dict[str, dict]]:
    from common.search import Index, catalogue_docs, default_lexicon

    by_id = {i["id"]: i for i in tables["service_items"]}
    inside: dict[str, list[str]] = {}
    for link in tables.get("bundle_items", []):
        if link["item_id"] in by_id:
            inside.setdefault(link["bundle_id"], []).append(by_id[link["item_id"]]["code"])
    choices: dict[str, dict] = {}
    own = KioskService.own_names(tables)
    for i in tables["service_items"]:
        choices[i["code"]] = {**KioskService._choice(i, own), "category": i["category"]}
    departments = {}
    for b in tables["bundles"]:
        codes = inside.get(b["id"], [])
        departments[b["code"]] = "、".join(dict.fromkeys(choices[c]["department"] for c in codes if c in choices))
        choices[b["code"]] = {"id": b["id"], "name": b["name"], "name_en": b.get("name_en") or "", "queue_id": b["queue_id"],
                              "bundle": True, "minutes": None, "department": departments[b["code"]],
                              "department_en": i18n.name(departments[b["code"]], "en", own), "category": "bundle",
                              "code": b["code"]}
    catalogue = {"items": tables["service_items"],
                 "bundles": [{**b, "items": inside.get(b["id"], []), "department": departments[b["code"]]}
                             for b in tables["bundles"]]}
    lexicon = default_lexicon()
    for words in tables.get("search_words", [])[:1]:  # the editors' words, as the hub published them
        try:
            lexicon = lexicon.extended(words.get("words"))
        except Exception:  # noqa: BLE001 - words the hub checked cannot fail here; if they do, search without them
            lexicon = default_lexicon()
    return Index(catalogue_docs(catalogue, lexicon.aliases), lexicon), choices


def guide_list(site_name: str, shown: dict, url: str, at: datetime) -> GuideList:
    """The printed list of a `view(...)` (what the screen shows is what is printed)."""
    answered = tuple(f"{a['question']}{a['answer']}" for a in shown["answered"])
    notes = ("尚有问题未回答，以上为必备材料" if not shown["final"] else "",) + tuple(
        f"{m['name']}的办事指南尚在编写，其材料未列入" for m in shown.get("missing", ())) + (("示例内容",) if shown["sample"] else ())
    if shown.get("bundle"):
        answered = (f"包含 {len(shown['items'])} 个事项：" + "、".join(i["name"] for i in shown["items"]),) + answered
    return GuideList(site_name=site_name, name=shown["name"], version=shown["version"], published=shown["published"],
                     answered=answered, materials=tuple((m["name"], m["form"], m["copies"], m["required"])
                                                        for m in shown["materials"]),
                     promised_days=shown["promised_days"], visits=shown["visits"],
                     fees=tuple((f["name"], f["yuan"]) for f in shown["fees"]), place=shown["place"],
                     hours=shown["hours"], phone=shown["consult_phone"], url=url, printed_at=at,
                     notes=tuple(n for n in notes if n))
