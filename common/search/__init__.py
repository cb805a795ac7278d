"""Guide search: offline Chinese search over service items and 一件事 bundles (docs/guide-search.md)."""
from common.search.catalogue import catalogue_docs
from common.search.index import Answer, Doc, Hit, Index
from common.search.lexicon import Lexicon, default_lexicon

__all__ = ["Answer", "Doc", "Hit", "Index", "Lexicon", "catalogue_docs", "default_lexicon"]
