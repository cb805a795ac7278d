"""Pinyin keys of the index's words, from pypinyin (no table of our own), and a reader of pinyin queries.

A word gets every spelling its characters allow (heteronyms: 长 chang/zhang, 重 zhong/chong, 行 xing/hang),
each as full pinyin (yibaoka), as initials (ybk, two letters or more) and as a "fuzzy" full spelling that
forgives what Shanghai speakers mix up in Mandarin (zh/z, ch/c, sh/s, -ng/-n). A query of letters is cut
into keys by the fewest pieces that cover the most letters; each piece names the index words it spells."""
from __future__ import annotations

import bisect
import itertools
import re
from collections import defaultdict
from collections.abc import Callable
from functools import cache

from pypinyin import Style, lazy_pinyin, pinyin

SPELLINGS_CAP = 8  # spellings kept per word (a word of many polyphones would otherwise multiply)
_LONGEST = 24  # letters of the longest key tried
UNREAD = 3.0  # the cost of a letter a reading leaves unread (a piece costs 1)
TYPED, TYPING = 1.5, 12  # the cost of a last piece that only starts a key; how many keys it may start


@cache
def readings(ch: str) -> tuple[str, ...]:
    """Every toneless reading of one character, the most common first; () for a non-Han character."""
    found = pinyin(ch, style=Style.NORMAL, heteronym=True, errors="ignore")
    return tuple(dict.fromkeys(r for r in (found[0] if found else []) if r.isalpha()))


def spellings(word: str) -> list[tuple[str, ...]]:
    options = [readings(ch) for ch in word]
    if not all(options):
        return []
    return list(itertools.islice(itertools.product(*options), SPELLINGS_CAP))


_FUZZ = [(re.compile(a), b) for a, b in (("zh", "z"), ("ch", "c"), ("sh", "s"), ("ng", "n"))]


def fuzzy(letters: str) -> str:
    for pattern, repl in _FUZZ:
        letters = pattern.sub(repl, letters)
    return letters


def spoken(run: str) -> str:
    """The usual full pinyin of a Han run, read in context (for typos of a near-homophone: 医宝卡 -> yibaoka)."""
    return "".join(lazy_pinyin(run, style=Style.NORMAL, errors="ignore"))


Piece = tuple[str, frozenset[str]]  # (how matched, the words a piece of a pinyin query spells)


class Keys:
    """Pinyin key -> the index words it spells: full, initials and fuzzy, each its own table."""

    def __init__(self) -> None:
        self.full: dict[str, set[str]] = defaultdict(set)
        self.initials: dict[str, set[str]] = defaultdict(set)
        self.fuzzy: dict[str, set[str]] = defaultdict(set)
        self._sorted: list[str] | None = None  # the full keys in order, for a pinyin still being typed

    def add(self, word: str) -> None:
        self._sorted = None
        for spelling in spellings(word):
            whole = "".join(spelling)
            self.full[whole].add(word)
            self.fuzzy[fuzzy(whole)].add(word)
            if len(word) > 1:
                self.initials["".join(s[0] for s in spelling)].add(word)

    def read(self, letters: str) -> tuple[int, list[Piece]]:
        """How many letters were left unread, and the pieces of `letters` as (how matched, words): the
        cheapest reading, where a piece costs 1 (initials 1.2, fuzzy 1.6) and a letter left unread 3, so
        sebaoka reads as one fuzzy 社保卡 rather than initials of 生儿 + 保 + 卡."""
        exact = _cut(letters, [("full", self.full, 1, 1.0), ("initials", self.initials, 2, 1.2)], self._typing)
        soft = _cut(fuzzy(letters), [("fuzzy", self.fuzzy, 2, 1.6)])
        best = soft if soft[0] < exact[0] else exact
        return best[1], best[2]

    def _typing(self, tail: str) -> frozenset[str]:
        """The words of the full keys that start with `tail` (shenf -> 身份证 ...): the last syllables of a
        query still being typed."""
        if self._sorted is None:
            self._sorted = sorted(self.full)
        at = bisect.bisect_left(self._sorted, tail)
        found: set[str] = set()
        for key in itertools.islice(self._sorted, at, at + TYPING):
            if not key.startswith(tail):
                break
            found |= self.full[key]
        return frozenset(found)


def _cut(letters: str, tables: list[tuple[str, dict[str, set[str]], int, float]],
         typing: Callable[[str], frozenset[str]] | None = None) -> tuple[float, int, list[Piece]]:
    """The cheapest cut of `letters` into keys of `tables` (name, table, shortest key, cost of a piece), the
    last piece maybe the start of a key (`typing`): (cost, letters unread, pieces)."""
    n = len(letters)
    best: list[tuple[float, int, list[Piece]] | None] = [None] * (n + 1)
    best[0] = (0.0, 0, [])
    for i in range(n):
        here = best[i]
        if here is None:
            continue
        cost, unread, path = here
        _offer(best, i + 1, (cost + UNREAD, unread + 1, path))
        for length in range(1, min(_LONGEST, n - i) + 1):
            key = letters[i:i + length]
            for how, table, shortest, price in tables:
                words = table.get(key) if length >= shortest else None
                if words:
                    _offer(best, i + length, (cost + price, unread, path + [(how, frozenset(words))]))
        if typing is not None and n - i >= 2:
            started = typing(letters[i:])
            if started:
                _offer(best, n, (cost + TYPED, unread, path + [("typing", started)]))
    end = best[n]
    assert end is not None  # every position is reachable by leaving a letter unread
    return end


def _offer(best: list, at: int, option: tuple) -> None:
    if best[at] is None or option[0] < best[at][0]:
        best[at] = option
