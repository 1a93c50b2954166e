"""aliases.yaml: hand-kept names for sections, merged by the loader, left alone by ingest."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.cli import main as cli_main
from bot.content import load_content
from bot.search import build_index
from bot.search.ask import find_section, search
from tests.bot.content.test_errors import assert_error, line_of
from tests.bot.content.test_errors import content as content  # the good fixture at ./content
from tests.support.paths import CONTENT_DIR, SEED

DOC = Path("content/bluebook-test")
ALIASES = DOC / "aliases.yaml"
NT = "russia/japan-russia-relations/northern-territories"
SITUATION = "russia/situation-in-russia"


def write(text: str) -> None:
    ALIASES.write_text(text, encoding="utf-8")


def section(result, section_id: str):  # type: ignore[no-untyped-def]
    assert result.snapshot is not None, [str(e) for e in result.errors]
    doc = result.snapshot.documents[0]
    found = doc.get(section_id)
    assert found is not None
    return found


def test_names_are_added_after_the_sections_own_once_each(content: Path) -> None:
    write(
        f"{SITUATION}:\n  aliases: [Politics of Russia, Russian situation]\n"
        f"  tags: [politics, domestic]\n"
        f"{NT}:\n  aliases: [' Kuril Islands ']\n"
    )
    result = load_content(content)
    assert result.ok and result.warnings == ()
    situation = section(result, SITUATION)
    assert situation.aliases == ("Russian situation", "Politics of Russia")
    assert situation.tags == ("politics", "domestic")
    assert section(result, NT).aliases == ("Kuril Islands",)


def test_the_names_reach_section_lookup_and_search(content: Path) -> None:
    result = load_content(content)
    before = result.snapshot
    write(f"{NT}:\n  aliases: [Kuril Islands]\n")
    result = load_content(content)
    assert result.snapshot is not None and before is not None
    assert result.snapshot.content_hash != before.content_hash  # a reload sees the change
    index = build_index(result.snapshot)
    answer = find_section(index, "kuril islands")
    assert answer.status == "ok" and answer.top is not None and answer.top.section_id == NT
    hits = search(index, "kuril islands")
    assert hits.top is not None and hits.top.section_id == NT


def test_an_empty_file_adds_nothing(content: Path) -> None:
    write("# nothing yet\n")
    assert load_content(content).ok


@pytest.mark.parametrize(
    ("text", "needle", "fragment"),
    [
        (f"{NT}:\n  aliases: [Kurils]\nrussia/no-such-section:\n  aliases: [x]\n",
         "no-such-section", "no section 'russia/no-such-section'"),
        ("- Kurils\n", "- Kurils", "must be a mapping of section ids"),
        (f"{NT}: Kurils\n", NT, "must map to aliases and/or tags, not a string"),
        (f"{NT}:\n  alias: [Kurils]\n", "alias:", "unknown field 'alias'"),
        (f"{NT}:\n  aliases: Kurils\n", "aliases:", "must be a list of strings, not a string"),
        (f"{NT}:\n  aliases:\n    - Kurils\n    - 7\n", "- 7", "item 2 must be a string"),
        (f"{NT}:\n  tags: ['  ']\n", "tags:", "an empty name in 'tags'"),
        (f"{NT}:\n  aliases: [Kurils\n", "aliases:", ""),  # YAML syntax
    ],
)  # fmt: skip
def test_every_mistake_is_reported_with_its_line(
    content: Path, text: str, needle: str, fragment: str
) -> None:
    write(text)
    result = load_content(content)
    if fragment:
        assert_error(content, ALIASES, line_of(ALIASES, needle), fragment)
    else:
        assert result.snapshot is None
        assert all(str(e).startswith(f"{ALIASES}:") for e in result.errors)


def test_ingest_neither_refuses_nor_touches_the_file(tmp_path: Path) -> None:
    out = tmp_path / "bluebook-2020-russia"
    assert cli_main(["ingest", str(SEED), "--out", str(out)]) == 0
    kept = "russia:\n  aliases: [Russian Federation]\n"
    (out / "aliases.yaml").write_text(kept, encoding="utf-8")
    assert cli_main(["ingest", str(SEED), "--out", str(out)]) == 0  # not refused
    assert (out / "aliases.yaml").read_text(encoding="utf-8") == kept


def test_the_bundled_file_names_the_kuril_islands() -> None:
    result = load_content(CONTENT_DIR)
    assert result.ok, [str(e) for e in result.errors]
    assert result.snapshot is not None
    doc = result.snapshot.documents[0]
    nt = doc.get(
        "russia/japan-russia-relations/the-northern-territories-and-negotiations-on-peace-treaty"
    )
    assert nt is not None and "Kuril Islands" in nt.aliases
