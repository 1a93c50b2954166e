"""Compose the daily briefing for a date: a section of the day, a fact of the day and
"on this day" events.

Pure and deterministic: the same snapshot and date give the same briefing on every server,
and the rotation is plain modular arithmetic over document order, so every section provably
comes round within N days and consecutive days differ.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from bot.content.model import Document, Fact, Section, Snapshot
from bot.text import ELLIPSIS, clip, split_sentences

EXCERPT_CHARS = 700
ON_THIS_DAY_MAX = 5
BREADCRUMB_SEP = " › "

_MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]
_WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]


@dataclass(frozen=True, slots=True)
class BriefingSection:
    key: str  # "doc#section_id"
    title: str
    breadcrumb: str
    excerpt: str
    document_title: str
    url: str


@dataclass(frozen=True, slots=True)
class BriefingFact:
    id: str
    text: str
    quote: str
    source_key: str
    source_title: str


@dataclass(frozen=True, slots=True)
class OnThisDay:
    fact_id: str
    date: str  # as in the content: YYYY-MM-DD or YYYY-MM
    year: int
    precision: str  # "day" | "month"
    label: str  # "5 March 2019" or "March 2019 (month only)"
    text: str
    kind: str
    source_key: str


@dataclass(frozen=True, slots=True)
class Briefing:
    title: str
    date: date
    section: BriefingSection | None
    fact: BriefingFact | None
    on_this_day: tuple[OnThisDay, ...]
    content_hash: str
    reference: str | None  # section key for a "read the full section" button

    @property
    def is_empty(self) -> bool:
        return self.section is None and self.fact is None


def compose_briefing(snapshot: Snapshot, local_date: date) -> Briefing:
    ordinal = local_date.toordinal()
    section = _section_of_the_day(snapshot, ordinal)
    fact = _fact_of_the_day(snapshot, ordinal)
    title = f"Daily briefing · {format_date(local_date)}"
    reference = section.key if section else (fact.source_key if fact else None)
    briefing = Briefing(
        title=title,
        date=local_date,
        section=section,
        fact=fact,
        on_this_day=on_this_day(snapshot, local_date),
        content_hash=snapshot.content_hash,
        reference=reference,
    )
    return briefing


def format_date(day: date) -> str:
    """English and locale-independent, so every server sees the same words."""
    return f"{_WEEKDAYS[day.weekday()]} {day.day} {_MONTHS[day.month - 1]} {day.year}"


def sections_with_text(snapshot: Snapshot) -> list[tuple[Document, Section]]:
    """The rotation: sections that have paragraphs, in document order (documents by id)."""
    return [
        (doc, s)
        for doc in snapshot.documents
        for s in doc.sections
        if any(p.strip() for p in s.paragraphs)
    ]


def _section_of_the_day(snapshot: Snapshot, ordinal: int) -> BriefingSection | None:
    pool = sections_with_text(snapshot)
    if not pool:
        return None
    doc, section = pool[ordinal % len(pool)]
    chain = [doc.title, *(s.heading for s in doc.breadcrumb(section.id))]
    return BriefingSection(
        key=section.key,
        title=section.heading or section.title,
        breadcrumb=BREADCRUMB_SEP.join(c for c in chain if c),
        excerpt=excerpt(section.paragraphs, EXCERPT_CHARS),
        document_title=doc.title,
        url=doc.source_url,
    )


def _fact_of_the_day(snapshot: Snapshot, ordinal: int) -> BriefingFact | None:
    facts = list(snapshot.facts())
    if not facts:
        return None
    m = len(facts)
    # One step a day, but shifted every m days so it is not tied to the section rotation.
    fact = facts[(ordinal + ordinal // m) % m]
    source = snapshot.section(fact.section_key)
    return BriefingFact(
        id=fact.id,
        text=fact.text,
        quote=fact.quote,
        source_key=fact.section_key,
        source_title=source.heading if source else fact.section_id,
    )


def on_this_day(snapshot: Snapshot, day: date) -> tuple[OnThisDay, ...]:
    """Events on this month and day in any year, then month-only events of this month."""
    found: list[tuple[int, str, str, OnThisDay]] = []
    for fact in snapshot.facts():
        item = _match(fact, day)
        if item is not None:
            found.append((0 if item.precision == "day" else 1, item.date, item.fact_id, item))
    found.sort(key=lambda t: t[:3])
    return tuple(t[3] for t in found[:ON_THIS_DAY_MAX])


def _match(fact: Fact, day: date) -> OnThisDay | None:
    if not fact.kind or not fact.date:
        return None
    parts = fact.date.split("-")
    try:
        year, month = int(parts[0]), int(parts[1]) if len(parts) > 1 else 0
        dom = int(parts[2]) if len(parts) > 2 else 0
    except ValueError:
        return None
    if month != day.month or not 1 <= month <= 12:
        return None
    if dom:
        leap_day_in_common_year = (
            dom == 29 and month == 2 and day.day == 28 and not _is_leap(day.year)
        )
        if dom != day.day and not leap_day_in_common_year:
            return None
        precision, label = "day", f"{dom} {_MONTHS[month - 1]} {year}"
    else:
        precision, label = "month", f"{_MONTHS[month - 1]} {year} (month only)"
    return OnThisDay(
        fact_id=fact.id,
        date=fact.date,
        year=year,
        precision=precision,
        label=label,
        text=fact.text,
        kind=fact.kind,
        source_key=fact.section_key,
    )


def _is_leap(year: int) -> bool:
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


def excerpt(paragraphs: tuple[str, ...] | list[str], limit: int = EXCERPT_CHARS) -> str:
    """The first whole sentences up to `limit` characters, paragraph breaks kept, '…' when
    anything was left out."""
    out: list[list[str]] = []
    used = 0
    cut = False
    for para in (p.strip() for p in paragraphs):
        if not para:
            continue
        sentences = split_sentences(para)
        taken: list[str] = []
        for sentence in sentences:
            sep = 1 if taken else (2 if out else 0)
            if used + sep + len(sentence) > limit - 2:
                cut = True
                break
            taken.append(sentence)
            used += sep + len(sentence)
        if taken:
            out.append(taken)
        if cut:
            break
    if not out:
        # even the first sentence is too long: cut it at a word
        first = next((p.strip() for p in paragraphs if p.strip()), "")
        return clip(first, limit)
    text = "\n\n".join(" ".join(s) for s in out)
    return f"{text} {ELLIPSIS}" if cut else text
