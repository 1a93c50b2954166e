"""Where each footnote marker stands: paired with its note, or (notes cut off) dropped.

Pairing needs the footnotes that exist, so it runs once every line has been read.
"""

from __future__ import annotations

from bot.content.model import FootnoteRef
from bot.ingest import footnotes, markers
from bot.ingest.draft import Draft, Place


def pair_footnotes(drafts: list[Draft], warnings: list[str]) -> dict[int, list[Place]]:
    """Find each footnote's marker; move a footnote to its marker's section if needed.

    A footnote is looked for in the section where it stands first, then in the sections
    before it (nearest first) that do not define the same number, because a footnote
    block can be printed after a following sub-heading's text.
    """
    places: dict[int, list[Place]] = {i: [] for i in range(len(drafts))}
    kept: dict[int, list[list[str]]] = {i: [] for i in range(len(drafts))}
    for index, draft in enumerate(drafts):
        for note in draft.footnotes:
            number = note[0]
            target, place = index, _find_marker(draft, number, places[index])
            if place is None:
                for earlier in range(index - 1, -1, -1):
                    if any(n[0] == number for n in drafts[earlier].footnotes):
                        continue
                    place = _find_marker(drafts[earlier], number, places[earlier])
                    if place is not None:
                        target = earlier
                        break
            if place is None:
                warnings.append(f"footnote {number} ({draft.title}): no marker found in the text")
            else:
                places[target].append(place)
            kept[target].append(note)
    for index, draft in enumerate(drafts):
        draft.footnotes = kept[index]
    return places


def unpaired_markers(
    drafts: list[Draft],
    places: dict[int, list[Place]],
    notes_done: tuple[int, int] | None,
    above: int,
) -> dict[int, list[Place]]:
    """Glued markers whose notes are not in the text (cut short), to be dropped.

    Only text after `notes_done` (where the last complete footnote block stood: a block
    that text follows was printed whole, so a number it does not define is not a marker)
    is searched, and only for numbers `above` the last note of a block the text ends in.
    A heading's marker-shaped digits that are neither paired nor taken go back into its
    title.
    """
    paired = {(d, p, pos) for d in places for p, pos, _n in places[d]}
    spots = _spots(drafts, places, notes_done)
    spots = [s for s in spots if s.sure or int(s.number) > above]
    taken = markers.accept(spots)
    dropped: dict[int, list[Place]] = {d: [] for d in range(len(drafts))}
    for spot in spots:
        if spot.key in taken and spot.key not in paired:
            d, p, pos = spot.key
            dropped[d].append((p, pos, spot.number))
    for d, draft in enumerate(drafts):
        if draft.marker is not None and (d, -1, 0) not in paired:
            if (-1, 0, draft.marker) not in dropped[d]:
                # Marker-shaped digits the notes and the sequence do not bear out: a name.
                draft.title = f"{draft.title}{draft.marker}"
            draft.marker = None
    return dropped


def _spots(
    drafts: list[Draft], places: dict[int, list[Place]], notes_done: tuple[int, int] | None
) -> list[markers.Spot]:
    """The paired markers (sure) and every glued number shaped like a marker after
    `notes_done`, in headings and paragraphs (not captions)."""
    names = markers.name_tokens(_texts(drafts))
    spots = [markers.Spot((d, p, pos), n, sure=True) for d in places for p, pos, n in places[d]]
    for d, draft in enumerate(drafts):
        open_text = notes_done is None or (d, 0) > notes_done
        if draft.marker is not None and not any(q == -1 for q, _at, _n in places[d]):
            whole = draft.title + draft.marker
            sure = draft.kind == "angle"  # `<Title>3`: nothing but a marker stands there
            if sure or (
                open_text and markers.is_candidate(whole, len(draft.title), draft.marker, names)
            ):
                is_strong = markers.strong(whole, len(draft.title))
                spots.append(markers.Spot((d, -1, 0), draft.marker, sure, is_strong))
        for p, paragraph in enumerate(draft.paragraphs):
            if notes_done is not None and (d, p) < notes_done:
                continue
            for pos, number in markers.candidates(paragraph, names):
                if not any(q == p and at <= pos < at + len(n) for q, at, n in places[d]):
                    is_strong = markers.strong(paragraph, pos)
                    spots.append(markers.Spot((d, p, pos), number, False, is_strong))
    return spots


def _texts(drafts: list[Draft]) -> list[str]:
    """Every printed text but the notes, with heading markers still glued."""
    found: list[str] = []
    for draft in drafts:
        found.append(draft.title + (draft.marker or ""))
        found.extend(draft.paragraphs)
        found.extend(draft.captions)
    return found


def _find_marker(draft: Draft, number: str, taken: list[Place]) -> Place | None:
    if draft.marker == number and not any(p[0] == -1 for p in taken):
        return (-1, 0, number)
    found: list[Place] = []
    for p, paragraph in enumerate(draft.paragraphs):
        for pos in footnotes.marker_positions(paragraph, number):
            if not any(t[0] == p and t[1] <= pos < t[1] + len(t[2]) for t in taken):
                found.append((p, pos, number))
    if not found:
        return None
    last = max(((t[0], t[1]) for t in taken), default=(-2, -1))
    after = [f for f in found if (f[0], f[1]) > last]
    return (after or found)[0]


def strip_markers(
    draft: Draft, places: list[Place], dropped: list[Place], warnings: list[str]
) -> tuple[tuple[str, ...], tuple[FootnoteRef, ...]]:
    """Take the markers' digits out of the paragraphs: paired ones become references to
    their notes, dropped ones (notes not in the text) simply go."""
    paragraphs = list(draft.paragraphs)
    refs: list[FootnoteRef] = []
    paired = set(places)
    for p, paragraph in enumerate(draft.paragraphs):
        here = sorted(
            (pos, number, (p, pos, number) in paired)
            for q, pos, number in places + dropped
            if q == p
        )
        pieces: list[str] = []
        removed = 0
        cursor = 0
        for pos, number, is_ref in here:
            pieces.append(paragraph[cursor:pos])
            if is_ref:
                refs.append(FootnoteRef(paragraph=p, offset=pos - removed, number=number))
            removed += len(number)
            cursor = pos + len(number)
        pieces.append(paragraph[cursor:])
        paragraphs[p] = "".join(pieces)
    for q, _pos, number in places:
        if q != -1:
            continue
        if paragraphs:
            refs.append(FootnoteRef(paragraph=0, offset=0, number=number))
        else:
            warnings.append(
                f"footnote {number} marks the heading {draft.title!r}, "
                "which has no paragraph to carry the marker"
            )
    refs.sort(key=lambda r: (r.paragraph, r.offset))
    return tuple(paragraphs), tuple(refs)
