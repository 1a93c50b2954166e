"""Turning text into index terms, identically for documents and queries.

Documents and queries must go through the same function, or a word written one way in the
Bluebook and another way by a user (`178.0` / `178`, `U.S.` / `us`, `Sept` / `September`,
`Russia's` / `russia`) would never meet in the index.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from functools import lru_cache

# One match per word, number or abbreviation with dots; hyphens split words on purpose so that
# `anti-corruption` is found by `anti corruption` (the joined form is handled by the index).
# An ordinal (`4th`) is one word, so `fourth` can stand for it; `%` is the word `percent`.
# The lookaheads only say which alternative can match here, so the regex does not try the
# abbreviation and number forms at every letter.
TOKEN = re.compile(
    r"(?=[A-Za-z]\.)(?:[A-Za-z]\.){2,}(?![A-Za-z])"  # U.S., U.K., U.N.
    r"|(?=\d)(?:\d+(?:st|nd|rd|th)(?![^\W_])"  # 4th 21st 2nd
    r"|\d+(?:[.,]\d+)*)"  # 1,334  2.3459  178.0
    r"|[^\W\d_]+(?:['’][^\W\d_]+)*"  # words, with inner apostrophes
    r"|%",
    re.UNICODE,
)
# The lookbehind makes a match start only at the start of a word, so the regex does not retry
# at every letter of every word of the corpus.
_COMPOUND = re.compile(r"(?<![^\W\d_])[^\W\d_]+(?:-[^\W\d_]+)+", re.UNICODE)
_THOUSANDS = re.compile(r"^\d{1,3}(?:,\d{3})+$")

# Function words and question phrasing that carry no topic: "why does japan want good ties
# with russia" is about japan, ties and russia.
_STOP_TEXT = """
    a about above after again against all also am an and any are aren as at be because
    been before being below between both but by can could did didn do does doesn doing don
    down during each few for from further had has have having he her here hers herself him
    himself his how i if in into is isn it its itself just me more most my myself no nor
    not now of off on once only or other our ours ourselves out over own same she should
    so some such than that the their theirs them themselves then there these they this
    those through to too under until up very was wasn we were weren what when where which
    while who whom why will with would you your yours yourself yourselves many much lot
    lots still yet ever really tell show give find know want wanted good well happen
    happened happening please anything something thing things get got going s t ll d re ve
    m
    isnt arent wasnt werent hasnt havent hadnt doesnt dont didnt cant cannot couldnt wouldnt
    shouldnt wont whats whos hows wheres whens thats theres im ive youre weve theyre
"""  # the last two lines: contractions, which lose their apostrophe (`hasn't` -> `hasnt`)
STOP_WORDS: frozenset[str] = frozenset(_STOP_TEXT.split())

MONTHS: tuple[str, ...] = (
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
)
# Written forms of months as users type them. `may` and `march` are themselves words, which
# is fine: they are indexed as the month name in either case.
MONTH_FORMS: dict[str, str] = {
    **{m[:3]: m for m in MONTHS},
    "sept": "september",
    "febr": "february",
}
MONTH_FORMS.pop("may", None)
MONTH_FORMS.pop("mar", None)
MONTH_FORMS["mar"] = "march"

_CARDINALS = (
    *("one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"),
    *("eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen"),
    *("eighteen", "nineteen", "twenty"),
)
_ORDINALS = (
    *("first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth"),
    *("tenth", "eleventh", "twelfth", "thirteenth", "fourteenth", "fifteenth", "sixteenth"),
    *("seventeenth", "eighteenth", "nineteenth", "twentieth"),
)
_TENS = {"thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80}


def ordinal(n: int) -> str:
    """`4` -> `4th`, `22` -> `22nd`, `13` -> `13th`."""
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


# Number words a user may type for a figure printed in digits.
NUMBER_WORDS: dict[str, str] = {
    **{w: str(i) for i, w in enumerate(_CARDINALS, start=1)},
    **{w: str(n) for w, n in _TENS.items()},
    **{w: ordinal(i) for i, w in enumerate(_ORDINALS, start=1)},
    **{w[:-1] + "ieth": ordinal(n) for w, n in _TENS.items()},
}
_ORDINAL_WORDS: dict[str, str] = {d: w for w, d in NUMBER_WORDS.items() if not d.isdigit()}
_ORDINAL = re.compile(r"(\d+)(?:st|nd|rd|th)")


def number_forms(word: str) -> tuple[str, ...]:
    """Other ways to write a number: `fourth` / `4th` / `4`, `three` / `3`, `26` / `26th`.

    Digits do not turn into cardinal words: `2` in `Arctic LNG 2` is no `two`.
    """
    if word in NUMBER_WORDS:
        return (NUMBER_WORDS[word],)
    if word.isascii() and word.isdigit():  # not `¹` or `٣`, which int() refuses or reads
        return (ordinal(int(word)),)
    found = _ORDINAL.fullmatch(word)
    if found is None:
        return ()
    spelled = _ORDINAL_WORDS.get(word)
    return (spelled, found.group(1)) if spelled else (found.group(1),)


def fold(text: str) -> str:
    """Lower-case ASCII, so `Kunashiri`, `kunashiri` and accented forms compare equal."""
    text = text.replace("’", "'").replace("‘", "'").replace("“", '"').replace("”", '"')
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii").lower()


def is_number(token: str) -> bool:
    return bool(token) and token[0].isdigit()


def is_year(token: str) -> bool:
    return len(token) == 4 and token.isdigit() and token[0] in "12"


def normalize_number(raw: str) -> str:
    """`1,334` -> `1334`, `178.0` -> `178`, `2.3459` stays: digits as a figure is written."""
    if _THOUSANDS.match(raw):
        return raw.replace(",", "")
    raw = raw.replace(",", ".") if raw.count(",") == 1 and "." not in raw else raw
    if "." in raw:
        whole, _, frac = raw.partition(".")
        frac = frac.rstrip("0")
        return f"{whole}.{frac}" if frac else whole
    return raw


@lru_cache(maxsize=200_000)
def normalize_word(raw: str) -> str:
    """The surface form of one matched token: folded, possessive removed, numbers canonical."""
    if raw[0].isdigit():
        return normalize_number(raw) if raw[-1].isdigit() else raw.lower()
    if raw == "%":
        return "percent"
    word = fold(raw)
    if "." in word:  # U.S. -> us
        return word.replace(".", "")
    if word.endswith("'s"):
        word = word[:-2]
    word = word.replace("'", "")
    return word


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    """A light stemmer: plurals, -ing, -ed and a final -e, nothing that changes meaning.

    Heavier stemmers conflate words a diplomat keeps apart (`general` / `generous`); the index
    adds prefix matches separately, at a lower weight, for `disqualified` ~ `disqualification`.
    """
    if len(word) <= 3 or word[0].isdigit():
        return word
    w = word
    if w.endswith("ies") and len(w) > 4:
        w = w[:-3] + "y"
    elif w.endswith("sses"):
        w = w[:-2]
    elif w.endswith("s") and not w.endswith(("ss", "us", "is", "ous")) and len(w) > 3:
        w = w[:-1]
    if w.endswith("ied") and len(w) > 5:
        w = w[:-3] + "y"
    elif w.endswith("ing") and len(w) > 5:
        w = w[:-3]
        if len(w) > 3 and w[-1] == w[-2] and w[-1] not in "ls":
            w = w[:-1]
    elif w.endswith("ed") and len(w) > 4 and not w.endswith("eed"):
        w = w[:-2]
        if len(w) > 3 and w[-1] == w[-2] and w[-1] not in "ls":
            w = w[:-1]
    if w.endswith("e") and len(w) > 4:
        w = w[:-1]
    if w.endswith("y") and len(w) > 4:
        w = w[:-1] + "i"
    return w


def word_and_term(raw: str) -> tuple[str, str]:
    """(surface word, index term) of one raw token, bypassing the query-time caches.

    The index builder keeps its own per-build cache; filling the module's bounded LRU caches
    with every misspelling of a large corpus would only cost memory that queries never use.
    """
    word = normalize_word.__wrapped__(raw)
    if not word:
        return "", ""
    return word, word_term(word)


@lru_cache(maxsize=65_536)
def term(raw: str) -> str:
    """The index term of one raw token (the same for documents and queries).

    Cached: excerpts and name matching re-tokenise the same passages and titles per query.
    """
    word = normalize_word(raw)
    if not word:
        return ""
    month = MONTH_FORMS.get(word)
    if month is not None:
        word = month
    return stem(word)


def word_term(word: str) -> str:
    """`term` of a word already normalised, uncached: for the index builder, which keeps its
    own cache, and for the many throwaway strings a query word is cut into."""
    return stem.__wrapped__(MONTH_FORMS.get(word, word))


def tokens(text: str) -> list[tuple[str, int, int]]:
    """Raw tokens with their character span in `text`, for highlighting the original."""
    return [(m.group(), m.start(), m.end()) for m in TOKEN.finditer(text)]


def terms(text: str) -> list[str]:
    """Index terms of `text`, stop words included (callers decide what to skip)."""
    if len(text) <= _TERMS_CACHE_TEXT:
        return list(_cached_terms(text))
    return [t for t in map(term, TOKEN.findall(text)) if t]


# /summit, /trade and /fact match every fact's names, /section the candidate titles, on every
# query: cache the terms of short texts (at most 8,192 texts of up to 1,000 characters).
_TERMS_CACHE_TEXT = 1000


@lru_cache(maxsize=8192)
def _cached_terms(text: str) -> tuple[str, ...]:
    return tuple(t for t in map(term, TOKEN.findall(text)) if t)


def compounds(text: str) -> Iterator[tuple[int, int, str]]:
    """Hyphenated words as (start, end, joined term): `socio-economic` -> `socioeconomic`.

    The index holds a compound under its joined form as well as its parts, so a query that
    writes it joined (`socioeconomic`, `nonproliferation`) finds it exactly.
    """
    # A compound holds no spaces, so only the few space-separated chunks with a hyphen need the
    # regex, which is slow over whole passages.
    pos = text.find("-")
    while pos >= 0:
        start = pos
        while start > 0 and not text[start - 1].isspace():
            start -= 1
        end = pos
        while end < len(text) and not text[end].isspace():
            end += 1
        for match in _COMPOUND.finditer(text, start, end):
            joined = stem(fold(match.group().replace("-", "")))
            yield match.start(), match.end(), joined
        pos = text.find("-", end)


def is_stop(word: str) -> bool:
    return word in STOP_WORDS


STOP_TERMS: frozenset[str] = frozenset(STOP_WORDS) | frozenset(stem(w) for w in STOP_WORDS)
