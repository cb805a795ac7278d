"""The words guide search knows beyond the catalogue: question words to leave out, synonym groups, intent
phrases (a life event -> its 一件事 bundle) and aliases of items. Data in common/search/lexicon.json, for
editors to extend; `Lexicon.from_dict` checks an edited copy and names the first bad entry."""
from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib import resources

from common.domain.errors import InvalidInput
from common.search.text import clean


@dataclass(frozen=True)
class Intent:
    phrases: tuple[str, ...]
    targets: tuple[str, ...]  # item or bundle codes


@dataclass(frozen=True)
class Lexicon:
    stop: frozenset[str] = frozenset()
    stop_chars: frozenset[str] = frozenset()
    synonyms: tuple[tuple[str, ...], ...] = ()
    intents: tuple[Intent, ...] = ()
    aliases: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    @classmethod
    def from_dict(cls, data: object) -> Lexicon:
        """A lexicon from its JSON form; InvalidInput("search_lexicon", entry=...) names what is wrong."""
        if not isinstance(data, dict):
            raise InvalidInput("search_lexicon", entry="(top level)")
        return cls(
            stop=frozenset(_words(data.get("stop", []), "stop")),
            stop_chars=frozenset(_words(data.get("stop_chars", []), "stop_chars")),
            synonyms=tuple(tuple(_words(g, f"synonyms[{i}]", 2)) for i, g in enumerate(_list(data, "synonyms"))),
            intents=tuple(_intent(x, i) for i, x in enumerate(_list(data, "intents"))),
            aliases={str(code): tuple(_words(v, f"aliases.{code}", 1)) for code, v in _map(data, "aliases").items()},
        )

    def extended(self, words: Mapping | None) -> Lexicon:
        """This lexicon with the editors' words (`parse_words`'s form) added: their synonym groups after its own,
        their names of an item after its own. Checked as an edited lexicon is (`InvalidInput("search_lexicon")`)."""
        if not words:
            return self
        more = Lexicon.from_dict({"synonyms": list(words.get("synonyms", [])), "aliases": dict(words.get("aliases", {}))})
        aliases = {**self.aliases}
        for code, names in more.aliases.items():
            aliases[code] = tuple(dict.fromkeys((*aliases.get(code, ()), *names)))
        return Lexicon(stop=self.stop, stop_chars=self.stop_chars, synonyms=self.synonyms + more.synonyms,
                       intents=self.intents, aliases=aliases)

    def phrases(self) -> set[str]:
        """Every phrase the lexicon names (they are cut whole and get pinyin keys)."""
        found = {w for g in self.synonyms for w in g} | {p for i in self.intents for p in i.phrases}
        return found | {a for v in self.aliases.values() for a in v}


def _list(data: dict, key: str) -> list:
    value = data.get(key, [])
    if not isinstance(value, list):
        raise InvalidInput("search_lexicon", entry=key)
    return value


def _map(data: dict, key: str) -> dict:
    value = data.get(key, {})
    if not isinstance(value, dict):
        raise InvalidInput("search_lexicon", entry=key)
    return value


def _words(value: object, where: str, least: int = 0) -> list[str]:
    if not isinstance(value, list) or len(value) < least:
        raise InvalidInput("search_lexicon", entry=where)
    words = []
    for i, w in enumerate(value):
        text = clean(w)[0] if isinstance(w, str) else ""
        if not text or len(text) > 32:
            raise InvalidInput("search_lexicon", entry=f"{where}[{i}]")
        words.append(text.replace(" ", ""))
    return words


def _intent(value: object, i: int) -> Intent:
    if not isinstance(value, dict):
        raise InvalidInput("search_lexicon", entry=f"intents[{i}]")
    targets = value.get("targets")
    if not isinstance(targets, list) or not targets or not all(isinstance(t, str) and t for t in targets):
        raise InvalidInput("search_lexicon", entry=f"intents[{i}].targets")
    return Intent(tuple(_words(value.get("phrases"), f"intents[{i}].phrases", 1)), tuple(targets))


@cache
def default_lexicon() -> Lexicon:
    """The lexicon shipped in common/search/lexicon.json."""
    text = resources.files("common.search").joinpath("lexicon.json").read_text("utf-8")
    return Lexicon.from_dict(json.loads(text))


WORDS_LINES = 500  # lines an editor's words may have
_CODE = re.compile(r"^([A-Za-z0-9_.\-]{1,64})\s*[:：]\s*(.+)$")
_MARKS = frozenset("-·・()（）")  # what a word may hold besides letters and digits (e-证照, 个体工商户（个人）)
_SPLIT = re.compile(r"[=＝、,，;；\s]+")


def parse_words(text: str) -> dict:
    """The editors' words from their text, one entry a line: "医保卡 = 社保卡 = 社会保障卡" (a synonym group: two
    words or more, split by = 、 , or spaces) or "YB-01: 补卡、换卡" (more names of an item or bundle, by its code);
    blank lines and lines starting with # are left out. A bad line: `InvalidInput("search_words_line", line=n)`."""
    lines = text.splitlines()
    if len(lines) > WORDS_LINES:
        raise InvalidInput("search_words_many", most=WORDS_LINES)
    synonyms: list[list[str]] = []
    aliases: dict[str, list[str]] = {}
    for n, raw in enumerate(lines, 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        coded = _CODE.match(line)
        words = [w for w in _SPLIT.split(coded.group(2) if coded else line) if w]
        try:
            _words(words, "", 1 if coded else 2)  # checked as the lexicon reads them; kept as the editor wrote them
        except InvalidInput:
            raise InvalidInput("search_words_line", line=n) from None
        if not all(c.isalnum() or c in _MARKS for w in words for c in w):  # words only: no markup, no control
            raise InvalidInput("search_words_line", line=n)
        if coded:
            names = aliases.setdefault(coded.group(1), [])
            names.extend(w for w in dict.fromkeys(words) if w not in names)
        else:
            synonyms.append(list(dict.fromkeys(words)))
    return {"synonyms": synonyms, "aliases": aliases}


def words_text(words: Mapping | None) -> str:
    """The editors' words back as the text `parse_words` reads."""
    if not words:
        return ""
    lines = [" = ".join(g) for g in words.get("synonyms", [])]
    return "\n".join(lines + [f"{code}: {'、'.join(names)}" for code, names in words.get("aliases", {}).items()])
