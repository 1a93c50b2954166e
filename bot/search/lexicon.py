"""Is a word the loaded content lacks a general English word, or a name?

A query word that occurs nowhere in the content means one of two things: the user asked about
something the text does not cover (a name: `sovaleni`, `vienna`, `aukus`), or the user phrased
the question with a common word the text happens not to use (`pillars`, `finished`, `among`).
The none decision treats the two differently, so it needs an English word list that tells
them apart: Webster's Second (the `web2` list of the `english-words` package) writes proper
nouns capitalised and common words in lower case. It is old (no `online`, `bailout`), which
errs on the safe side: an unlisted word counts as a possible name.

Kept as a sorted array of string hashes (1.7 MB) rather than a set of 210,000 strings (29 MB);
loaded once per process, on first use (the index builder asks, so no query waits for it).
"""

from __future__ import annotations

import threading
from functools import lru_cache

import numpy as np
from english_words import get_english_words_set

from bot.search import tokens as tx

_LOCK = threading.Lock()
_loaded: tuple[np.ndarray, np.ndarray] | None = None


def _load() -> tuple[np.ndarray, np.ndarray]:
    """(hashes of the lower-case words, hashes of the lower-cased capitalised words)."""
    global _loaded
    if _loaded is not None:
        return _loaded
    with _LOCK:
        if _loaded is None:
            words = get_english_words_set(["web2"], alpha=True)
            common = np.fromiter((hash(w) for w in words if w.islower()), dtype=np.int64)
            names = np.fromiter((hash(w.lower()) for w in words if w[:1].isupper()), np.int64)
            del words
            common.sort()
            names.sort()
            _loaded = (common, names)
        return _loaded


def warm() -> None:
    """Load the word list now. Unpickling it is one C call of about 80 ms that holds the GIL,
    so the CLI calls this before its event loop starts (then no reload stalls the loop on
    it); the index builder calls it too, for any other caller."""
    _load()


def _has(table: np.ndarray, word: str) -> bool:
    h = hash(word)
    i = int(np.searchsorted(table, h))
    return i < len(table) and int(table[i]) == h


def _bases(word: str) -> tuple[str, ...]:
    """The word and the forms it may be inflected from (`pillars` -> `pillar`,
    `finished` -> `finish`, `dates` -> `date`, `larger` -> `large`): the list has no
    inflections."""
    out = [word]
    for suffix, repl in (
        ("ies", "y"), ("ied", "y"), ("es", ""), ("s", ""), ("ed", ""), ("ed", "e"),
        ("ing", ""), ("ing", "e"), ("er", ""), ("er", "e"), ("est", ""), ("est", "e"),
    ):  # fmt: skip
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            base = word[: -len(suffix)] + repl
            out.append(base)
            if not repl and len(base) > 3 and base[-1] == base[-2]:
                out.append(base[:-1])  # `planned` -> `plan`
    return tuple(out)


@lru_cache(maxsize=65_536)  # asked for the same query words query after query
def is_common_word(word: str) -> bool:
    """Is `word` (folded, lower case) a common English word, not a name?"""
    word = tx.fold(word)
    if not word.isalpha():
        return False
    common, _ = _load()
    return any(_has(common, b) for b in _bases(word))


@lru_cache(maxsize=65_536)
def could_be_name(word: str) -> bool:
    """Is `word` listed as a proper noun (`vienna`, `paris`; `paris` is also a plant)?"""
    word = tx.fold(word)
    if not word.isalpha():
        return False
    _, names = _load()
    return _has(names, word)
