"""What a command answers: a status and results, as plain immutable data a cog can render.

`ok` means one clear answer (results may still list runners-up), `choices` means several
close candidates for a "did you mean" list, `none` means nothing relevant (with up to three
close section titles as suggestions), `error` means the query itself could not be used.
"""

from __future__ import annotations

from typing import Any, Literal, NamedTuple

Status = Literal["ok", "choices", "none", "error"]
MAX_RESULTS = 5
MAX_CHOICES = 5
MAX_SUGGESTIONS = 3
# The runner-up must score below this fraction of the best for the best to "clearly win".
CLEAR_WIN = 0.8


class Result(NamedTuple):
    """One section that answers (a tuple: cheaper to make than a frozen dataclass, and a
    query makes five)."""

    document: str
    section_id: str
    title: str
    breadcrumb: str  # "Russia › Japan-Russia Relations › Japan-Russia Economic Relations"
    score: float
    excerpt: str  # Markdown: whole sentences, query words in **bold**, … where cut, <= 1000

    @property
    def key(self) -> str:
        return f"{self.document}#{self.section_id}"

    def to_json(self) -> dict[str, Any]:
        return {
            "document": self.document,
            "section_id": self.section_id,
            "title": self.title,
            "breadcrumb": self.breadcrumb,
            "score": round(self.score, 4),
            "excerpt": self.excerpt,
        }


class Answer(NamedTuple):
    """What a command answers (a tuple, like `Result`: made on every query)."""

    query: str
    command: str  # "search" or "section"
    status: Status
    results: tuple[Result, ...] = ()
    message: str = ""  # for error and none; a short explanation otherwise
    suggestions: tuple[str, ...] = ()  # section titles, for none

    @property
    def top(self) -> Result | None:
        return self.results[0] if self.results else None

    def to_json(self) -> dict[str, Any]:
        return {
            "query": self.query,
            "command": self.command,
            "status": self.status,
            "results": [r.to_json() for r in self.results],
            "message": self.message,
            "suggestions": list(self.suggestions),
        }


def decide_status(scores: list[float]) -> Status:
    """`ok` when the best clearly beats the runner-up, else `choices`; `none` when empty."""
    if not scores:
        return "none"
    if len(scores) == 1 or scores[1] < CLEAR_WIN * scores[0]:
        return "ok"
    return "choices"


def required_matches(n: int) -> int:
    """How many of `n` content concepts a section must mention to count as relevant.

    One unknown word among four ("when did russia's economy start growing") is phrasing;
    one of two ("world cup") is a different topic.
    """
    if n <= 2:
        return n
    return max(2, -(-3 * n // 5))
