"""The text side of guide search: cleaning a query (bounded, full-width folded, lower case, nothing but Han
characters, letters, digits and spaces) and cutting Chinese into the terms the index keeps.

Terms are strings with a kind prefix: `w:` a word (jieba's search-mode cut, rjieba), `b:` a pair of
neighbouring characters, `c:` one character, `e:` an English word (lightly stemmed)."""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache

import rjieba

BOUND = 64  # characters of a query that are searched; the rest is cut off and the answer says so
_PRECUT = BOUND * 16  # a huge input is cut before any work on it

_HAN = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_NOT_KEPT = re.compile(rf"[^{_HAN}a-z0-9]+")
_RUNS = re.compile(rf"[{_HAN}]+|[a-z0-9]+")
_HAN_RUN = re.compile(rf"[{_HAN}]+")
_DIGITS = re.compile(r"\d{4,}")
ENGLISH_STOP = frozenset(
    "a an the of for to in on and or my our your i we you me how do does can what where is are be get it "
    "with at by from please want need".split())


def clean(raw: str) -> tuple[str, bool]:
    """The searchable text of a raw query and whether it was cut to BOUND characters. Never raises: a
    non-string is treated as empty; NFKC folds full-width Latin and digits, then case is folded and every
    other character (punctuation, emoji, controls) becomes a space."""
    if not isinstance(raw, str):
        return "", False
    precut = len(raw) > _PRECUT
    text = unicodedata.normalize("NFKC", raw[:_PRECUT]).casefold()
    text = _NOT_KEPT.sub(" ", text).strip()
    text = " ".join(text.split())
    if len(text) > BOUND:
        return text[:BOUND].rstrip(), True
    return text, precut and bool(text)


def masked(text: str) -> str:
    """The text as it may be kept (a miss reported upstream): runs of four or more digits, which could
    be an ID, a phone or a case number, become '#'."""
    return _DIGITS.sub("#", text)


def runs(text: str) -> list[str]:
    """The runs of a cleaned text: each all Han characters or all letters and digits."""
    return _RUNS.findall(text)


def is_han(run: str) -> bool:
    return bool(_HAN_RUN.fullmatch(run))


def han_only(text: str) -> str:
    return "".join(_HAN_RUN.findall(text))


class Cutter:
    """jieba's cuts (rjieba) with a lexicon's phrases kept whole (社保卡, 一件事). The shipped lexicon's phrases go
    into the process's own jieba; any other lexicon (an editor's draft, a test's) gets a jieba of its own (0.2 s
    to load), so no lexicon changes how another one cuts."""

    def __init__(self, phrases: frozenset[str], shared: bool) -> None:
        self.jieba = rjieba if shared else rjieba.Jieba()
        for word in sorted(phrases):
            if len(word) > 1 and not self.jieba.has_word(word):
                self.jieba.add_word(word, 50_000, "n")
        self.search = lru_cache(maxsize=8192)(self._search)  # bounded: every distinct query a kiosk sees passes here

    def _search(self, run: str) -> tuple[str, ...]:
        """The search-mode cut of a Han run: the whole words and the shorter words inside them."""
        return tuple(w for w in self.jieba.cut_for_search(run) if w.strip())

    def words(self, run: str) -> list[str]:
        """The plain cut of a Han run."""
        return self.jieba.cut(run)


@lru_cache(maxsize=4)
def cutter(phrases: frozenset[str], shared: bool) -> Cutter:
    return Cutter(phrases, shared)


def stem(word: str) -> str:
    """An English word's light stem (cards -> card, registering -> register)."""
    for suffix in ("ing", "es", "s"):
        if len(word) > len(suffix) + 3 and word.endswith(suffix):
            return word[: -len(suffix)]
    return word


def english_terms(run: str) -> list[str]:
    if run.isdigit() or run in ENGLISH_STOP:
        return []
    return ["e:" + stem(run)]


def han_terms(run: str, cuts: Cutter, stop: frozenset[str], stop_chars: frozenset[str]) -> tuple[list[str], list[str]]:
    """The words of a Han run (jieba's cut) and its pieces between question words: a word in `stop`, or
    made only of `stop_chars`, is dropped (孩子出生了要办什么 -> 孩子 出生, one piece 孩子出生)."""
    tokens: list[str] = []
    pieces: list[str] = []
    piece = ""
    whole = cuts.words(run)
    for token in whole:
        if token in stop or all(ch in stop_chars for ch in token):
            if piece:
                pieces.append(piece)
            piece = ""
        else:
            piece += token
            tokens.append(token)
    if piece:
        pieces.append(piece)
    return tokens, pieces


def field_terms(text: str, cuts: Cutter) -> Iterable[str]:
    """Every term of a document's field (no stop words: a title is kept whole)."""
    for run in runs(text):
        if is_han(run):
            yield from ("w:" + w for w in cuts.search(run))
            yield from ("b:" + run[i:i + 2] for i in range(len(run) - 1))
            yield from ("c:" + ch for ch in run)
        else:
            yield from english_terms(run)
