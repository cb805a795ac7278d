"""The guide-search index: documents (service items, bundles, later their guides) in memory, BM25 over
weighted fields, with words, character pairs, characters, English words, pinyin, synonyms and intents.

`Index(docs).search(query)` never raises: it answers hits, the text searched (masked, safe to keep), a
`miss` flag when nothing but stray characters matched, and reason codes (texts in i18n/errors.json)."""
from __future__ import annotations

import heapq
import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from common.search import text as tx
from common.search.lexicon import Lexicon, default_lexicon
from common.search.pinyin import Keys, spoken

FIELD_WEIGHTS = {"title": 3.0, "keywords": 2.0, "name_en": 1.5, "department": 0.8, "items": 0.5, "category": 0.3}
OTHER_FIELD = 0.5  # a field not named above (the guide's text fields, later)
TERM = {"w": 1.0, "b": 0.5, "c": 0.12, "e": 1.0}  # how much a query term of each kind counts
PINYIN = {"full": 1.0, "initials": 0.8, "fuzzy": 0.6}
SYNONYM = 0.6  # a synonym of a word of the query
HOMOPHONE = 0.45  # a word that sounds like the query's characters but is written otherwise
K1, B = 1.2, 0.5
EXACT, PREFIX, INSIDE = 1.6, 1.25, 1.15  # the title is the query / starts with it / the query holds the title
INTENT = 0.8  # an intent's target gains this share of the best score
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
    miss: bool  # nothing matched but stray characters: editors may want a synonym
    reasons: tuple[str, ...] = ()  # "search_empty", "search_truncated", "search_no_match"


class Index:
    """Built once from the catalogue a kiosk has offline; searched on every keystroke."""

    def __init__(self, docs: Iterable[Doc], lexicon: Lexicon | None = None) -> None:
        self.lexicon = lexicon or default_lexicon()
        for phrase in self.lexicon.phrases():
            tx.add_word(phrase)
        self.docs = list(docs)
        self.keys = Keys()
        self.postings: dict[str, list[tuple[int, float]]] = {}
        self._build()
        self._synonyms: dict[str, set[str]] = defaultdict(set)
        for group in self.lexicon.synonyms:
            for word in group:
                self._synonyms[word].update(w for w in group if w != word)
        self._phrases = sorted(set(self._synonyms) | {p for i in self.lexicon.intents for p in i.phrases}, key=len)
        self._intents = defaultdict(set)
        for intent in self.lexicon.intents:
            for phrase in intent.phrases:
                self._intents[phrase].update(intent.targets)
        self._by_id = {d.id: n for n, d in enumerate(self.docs)}

    def _build(self) -> None:
        per_doc: list[dict[str, Counter[str]]] = []
        lengths: dict[str, list[int]] = defaultdict(list)
        vocabulary: set[str] = set(self.lexicon.phrases())
        for doc in self.docs:
            fields = {"title": doc.title, **doc.fields}
            counted = {}
            for name, value in fields.items():
                terms = Counter(tx.field_terms(tx.clean(value)[0]))
                counted[name] = terms
                lengths[name].append(sum(terms.values()))
                if name in ("title", "keywords"):
                    vocabulary.update(t[2:] for t in terms if t[0] in "wc")
            per_doc.append(counted)
        average = {name: (sum(v) / len(v)) or 1.0 for name, v in lengths.items()}
        weighted: dict[str, dict[int, float]] = defaultdict(dict)
        for n, counted in enumerate(per_doc):
            for name, terms in counted.items():
                size = sum(terms.values())
                norm = FIELD_WEIGHTS.get(name, OTHER_FIELD) / (1 - B + B * size / average[name])
                for term, tf in terms.items():
                    slot = weighted[term]
                    slot[n] = slot.get(n, 0.0) + tf * norm
        total = len(self.docs)
        for term, docs in weighted.items():
            idf = math.log(1 + (total - len(docs) + 0.5) / (len(docs) + 0.5))
            self.postings[term] = [(n, idf * f * (K1 + 1) / (f + K1)) for n, f in docs.items()]
        for word in vocabulary:
            self.keys.add(word)
        self._titles = [tx.han_only(tx.clean(d.title)[0]) or tx.clean(d.title)[0] for d in self.docs]

    # ------------------------------------------------------------------ the query

    def search(self, raw: object, limit: int = 10) -> Answer:
        searched, truncated = tx.clean(raw) if isinstance(raw, str) else ("", False)
        reasons = ("search_truncated",) if truncated else ()
        if not searched:
            return Answer((), "", True, ("search_empty",))
        bag: dict[str, float] = defaultdict(float)
        meant: list[str] = []  # the query's meaning in characters: its Han text and the words its pinyin spells
        core = []  # the query without question words, to compare with titles
        for run in tx.runs(searched):
            if tx.is_han(run):
                core.append(self._han(run, bag, meant))
            else:
                core.append(self._letters(run, bag, meant))
        targets = self._expand(meant, bag)
        scores, strong = self._score(bag)
        if not scores:
            return Answer((), tx.masked(searched), True, reasons + ("search_no_match",))
        hits = self._rank(scores, "".join(core), targets, limit)
        miss = not any(self._by_id[h.id] in strong for h in hits)
        return Answer(tuple(hits), tx.masked(searched), miss, reasons + (("search_no_match",) if miss else ()))

    def _han(self, run: str, bag: dict[str, float], meant: list[str]) -> str:
        lex = self.lexicon
        words, pairs, chars = tx.han_terms(run, lex.stop, lex.stop_chars)
        for kind, terms in (("w", words), ("b", pairs), ("c", chars)):
            for t in terms:
                bag[f"{kind}:{t}"] += TERM[kind]
        meant.append(run)
        kept = "".join(chars)
        if len(kept) >= 2:  # a near-homophone typo: 医宝卡 sounds like 医保卡
            for how, found in self.keys.read(spoken(kept)):
                for word in found:
                    if len(word) > 1 and word not in run:
                        self._phrase(word, HOMOPHONE * PINYIN[how] / math.sqrt(len(found)), bag)
                        meant.append(word)
        return kept

    def _letters(self, run: str, bag: dict[str, float], meant: list[str]) -> str:
        for t in tx.english_terms(run):
            bag[t] += TERM["e"]
        spelled = []
        for how, found in self.keys.read(run):
            weight = PINYIN[how] / math.sqrt(len(found))
            for word in found:
                self._phrase(word, weight, bag)
                meant.append(word)
            if len(found) == 1:
                spelled.append(next(iter(found)))
        return "".join(spelled)

    def _phrase(self, word: str, weight: float, bag: dict[str, float]) -> None:
        if len(word) == 1:
            bag["c:" + word] += weight * 0.3
            return
        bag["w:" + word] += weight
        for i in range(len(word) - 1):
            bag["b:" + word[i:i + 2]] += weight * TERM["b"]

    def _expand(self, meant: list[str], bag: dict[str, float]) -> set[int]:
        """Adds the synonyms of every lexicon phrase the query holds; answers the documents its intents name."""
        targets: set[int] = set()
        for phrase in self._phrases:
            if not any(phrase in m for m in meant):
                continue
            for other in self._synonyms.get(phrase, ()):
                self._phrase(other, SYNONYM, bag)
            targets.update(self._by_id[c] for c in self._intents.get(phrase, ()) if c in self._by_id)
        return targets

    def _score(self, bag: dict[str, float]) -> tuple[dict[int, float], set[int]]:
        scores: dict[int, float] = defaultdict(float)
        strong: set[int] = set()
        for term, weight in bag.items():
            posting = self.postings.get(term)
            if not posting:
                continue
            for n, s in posting:
                scores[n] += weight * s
            if term[0] != "c":
                strong.update(n for n, _ in posting)
        return scores, strong

    def _rank(self, scores: dict[int, float], core: str, targets: set[int], limit: int) -> list[Hit]:
        best = heapq.nlargest(RERANKED, scores.items(), key=lambda kv: kv[1])
        top = best[0][1]
        ranked = []
        for n, score in best:
            title = self._titles[n]
            if core and title == core:
                score *= EXACT
            elif len(core) >= 2 and title.startswith(core):
                score *= PREFIX
            elif len(title) >= 2 and title in core:
                score *= INSIDE
            if n in targets:
                score += INTENT * top
            ranked.append((score * self.docs[n].weight, n))
        for n in targets - {n for _, n in ranked}:
            ranked.append((INTENT * top * self.docs[n].weight, n))
        ranked.sort(key=lambda sn: (-sn[0], sn[1]))
        return [Hit(self.docs[n].id, self.docs[n].kind, self.docs[n].title, round(s, 4)) for s, n in ranked[:limit]]
