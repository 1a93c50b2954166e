"""A section while the raw lines are still being read, and where a marker stands in it."""

from __future__ import annotations

from dataclasses import dataclass, field

# A marker's place in a draft: (paragraph index or -1 for the heading, offset of its
# digits, number).
Place = tuple[int, int, str]


@dataclass
class Draft:
    """A section while the lines are still being read."""

    rank: float
    label: str
    title: str
    marker: str | None
    parent: int | None
    paragraphs: list[str] = field(default_factory=list)
    captions: list[str] = field(default_factory=list)
    footnotes: list[list[str]] = field(default_factory=list)  # [number, text]
    # "numbered", "angle" (<Title>), "box" (Column), "section" (Section N of a chapter)
    # or "overview" (text before the first heading).
    kind: str = "numbered"
