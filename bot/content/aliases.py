"""aliases.yaml: names users type for sections, kept by hand beside what ingest writes.

Section files are ingest's: a re-run must reproduce them byte for byte, so a name the report
never uses (`Kuril Islands` for the Northern Territories) cannot be added to them without
being lost or refusing the next ingest. This file holds such names per section id; the
loader adds them to the section's own aliases and tags, and ingest never writes or removes
it (as with facts.yaml).

    russia/japan-russia-relations/the-northern-territories-and-negotiations-on-peace-treaty:
      aliases: [Kuril Islands, Southern Kurils]
      tags: [territorial-dispute]
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

from bot.content.fields import Fields, _type_name
from bot.content.model import Section
from bot.content.problems import Problems
from bot.content.yamlpos import LineDict

ALIASES = "aliases.yaml"
_FIELDS = ("aliases", "tags")


def apply_aliases(
    data: object, path: Path, sections: list[Section], problems: Problems
) -> list[Section]:
    """`sections` with the names of aliases.yaml added; every problem reported with its line.

    A section id the document lacks is an error (a typo would otherwise silently do
    nothing); names a section already has are not repeated.
    """
    if data is None:
        return sections  # an empty file adds nothing
    if not isinstance(data, LineDict):
        line = getattr(data, "line", 1)
        problems.error(path, line, "aliases.yaml must be a mapping of section ids to names")
        return sections
    by_id = {s.id: i for i, s in enumerate(sections)}
    out = list(sections)
    for section_id, entry in data.items():
        line = data.line_of(section_id)
        if not isinstance(section_id, str) or section_id not in by_id:
            problems.error(path, line, f"no section '{section_id}' in this document")
            continue
        if not isinstance(entry, LineDict):
            problems.error(
                path,
                line,
                f"'{section_id}' must map to aliases and/or tags, not {_type_name(entry)}",
            )
            continue
        fields = Fields(entry, path, problems, f"aliases.yaml entry '{section_id}'")
        fields.check_keys((), _FIELDS)
        aliases, tags = fields.string_list("aliases"), fields.string_list("tags")
        for key, names in (("aliases", aliases), ("tags", tags)):
            for name in names:
                if not name.strip():
                    problems.error(path, fields.line(key), f"an empty name in '{key}'")
        i = by_id[section_id]
        section = out[i]
        out[i] = dataclasses.replace(
            section,
            aliases=_merged(section.aliases, aliases),
            tags=_merged(section.tags, tags),
        )
    return out


def _merged(own: tuple[str, ...], extra: tuple[str, ...]) -> tuple[str, ...]:
    """The section's own names first, then the new ones, each once."""
    return tuple(dict.fromkeys((*own, *(n.strip() for n in extra if n.strip()))))
