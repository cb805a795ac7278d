"""Pinyin keys of the index's words, from pypinyin (no table of our own), and a reader of pinyin queries.

A word gets every spelling its characters allow (heteronyms: 长 chang/zhang, 重 zhong/chong, 行 xing/hang),
each as full pinyin (yibaoka), as initials (ybk, two letters or more) and as a "fuzzy" full spelling that
forgives what Shanghai speakers mix up in Mandarin (zh/z, ch/c, sh/s, -ng/-n). A query of letters is cut
into keys by the fewest pieces that cover the most letters; each piece names the index words it spells."""
from __future__ import annotations

import itertools
import re
from collections import defaultdict
from functools import cache

from pypinyin import Style, lazy_pinyin, pinyin

SPELLINGS_CAP = 8  # spellings kept per word (a word of many polyphones would otherwise multiply)
_LONGEST = 24  # letters of the longest key tried


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

    def add(self, word: str) -> None:
        for spelling in spellings(word):
            whole = "".join(spelling)
            self.full[whole].add(word)
            self.fuzzy[fuzzy(whole)].add(word)
            if len(word) > 1:
                self.initials["".join(s[0] for s in spelling)].add(word)

    def read(self, letters: str) -> tuple[int, list[Piece]]:
        """The pieces of `letters` as (how matched, words), by the fewest pieces that leave the fewest
        letters unread, and how many were left unread; how matched is "full", "initials" or "fuzzy" (tried
        when the exact keys leave some letters unread)."""
        unread, path = _cut(letters, [("full", self.full, 1), ("initials", self.initials, 2)])
        if unread:
            soft_unread, soft_path = _cut(fuzzy(letters), [("fuzzy", self.fuzzy, 2)])
            if soft_unread < unread:
                return soft_unread, soft_path
        return unread, path



def _cut(letters: str, tables: list[tuple[str, dict[str, set[str]], int]]) -> tuple[int, list[Piece]]:
    """The cut of `letters` into keys of `tables` (name, table, shortest key) that leaves the fewest letters
    unread, then has the fewest pieces: (letters unread, pieces)."""
    n = len(letters)
    best: list[tuple[int, int, list[Piece]] | None] = [None] * (n + 1)
    best[0] = (0, 0, [])
    for i in range(n):
        here = best[i]
        if here is None:
            continue
        unread, count, path = here
        _offer(best, i + 1, (unread + 1, count, path))
        for length in range(1, min(_LONGEST, n - i) + 1):
            key = letters[i:i + length]
            for how, table, shortest in tables:
                words = table.get(key) if length >= shortest else None
                if words:
                    _offer(best, i + length, (unread, count + 1, path + [(how, frozenset(words))]))
    end = best[n]
    assert end is not None  # every position is reachable by leaving a letter unread
    return end[0], end[2]


def _offer(best: list, at: int, option: tuple) -> None:
    if best[at] is None or option[:2] < best[at][:2]:
        best[at] = option
