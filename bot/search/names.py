"""Short names (titles, aliases, topics) normalised once, for matching what users type."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from bot.search import tokens as tx

_NON_ALNUM = re.compile(r"[^a-z0-9]+")


@dataclass(frozen=True, slots=True)
class Name:
    text: str
    norm: str  # folded, punctuation to single spaces
    terms: frozenset[str]  # content terms


def norm_string(text: str) -> str:
    return _NON_ALNUM.sub(" ", tx.fold(text)).strip()


def make_name(text: str, terms: Iterable[str] | None = None) -> Name:
    """`terms`: the content terms of `text` when the caller has them (the index builder)."""
    if terms is None:
        terms = (t for t in tx.terms(text) if t not in tx.STOP_TERMS)
    ts = frozenset(terms)
    return Name(text, norm_string(text), ts)
