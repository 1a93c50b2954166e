"""Texts cut short: pages copied without (some of) their footnotes.

The real pages are cut at several points (before a note block, inside one, mid-page, all
notes left out) and each cut must read exactly as the whole page does, up to the cut: the
markers whose notes are missing are gone, every heading and id is the same, and every real
number stays. The blind pages (cut before their notes as copied) must give the sections
their evaluation file lists.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from bot.content.model import Document, Section
from bot.ingest import parse_bluebook
from bot.ingest.headings import box_line
from tests.support.paths import DATA, EVAL_DIR

RAW = DATA / "raw"
NOTED = sorted(p for p in RAW.glob("*.txt") if not p.name.startswith("blind-"))
BLIND = sorted(RAW.glob("blind-*.txt"))
BLIND_EVAL = yaml.safe_load((EVAL_DIR / "queries-blind.yaml").read_text(encoding="utf-8"))
_NOTE_LINE = re.compile(r"^\s*•\s*\d{1,3}\s")


def _parse(path: Path, text: str | None = None) -> Document:
    raw = path.read_text(encoding="utf-8") if text is None else text
    return parse_bluebook(raw, path.stem)


def _squeeze(text: str) -> str:
    return "".join(text.split())


def _note_lines(lines: list[str], doc: Document) -> set[int]:
    """Indices of the raw lines the whole page's ingest put into a footnote: `• N` lines,
    indented lines under them, and flush-left lines found only in a note."""
    notes = [_squeeze(f"• {f.number} {f.text}") for s in doc.sections for f in s.footnotes]
    body = [_squeeze(p) for s in doc.sections for p in (s.title, *s.paragraphs, *s.captions)]
    found: set[int] = set()
    for i, line in enumerate(lines):
        squeezed = _squeeze(line)
        if not squeezed:
            continue
        under_note = i - 1 in found and line[0].isspace()
        only_in_note = any(squeezed in n for n in notes) and not any(squeezed in b for b in body)
        if _NOTE_LINE.match(line) or under_note or only_in_note:
            found.add(i)
    return found


def _body_lines(lines: list[str], doc: Document) -> list[int]:
    """Long raw lines that are (part of) a paragraph of the whole page."""
    body = [_squeeze(p) for s in doc.sections for p in s.paragraphs]
    return [
        i
        for i, line in enumerate(lines)
        if len(line) > 80 and any(_squeeze(line) in b for b in body)
    ]


def _outline(section: Section) -> tuple[str, str, int, str]:
    return (section.id, section.label, section.level, section.title)


def _refs(section: Section, numbers: set[str]) -> list[tuple[int, int, str]]:
    return [(r.paragraph, r.offset, r.number) for r in section.footnote_refs if r.number in numbers]


def assert_reads_as_the_whole(cut: Document, whole: Document, partial_last: bool) -> None:
    """`cut` is `whole` up to the cut: same headings and ids, same display text (so every
    marker whose note is missing is gone and every real number kept), and references only
    to the notes it still prints, at the same places."""
    assert len(cut.sections) <= len(whole.sections)
    for i, (mine, full) in enumerate(zip(cut.sections, whole.sections, strict=False)):
        assert _outline(mine) == _outline(full)
        last = i == len(cut.sections) - 1
        paragraphs = list(mine.paragraphs)
        if last and partial_last and paragraphs:
            # A page cut mid-line: its last paragraph is the start of the whole one.
            tail = paragraphs.pop()
            assert full.paragraphs[len(paragraphs)].startswith(tail.rstrip()), tail
        assert paragraphs == list(full.paragraphs[: len(paragraphs)])
        if not last:
            assert mine.paragraphs == full.paragraphs
            assert mine.captions == full.captions
        printed = {f.number for f in mine.footnotes}
        assert sorted(r.number for r in mine.footnote_refs) == sorted(printed)
        assert _refs(mine, printed) == _refs(full, printed)


# --- real pages with their notes, cut at several points --------------------------------


def _sections(lines: list[str]) -> int:
    """`Section N` lines: a text with several nests its headings under each (a design
    choice of ingest), so a cut that loses one is not compared with the whole page."""
    return len({x.strip() for x in lines if re.match(r"^Section \d+ \S", x.strip())})


def _cuts(path: Path) -> list[tuple[str, str, bool]]:
    """(name, text, cut mid-line) for the cuts of a page: all notes left out, before each
    note block, after the first note of each block of several, and mid-page."""
    lines = path.read_text(encoding="utf-8").splitlines()
    whole = _parse(path)
    notes = _note_lines(lines, whole)
    cuts = [("no notes", "\n".join(x for i, x in enumerate(lines) if i not in notes), False)]
    starts = [i for i in sorted(notes) if _NOTE_LINE.match(lines[i])]
    for i in starts:
        where = "inside the block, before" if i - 1 in notes else "before the block at"
        cuts.append((f"{where} line {i + 1}", "\n".join(lines[:i]), False))
    body = _body_lines(lines, whole)
    for i in (body[len(body) // 3], body[len(body) // 2], body[-1]):
        line = lines[i]
        space = line.find(" ", len(line) // 2)
        cuts.append((f"mid-line {i + 1}", "\n".join([*lines[:i], line[:space]]), True))
    return [c for c in cuts if _sections(c[1].splitlines()) == _sections(lines)]


@pytest.mark.parametrize("path", NOTED, ids=lambda p: p.stem)
def test_a_page_cut_anywhere_reads_as_the_whole_page_up_to_the_cut(path: Path) -> None:
    whole = _parse(path)
    cuts = _cuts(path)
    assert len(cuts) >= 3  # no notes, a note block, mid-page
    for name, text, partial in cuts:
        cut = _parse(path, text)
        try:
            assert_reads_as_the_whole(cut, whole, partial)
        except AssertionError as exc:
            raise AssertionError(f"{path.name}, cut {name}: {exc}") from exc


def test_cut_inside_a_note_block_drops_the_marker_of_the_lost_note() -> None:
    path = RAW / "bluebook-2020-russia.txt"
    lines = path.read_text(encoding="utf-8").splitlines()
    second = next(i for i, x in enumerate(lines) if x.strip().startswith("• 2 "))
    cut = _parse(path, "\n".join(lines[:second]))
    northern = next(s for s in cut.sections if s.id.endswith("negotiations-on-peace-treaty"))
    assert [f.number for f in northern.footnotes] == ["1"]
    assert [r.number for r in northern.footnote_refs] == ["1"]
    text = " ".join(northern.paragraphs)
    assert "end of 2016, a series" in text and "2016,2" not in text


def test_cut_before_the_last_block_drops_only_its_marker() -> None:
    path = RAW / "bluebook-2020-russia.txt"
    lines = path.read_text(encoding="utf-8").splitlines()
    third = next(i for i, x in enumerate(lines) if x.strip().startswith("• 3 "))
    cut = _parse(path, "\n".join(lines[:third]))
    text = "\n".join(p for s in cut.sections for p in s.paragraphs)
    assert "Arctic LNG 2 Project, in which" in text
    assert sorted(r.number for s in cut.sections for r in s.footnote_refs) == ["1", "2"]


def test_running_numbers_of_a_chapter_are_dropped_without_their_notes() -> None:
    """Europe 2023 goes on with its chapter's numbers (12, 13, 14): no chain starts at 1."""
    path = RAW / "bluebook-2023-europe.txt"
    whole = _parse(path)
    lines = path.read_text(encoding="utf-8").splitlines()
    notes = _note_lines(lines, whole)
    cut = _parse(path, "\n".join(x for i, x in enumerate(lines) if i not in notes))
    assert_reads_as_the_whole(cut, whole, partial_last=False)
    assert sum(len(s.footnote_refs) for s in whole.sections) == 3


# --- the blind pages, cut before their notes as copied ---------------------------------


@pytest.mark.parametrize("entry", BLIND_EVAL["documents"], ids=lambda e: e["doc"])
def test_blind_pages_give_every_section_the_evaluation_file_lists(entry: dict[str, str]) -> None:
    doc = parse_bluebook((DATA / entry["file"]).read_text(encoding="utf-8"), entry["doc"])
    expected = [
        {k: s[k] for k in ("id", "level", "label", "title")}
        for s in BLIND_EVAL["sections"]
        if s["doc"] == entry["doc"]
    ]
    got = [{"id": s.id, "level": s.level, "label": s.label, "title": s.title} for s in doc.sections]
    assert got == expected


def test_every_blind_evaluation_target_exists() -> None:
    produced = set()
    for entry in BLIND_EVAL["documents"]:
        doc = parse_bluebook((DATA / entry["file"]).read_text(encoding="utf-8"), entry["doc"])
        produced.update((entry["doc"], s.id) for s in doc.sections)
    targets = {(s["doc"], s["id"]) for s in BLIND_EVAL["sections"]}
    assert targets <= produced
    for query in BLIND_EVAL["queries"]:
        for target in query.get("targets") or []:
            doc, _, section_id = str(target).partition("#")
            assert (doc, section_id) in produced, query["id"]


# Per page: marked text as printed (must be gone), its display (must be there), and
# numbers that only look like markers (must stay).
BLIND_MARKERS = {
    "blind-2022-pacific": (
        ["2021.1", "Forum.2", "Relations3", "(FOIP).4", "(MCT)5", "(JICA)6", "Sogavare.7"],
        ["4.1% in 2021.", "withdraw from the Forum.", "Team (MCT) in", "(JICA) and"],
        ["(PALM9)", "at PALM9 and", "COVID-19", "(COP26)", "FY2021", "C-130", "1.5 degrees"],
    ),
    "blind-2020-arctic": (
        ["1979.1", "Cooperation2", "(ASM3)3", "tonnes.4", "2019,5", "season.6"],
        ["began in 1979. The", "Ministerial (ASM3), the first", "July 2019, and will"],
        ["Arctic LNG 2 Project", "Arctic LNG 2 through", "(ASM3)", "FY2015", "ArCS II"],
    ),
    "blind-2020-disarmament": (
        ["COVID-19.1", "(EPG)2", "Japan.3", "countries.4", "(IAEA)5", "Guterres.6"],
        ["spread of COVID-19.", "Disarmament (EPG) in 2017", "Agency (IAEA) plays"],
        ["E3+3", "Resolution 2231", "(P5)", "G7 issued", "Annex 2,", "(CSP4)", "(CSP5)"],
    ),
    "blind-2021-peacekeeping": (
        ["dollars.1", "(UNMISS)2", "2020.3", "online.4", "society.5", "FY2020.6"],
        ["South Sudan (UNMISS) in Juba", "provided in FY2020."],
        ["No. 3 financial", "Resolution 2532", "COVID-19", "2020-2021", "G7 Roma-Lyon"],
    ),
    "blind-2023-west-africa": (
        ["year.1", "Conduct.2", "(TICAD 8)3", "Gambia.4", "Framework.5"],
        ["across The Gambia. Production", "under the G20 Common Framework."],
        ["TICAD 8 was held", "margins of TICAD 8", "G7 Elmau", "G20 Common", "COVID-19"],
    ),
    "blind-2019-nordic": (
        [],
        [],
        ["(ASM3) in Tokyo", "(5G)", "5G network", "2nd Japan-Nordic", "110th", "62.7%"],
    ),
}


@pytest.mark.parametrize("name", sorted(BLIND_MARKERS))
def test_blind_markers_are_dropped_and_real_numbers_kept(name: str) -> None:
    doc = _parse(RAW / f"{name}.txt")
    gone, shown, kept = BLIND_MARKERS[name]
    text = "\n".join(t for s in doc.sections for t in (s.title, *s.paragraphs, *s.captions))
    raw = (RAW / f"{name}.txt").read_text(encoding="utf-8")
    for marked in gone:
        assert marked in raw and marked not in text, marked
    for display in shown + kept:
        assert display in text, display
    assert all(not s.footnotes and not s.footnote_refs for s in doc.sections)


@pytest.mark.parametrize("path", BLIND, ids=lambda p: p.stem)
def test_a_blind_page_cut_at_any_line_reads_as_the_whole_page(path: Path) -> None:
    whole = _parse(path)
    lines = path.read_text(encoding="utf-8").splitlines()
    # Not between `Column` and its title line: a box cut there is titled `Column`.
    cuts = [
        i for i, x in enumerate(lines) if x.strip() and i > 12 and box_line(x) != ("Column", "")
    ]
    assert cuts
    for i in cuts:
        cut = _parse(path, "\n".join(lines[: i + 1]))
        try:
            assert_reads_as_the_whole(cut, whole, partial_last=False)
        except AssertionError as exc:
            raise AssertionError(f"{path.name}, cut after line {i + 1}: {exc}") from exc
