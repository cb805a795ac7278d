"""The words guide search knows beyond the catalogue: question words to leave out, synonym groups, intent
phrases (a life event -> its 一件事 bundle) and aliases of items. Data in common/search/lexicon.json, for
editors to extend; `Lexicon.from_dict` checks an edited copy and names the first bad entry."""
from __future__ import annotations

import json
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
