"""facts.yaml: hand-curated facts, each grounded by a verbatim quote from its section."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from bot.content.fields import Fields, _type_name, check_date
from bot.content.model import EVENT_KINDS, Fact, Figure
from bot.content.problems import Problems
from bot.content.yamlpos import LineDict, LineList

_REQUIRED = ("id", "section", "text", "quote")
_OPTIONAL = ("kind", "date", "place", "participants", "figure", "tags")


@dataclass(frozen=True)
class FactEntry:
    """A validated fact and the lines the cross-checks against sections report at."""

    fact: Fact
    id_line: int
    section_line: int
    quote_line: int


def collapse(text: str) -> str:
    """Runs of whitespace to one space, so quotes survive re-wrapping of the Markdown."""
    return " ".join(text.split())


def read_facts(data: object, path: Path, document_id: str, problems: Problems) -> list[FactEntry]:
    """Validate facts.yaml; facts with problems are reported and left out."""
    if data is None:
        return []  # an empty facts.yaml (as ingest may create it) holds no facts
    if not isinstance(data, LineDict):
        line = getattr(data, "line", 1)
        problems.error(path, line, "facts.yaml must be a mapping with a 'facts' list")
        return []
    for key in data:
        if key != "facts":
            problems.error(path, data.line_of(key), f"unknown field '{key}' in facts.yaml")
    items = data.get("facts")
    if items is None:
        return []
    if not isinstance(items, LineList):
        problems.error(
            path, data.line_of("facts"), f"'facts' must be a list, not {_type_name(items)}"
        )
        return []
    entries: list[FactEntry] = []
    seen: dict[str, int] = {}
    for index, item in enumerate(items):
        line = items.line_of(index)
        if not isinstance(item, LineDict):
            message = f"fact {index + 1} must be a mapping, not {_type_name(item)}"
            problems.error(path, line, message)
            continue
        entry = _read_fact(item, path, document_id, problems)
        fact_id = item.get("id")
        if isinstance(fact_id, str) and fact_id:
            if fact_id in seen:
                problems.error(
                    path,
                    item.line_of("id"),
                    f"duplicate fact id '{fact_id}' (first at line {seen[fact_id]})",
                )
                continue
            seen[fact_id] = item.line_of("id")
        if entry is not None:
            entries.append(entry)
    return entries


def _read_fact(
    item: LineDict, path: Path, document_id: str, problems: Problems
) -> FactEntry | None:
    fields = Fields(item, path, problems, "fact")
    fields.check_keys(_REQUIRED, _OPTIONAL)
    fact_id = fields.required_string("id")
    section = fields.required_string("section")
    text = fields.required_string("text")
    quote = fields.required_string("quote")
    kind = fields.string("kind", None)
    if kind is not None and kind not in EVENT_KINDS:
        fields.error(
            fields.line("kind"), f"unknown fact kind '{kind}' (allowed: {', '.join(EVENT_KINDS)})"
        )
    date: str | None = None
    if item.get("date") is not None:
        date = check_date(item["date"])
        if date is None:
            fields.error(
                fields.line("date"),
                f"invalid date '{item['date']}': expected a real date as YYYY, YYYY-MM or "
                "YYYY-MM-DD",
            )
    place = fields.string("place", None)
    participants = fields.string_list("participants")
    tags = fields.string_list("tags")
    figure = _read_figure(fields)
    if not fields.ok:
        return None
    fact = Fact(
        id=fact_id,
        document_id=document_id,
        section_id=section,
        text=text,
        quote=quote,
        tags=tags,
        date=date,
        place=place,
        participants=participants,
        figure=figure,
        kind=kind,
    )
    return FactEntry(fact, fields.line("id"), fields.line("section"), fields.line("quote"))


def _read_figure(fields: Fields) -> Figure | None:
    value = fields.data.get("figure")
    if value is None:
        return None
    line = fields.line("figure")
    if not isinstance(value, LineDict):
        fields.error(line, f"'figure' must be a mapping {{value, unit}}, not {_type_name(value)}")
        return None
    sub = Fields(value, fields.path, fields.problems, "figure")
    sub.check_keys(("value",), ("unit",))
    number = value.get("value")
    if "value" in value and (isinstance(number, bool) or not isinstance(number, int | float)):
        message = f"figure 'value' must be a number, not {_type_name(number)}"
        sub.error(value.line_of("value"), message)
    unit = sub.string("unit") or ""
    if not sub.ok:
        fields.ok = False
        return None
    assert isinstance(number, int | float)
    return Figure(value=float(number), unit=unit)
