"""Reading a cleaned query into what the index scores: a bag of weighted terms, grouped into concepts (one
per word of the query, per piece of its pinyin, per English word), so a document that covers more of the
query ranks above one that matches one word of it very well; and the codes the query's intents name."""
from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field

from common.search import text as tx
from common.search.lexicon import Lexicon
from common.search.pinyin import Keys, spoken

TERM = {"w": 1.0, "b": 0.5, "c": 0.12, "e": 1.0}  # how much a query term of each kind counts
PINYIN = {"full": 1.0, "initials": 0.8, "fuzzy": 0.6, "typing": 0.7}
SYNONYM = 0.6  # a synonym of a word of the query
HOMOPHONE = 0.45  # a word that sounds like the query's characters but is written otherwise


@dataclass
class Concept:
    texts: list[str]  # the Han words it stands for: a word of the query, or the words its pinyin spells
    terms: set[str] = field(default_factory=set)


@dataclass
class Query:
    bag: dict[str, float] = field(default_factory=lambda: defaultdict(float))
    concepts: list[Concept] = field(default_factory=list)
    core: str = ""  # the query without question words, in characters where its pinyin was plain
    targets: set[str] = field(default_factory=set)  # codes named by an intent phrase of the query

    def add(self, concept: Concept, term: str, weight: float) -> None:
        self.bag[term] += weight
        concept.terms.add(term)

    def phrase(self, concept: Concept, word: str, weight: float) -> None:
        """A whole word, its pairs at half weight; one character as a weak character term."""
        if len(word) == 1:
            self.add(concept, "c:" + word, weight * 0.3)
            return
        self.add(concept, "w:" + word, weight)
        for i in range(len(word) - 1):
            self.add(concept, "b:" + word[i:i + 2], weight * TERM["b"])


class Reader:
    def __init__(self, keys: Keys, lexicon: Lexicon, cuts: tx.Cutter) -> None:
        self.keys, self.lexicon, self.cuts = keys, lexicon, cuts
        self.synonyms: dict[str, set[str]] = defaultdict(set)
        for group in lexicon.synonyms:
            for word in group:
                self.synonyms[word].update(w for w in group if w != word)
        self.intents: dict[str, set[str]] = defaultdict(set)
        for intent in lexicon.intents:
            for phrase in intent.phrases:
                self.intents[phrase].update(intent.targets)
        self.phrases = sorted(set(self.synonyms) | set(self.intents), key=len)

    def read(self, searched: str) -> Query:
        query = Query()
        core = []
        for run in tx.runs(searched):
            core.append(self._han(run, query) if tx.is_han(run) else self._letters(run, query))
        query.core = "".join(core)
        self._expand(query)
        return query

    def _han(self, run: str, query: Query) -> str:
        tokens, pieces = tx.han_terms(run, self.cuts, self.lexicon.stop, self.lexicon.stop_chars)
        for token in tokens:
            concept = Concept([token])
            query.concepts.append(concept)
            for word in self.cuts.search(token):
                query.add(concept, "w:" + word, TERM["w"])
            for i in range(len(token) - 1):
                query.add(concept, "b:" + token[i:i + 2], TERM["b"])
            for ch in token:
                query.add(concept, "c:" + ch, TERM["c"])
        for piece in pieces:  # pairs across the words of one piece (孩子出生: 子出)
            for i in range(len(piece) - 1):
                query.bag["b:" + piece[i:i + 2]] = max(query.bag["b:" + piece[i:i + 2]], TERM["b"])
        kept = "".join(pieces)
        if len(kept) >= 2:  # a near-homophone typo: 医宝卡 sounds like 医保卡
            for how, found in self.keys.read(spoken(kept))[1]:
                for word in found:
                    if len(word) > 1 and word not in run:
                        owner = next((c for c in query.concepts if any(_overlaps(t, word) for t in c.texts)), None)
                        concept = owner or Concept([word])
                        if owner is None:
                            query.concepts.append(concept)
                        concept.texts.append(word)
                        query.phrase(concept, word, HOMOPHONE * PINYIN[how] / math.sqrt(len(found)))
        return kept

    def _letters(self, run: str, query: Query) -> str:
        english = tx.english_terms(run)
        for term in english:
            concept = Concept([])
            query.concepts.append(concept)
            query.add(concept, term, TERM["e"])
        unread, pieces = self.keys.read(run)
        if english and unread > max(1, len(run) // 4):  # an English word, not pinyin
            return ""
        spelled = []
        for how, found in pieces:
            concept = Concept(sorted(found))
            query.concepts.append(concept)
            weight = PINYIN[how] / math.sqrt(len(found))
            for word in found:
                query.phrase(concept, word, weight)
            if len(found) == 1:
                spelled.append(next(iter(found)))
        return "".join(spelled)

    def _expand(self, query: Query) -> None:
        """Adds the synonyms of every lexicon phrase the query holds to the concept it belongs to; notes
        the codes its intents name."""
        meant = [t for c in query.concepts for t in c.texts] + [query.core]
        for phrase in self.phrases:
            if not any(phrase in m for m in meant):
                continue
            query.targets.update(self.intents.get(phrase, ()))
            others = self.synonyms.get(phrase)
            if not others:
                continue
            owners = [c for c in query.concepts if any(_overlaps(t, phrase) for t in c.texts)]
            for concept in owners or query.concepts[:1]:
                for other in others:
                    query.phrase(concept, other, SYNONYM)


def _overlaps(a: str, b: str) -> bool:
    return bool(a and b) and (a in b or b in a)
