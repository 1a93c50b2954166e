"""/section: find a section by title or alias, then fuzzily, then by full text."""

from __future__ import annotations

import bisect

from bot.search import tokens as tx
from bot.search.answer import MAX_CHOICES, MAX_SUGGESTIONS, Answer, Result
from bot.search.excerpt import MAX_EXCERPT, leading_excerpt
from bot.search.fulltext import search
from bot.search.index import SECTION_MEMO, SearchIndex
from bot.search.lookup import EXACT, best_names
from bot.search.memo import MemoPerOwner
from bot.search.query import QueryError, check_query
from bot.search.synonyms import spelling_variants
from bot.text import split_sentences

STRONG = 0.75  # a title match this good is an answer without looking at the text
CLOSE = 0.05  # candidates within this of the best are equally good
WEAK = 0.5  # below this a title is not even worth offering as a choice


def section_excerpt(index: SearchIndex, si: int) -> str:
    """The opening of a section, or the list of its subsections when it has no own text."""
    return _openings(index)[si]


def _opening(index: SearchIndex, si: int) -> str:
    entry = index.sections[si]
    section = entry.section
    if section.paragraphs:
        if len(section.paragraphs[0]) > 200:
            return leading_excerpt(index.passages[entry.unit_start].sentences)
        opening = "\n".join(section.paragraphs[:2]).replace("\n", " ")
        return leading_excerpt(split_sentences(opening))
    doc = index.snapshot.document(section.document_id)
    children = [doc.get(c) for c in section.children] if doc else []
    names = [c.heading for c in children if c is not None]
    if not names:
        return ""
    text = "Subsections: " + "; ".join(names)
    return text if len(text) <= MAX_EXCERPT else text[: MAX_EXCERPT - 1] + "…"


# A title lookup offers the same few sections query after query; their openings depend on the
# section alone, so they are kept per index like its other memos.
_openings: MemoPerOwner[SearchIndex, int, str] = MemoPerOwner(SECTION_MEMO, _opening)


def section_result(index: SearchIndex, si: int, score: float, excerpt: str | None = None) -> Result:
    entry = index.sections[si]
    return Result(
        document=entry.section.document_id,
        section_id=entry.section.id,
        title=entry.section.title,
        breadcrumb=entry.breadcrumb,
        score=score,
        excerpt=section_excerpt(index, si) if excerpt is None else excerpt,
    )


def respell(index: SearchIndex, query: str) -> str:
    """The query with each word in the spelling the titles use (`defence` -> `defense`)."""
    terms = index.name_index.sorted_terms
    out: list[str] = []
    pos = 0
    for raw, start, end in tx.tokens(query):
        out.append(query[pos:start])
        word = raw
        if not _in_sorted(terms, tx.term(raw)):
            for variant in spelling_variants(tx.normalize_word(raw)):
                if _in_sorted(terms, tx.term(variant)):
                    word = variant
                    break
        out.append(word)
        pos = end
    out.append(query[pos:])
    return "".join(out)


def _in_sorted(terms: list[str], t: str) -> bool:
    i = bisect.bisect_left(terms, t)
    return i < len(terms) and terms[i] == t


def _content_terms(text: str) -> set[str]:
    return {t for t in tx.terms(text.replace("+", " plus ")) if t not in tx.STOP_TERMS}


def most_specific(
    index: SearchIndex, close: list[tuple[float, int]], query: str
) -> list[tuple[float, int]]:
    """Of equally good title matches, those whose titles say least beyond the query.

    "central asia + japan" matches "Japan's Relations with Central Asia and Caucasus" and its
    subsection "The Central Asia plus Japan Dialogue": the subsection adds fewer words, so it
    is meant. "japan-russia" matches "Japan-Russia Relations" and two longer subsection
    titles: the shortest is meant. The preference only decides when the query covers most of
    the winner's words; a lone generic word ("exchanges") leaves every candidate a choice.
    """
    wanted = _content_terms(query)
    if not wanted or len(close) < 2:
        return close
    extra: list[int] = []
    covered: list[float] = []
    for _, i in close:
        title = _content_terms(index.sections[i].section.title)
        extra.append(len(title - wanted))
        covered.append(len(title & wanted) / max(1, len(title)))
    fewest = min(extra)
    keep = [c for c, e in zip(close, extra, strict=True) if e == fewest]
    decisive = all(cov >= 0.5 for cov, e in zip(covered, extra, strict=True) if e == fewest)
    return keep if decisive else close


def find_section(index: SearchIndex, query: str) -> Answer:
    try:
        q = check_query(query)
    except QueryError as exc:
        return Answer(query, "section", "error", message=str(exc))
    si = index.section_idx(q.strip())  # a `doc#section` key, as autocomplete sends it
    if si is not None:
        return Answer(q, "section", "ok", (section_result(index, si, EXACT),))
    ranked = best_names(index, respell(index, q), index.name_index)
    best = ranked[0][0] if ranked else 0.0
    if best >= STRONG:
        close = [(s, i) for s, i in ranked if s >= best - CLOSE][:MAX_CHOICES]
        exact = [(s, i) for s, i in close if s == EXACT]
        close = exact or most_specific(index, close, q)
        results = tuple(section_result(index, i, s) for s, i in close)
        return Answer(q, "section", "ok" if len(results) == 1 else "choices", results)
    found = search(index, q, suggest=False)  # a none answer offers the titles ranked here
    if found.status in ("ok", "choices"):
        via_text: list[Result] = []
        for r in found.results[:MAX_CHOICES]:
            i = index.section_idx(r.key)
            if i is not None:
                via_text.append(section_result(index, i, r.score, r.excerpt))
        return Answer(q, "section", found.status, tuple(via_text), found.message)
    weak = [(s, i) for s, i in ranked if s >= WEAK][:MAX_CHOICES]
    if weak:
        results = tuple(section_result(index, i, s) for s, i in weak)
        return Answer(q, "section", "choices", results)
    titles: list[str] = []
    for _, i in ranked:
        title = index.sections[i].section.title
        if title not in titles:
            titles.append(title)
        if len(titles) >= MAX_SUGGESTIONS:
            break
    return Answer(
        q,
        "section",
        "none",
        message="No section matches that name.",
        suggestions=tuple(titles) if ranked and ranked[0][0] >= 0.3 else (),
    )
