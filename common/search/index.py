"""The guide-search index: documents (service items, bundles, later their guides) in memory, BM25 over
weighted fields, with words, character pairs, characters, English words, pinyin, synonyms and intents.

`Index(docs).search(query)` never raises: it answers hits, the text searched (masked, safe to keep), a
`miss` flag when nothing but stray characters matched, and reason codes (texts in i18n/errors.json)."""
from __future__ import annotations

import bisect
import heapq
import math
from array import array
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import i18n
from common.search import text as tx
from common.search.lexicon import Lexicon, default_lexicon
from common.search.pinyin import Keys
from common.search.query import Query, Reader

FIELD_WEIGHTS = {"title": 3.0, "keywords": 2.0, "name_en": 1.5, "department": 0.8, "items": 0.5, "category": 0.3}
OTHER_FIELD = 0.5  # a field not named above (the guide's text fields, later)
K1, B = 1.2, 0.5
EXACT, PREFIX, INSIDE = 1.6, 1.25, 1.15  # the title is the query / starts with it / the query holds the title
INTENT = 0.8  # an intent's target gains this share of the best score
COVERED = 0.3  # the share of a score kept by a document whose names cover none of the query's concepts
NAMES = ("title", "keywords", "name_en")  # the fields that name a document (coverage is counted there)
LIMIT = 50  # hits an answer may hold
RERANKED = 60  # the best this many are checked for title boosts


@dataclass(frozen=True)
class Doc:
    """One searchable thing: `kind` is "item" or "bundle"; `fields` are its other texts by name."""

    id: str
    kind: str
    title: str
    fields: Mapping[str, str] = field(default_factory=dict)
    weight: float = 1.0


@dataclass(frozen=True)
class Hit:
    id: str
    kind: str
    title: str
    score: float


@dataclass(frozen=True)
class Answer:
    hits: tuple[Hit, ...]
    query: str  # the text searched, long digit runs masked: what may be kept of a miss
    miss: bool  # something was asked and nothing matched but stray characters: editors may want a synonym
    reasons: tuple[str, ...] = ()  # "search_empty", "search_truncated", "search_no_match"

    def messages(self) -> list[dict[str, str]]:
        """What to tell the citizen about this answer, each reason in every language (i18n/errors.json)."""
        return [i18n.texts("errors", reason, limit=tx.BOUND) for reason in self.reasons]


@dataclass(frozen=True)
class Posting:
    """The documents a term is in, in order, and the term's BM25F score in each (arrays: 12 bytes a posting)."""

    docs: array
    scores: array

    def has(self, n: int) -> bool:
        at = bisect.bisect_left(self.docs, n)
        return at < len(self.docs) and self.docs[at] == n


class Index:
    """Built once from the catalogue a kiosk has offline; searched on every keystroke."""

    def __init__(self, docs: Iterable[Doc], lexicon: Lexicon | None = None) -> None:
        self.lexicon = lexicon or default_lexicon()
        self.cuts = tx.cutter(frozenset(self.lexicon.phrases()), self.lexicon is default_lexicon())
        self.docs = list(docs)
        self.keys = Keys()
        self.postings: dict[str, Posting] = {}
        self._build()
        self.reader = Reader(self.keys, self.lexicon, self.cuts)
        self._by_id = {d.id: n for n, d in enumerate(self.docs)}

    def _build(self) -> None:
        per_doc: list[dict[str, tuple[dict[str, int], int]]] = []
        self._names: list[frozenset[str]] = []  # the terms of the fields that name each document
        lengths: dict[str, list[int]] = defaultdict(list)
        vocabulary: set[str] = set(self.lexicon.phrases())
        seen: dict[object, tuple[dict[str, int], int]] = {}  # departments and categories repeat: cut each once
        for doc in self.docs:
            counted = {name: seen.get(value) or seen.setdefault(value, _counted(value, self.cuts))
                       for name, value in {"title": doc.title, **doc.fields}.items()}
            names: set[str] = set()
            for name, (terms, size) in counted.items():
                lengths[name].append(size)
                if name in NAMES:
                    names.update(terms)
                if name in ("title", "keywords"):
                    vocabulary.update(t[2:] for t in terms if t[0] in "wc")
            per_doc.append(counted)
            self._names.append(frozenset(names))
        average = {name: (sum(v) / len(v)) or 1.0 for name, v in lengths.items()}
        weighted: dict[str, list[tuple[int, float]]] = defaultdict(list)
        for n, counted in enumerate(per_doc):
            combined: dict[str, float] = {}
            for name, (terms, size) in counted.items():
                norm = FIELD_WEIGHTS.get(name, OTHER_FIELD) / (1 - B + B * size / average[name])
                for term, tf in terms.items():
                    combined[term] = combined.get(term, 0.0) + tf * norm
            for term, f in combined.items():
                weighted[term].append((n, f))
        total = len(self.docs)
        for term, docs in weighted.items():
            idf = math.log(1 + (total - len(docs) + 0.5) / (len(docs) + 0.5))
            self.postings[term] = Posting(array("l", (n for n, _ in docs)),
                                          array("d", (idf * f * (K1 + 1) / (f + K1) for _, f in docs)))
        for word in vocabulary:
            self.keys.add(word)
        self._titles = [tx.han_only(tx.clean(d.title)[0]) or tx.clean(d.title)[0] for d in self.docs]

    # ------------------------------------------------------------------ the query

    def search(self, raw: object, limit: int = 10) -> Answer:
        """The best `limit` (1 to 50) documents for a raw query, whatever it is."""
        limit = max(1, min(LIMIT, limit)) if isinstance(limit, int) else 10
        searched, truncated = tx.clean(raw) if isinstance(raw, str) else ("", False)
        reasons = ("search_truncated",) if truncated else ()
        if not searched:
            return Answer((), "", False, ("search_empty",))  # nothing asked: not a miss to keep
        query = self.reader.read(searched)
        scores = self._score(query.bag)
        if not scores:
            return Answer((), tx.masked(searched), True, reasons + ("search_no_match",))
        hits = self._rank(scores, query, limit)
        strong = [t for t in query.bag if t[0] != "c" and t in self.postings]  # more than a stray character
        miss = not any(self.postings[t].has(self._by_id[h.id]) for h in hits for t in strong)
        return Answer(tuple(hits), tx.masked(searched), miss, reasons + (("search_no_match",) if miss else ()))

    def _score(self, bag: dict[str, float]) -> dict[int, float]:
        scores: dict[int, float] = defaultdict(float)
        for term, weight in bag.items():
            posting = self.postings.get(term)
            if posting is not None:
                for n, s in zip(posting.docs, posting.scores):
                    scores[n] += weight * s
        return scores

    def _rank(self, scores: dict[int, float], query: Query, limit: int) -> list[Hit]:
        best = heapq.nlargest(RERANKED, scores.items(), key=lambda kv: kv[1])
        top = best[0][1]
        targets = {self._by_id[c] for c in query.targets if c in self._by_id}
        core, concepts = query.core, [c.terms for c in query.concepts if c.terms]
        if any(self._titles[n] == core for n, _ in best):
            targets = set()  # the query names a matter exactly: no intent overrides it
        ranked = []
        for n, score in best:
            title = self._titles[n]
            if core and title == core:
                score *= EXACT
            elif len(core) >= 2 and title.startswith(core):
                score *= PREFIX
            elif len(title) >= 2 and title in core:
                score *= INSIDE
            covered = 1.0
            if concepts:
                names = self._names[n]
                covered = sum(1 for terms in concepts if not terms.isdisjoint(names)) / len(concepts)
                score *= COVERED + (1 - COVERED) * covered
            if n in targets:  # a life event named: its bundle first, unless the query says more than the event
                score += INTENT * top * covered
            ranked.append((score * self.docs[n].weight, n))
        for n in targets - {n for _, n in ranked}:
            ranked.append((INTENT * top * self.docs[n].weight, n))
        ranked.sort(key=lambda sn: (-sn[0], sn[1]))
        return [Hit(self.docs[n].id, self.docs[n].kind, self.docs[n].title, round(s, 4)) for s, n in ranked[:limit]]


def _counted(value: object, cuts: tx.Cutter) -> tuple[dict[str, int], int]:
    """The terms of one field's text with their counts, and how many."""
    terms = Counter(tx.field_terms(tx.clean(value)[0] if isinstance(value, str) else "", cuts))
    return dict(terms), sum(terms.values())
