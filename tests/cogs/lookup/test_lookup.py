"""/section, /search, /summit, /trade and /fact end to end: real discord.py, the emulator.

Every reply is checked against all Discord limits (`bot.app.render.check`) and for
`allowed_mentions: {"parse": []}`; the page buttons are clicked on a long section made
for the test, also after the bot was restarted on the same data folder.
"""

from __future__ import annotations

import asyncio
import shutil
from pathlib import Path
from typing import Any

import yaml

from bot.app.render import limits
from bot.app.render.check import message_problems
from bot.app.render.components import section_sid
from bot.emulator import Emulator
from tests.support.harness import RunningBot
from tests.support.paths import CONTENT_DIR

EPHEMERAL = 64
UPDATE_MESSAGE = 7
DOC = "bluebook-2020-russia"
NORTHERN = (
    f"{DOC}#russia/japan-russia-relations/the-northern-territories-and-negotiations-on-peace-treaty"
)
LOOKUP_COMMANDS = {"section", "search", "summit", "trade", "fact"}
LONG_ID = "russia/situation-in-russia/russian-diplomacy"
EXTRA_ID = "russia/situation-in-russia/test-appendix"


def checked(data: dict[str, Any]) -> dict[str, Any]:
    """The message data, after asserting every limit and that no mention can fire."""
    assert message_problems(data) == [], message_problems(data)
    assert data.get("allowed_mentions") == {"parse": []}, data.get("allowed_mentions")
    return data


def custom_ids(message: dict[str, Any]) -> list[str]:
    return [c["custom_id"] for row in message.get("components") or [] for c in row["components"]]


def select_of(message: dict[str, Any]) -> dict[str, Any]:
    return next(c for row in message["components"] for c in row["components"] if c["type"] == 3)


async def ask(
    running: RunningBot, name: str, options: dict[str, Any] | None = None
) -> dict[str, Any]:
    handle = await running.command(name, options or {})
    body = await handle.response()
    assert body["type"] == 4, body
    return checked(body["data"])


def long_content(tmp_path: Path, *, extra_section: bool = True) -> Path:
    """The bundled content with one section made ~3 pages long (and optionally one more
    section, for a reload that removes it)."""
    root = tmp_path / "content"
    shutil.copytree(CONTENT_DIR, root)
    sections = root / DOC / "sections"
    path = sections / "005-russian-diplomacy.md"
    text = path.read_text(encoding="utf-8").rstrip("\n")
    extra = [
        f"Appendix paragraph {n}. Russia continued its diplomacy with many partners, held "
        "talks on regional security, energy and trade, and took part in multilateral "
        "meetings throughout the year. Observers noted that these contacts had several aims. "
        "The relations with neighbouring countries were discussed at length in each case, "
        "and both sides agreed to keep in close contact on the issues of mutual interest."
        for n in range(1, 19)
    ]
    path.write_text(text + "\n\n" + "\n\n".join(extra) + "\n", encoding="utf-8")
    if extra_section:
        (sections / "013-test-appendix.md").write_text(
            "---\n"
            f"id: {EXTRA_ID}\n"
            "title: Test Appendix\n"
            "label: D\n"
            "order: 13\n"
            "---\n"
            "A section that only exists in the first version of the content.\n",
            encoding="utf-8",
        )
    return root


# -- registration ------------------------------------------------------------------------------


async def test_commands_are_registered_with_their_options(
    running_bot: RunningBot, emulator: Emulator
) -> None:
    registered = emulator.state.global_commands
    names = [c["name"] for c in registered]
    assert len(names) == len(set(names)), names
    assert LOOKUP_COMMANDS | {"help"} <= set(names)
    by_name = {c["name"]: c for c in registered}
    for name in LOOKUP_COMMANDS:
        command = by_name[name]
        assert 0 < len(command["description"]) <= limits.COMMAND_DESCRIPTION
        options = {o["name"]: o for o in command.get("options") or []}
        assert options["private"]["type"] == 5 and not options["private"].get("required")
        for option in options.values():
            assert 0 < len(option["description"]) <= limits.COMMAND_DESCRIPTION
    section = {o["name"]: o for o in by_name["section"]["options"]}
    assert section["query"]["required"] and section["query"]["autocomplete"]
    assert by_name["search"]["options"][0]["name"] == "query"
    assert by_name["search"]["options"][0]["required"]
    assert not by_name["search"]["options"][0].get("autocomplete")
    fact = {o["name"]: o for o in by_name["fact"]["options"]}
    assert fact["topic"]["autocomplete"] and not fact["topic"].get("required")
    for name in ("summit", "trade"):
        query = next(o for o in by_name[name]["options"] if o["name"] == "query")
        assert not query.get("required")


# -- each command's reply --------------------------------------------------------------------


async def test_section_is_an_embed_with_breadcrumb_source_and_pages(
    running_bot: RunningBot,
) -> None:
    data = await ask(running_bot, "section", {"query": "Northern Territories"})
    assert not (data.get("flags") or 0) & EPHEMERAL
    embed = data["embeds"][0]
    assert embed["title"] == "B The Northern Territories and Negotiations on Peace Treaty"
    assert embed["author"]["name"] == "Diplomatic Bluebook 2020 › Russia › Japan-Russia Relations"
    assert embed["url"].startswith("https://www.mofa.go.jp/")
    assert embed["footer"]["text"] == "Diplomatic Bluebook 2020 · page 1/2"
    assert embed["description"].startswith("The greatest concern between Japan and Russia")
    assert "[1]" in embed["description"]  # the footnote marker, where it stood
    sid = section_sid(NORTHERN)
    assert custom_ids(data) == [f"bb:pg:{sid}:0", f"bb:pg:{sid}:1"]
    buttons = data["components"][0]["components"]
    assert buttons[0]["disabled"] and not buttons[1].get("disabled")


async def test_section_footnotes_and_captions_are_fields(running_bot: RunningBot) -> None:
    handle = await running_bot.command("section", {"query": "Northern Territories"})
    await handle.response()
    assert handle.original is not None
    click = await running_bot.emulator.click(handle.original, custom_ids(handle.original)[1])
    body = await click.response()
    assert body["type"] == UPDATE_MESSAGE
    embed = checked(body["data"])["embeds"][0]
    assert embed["footer"]["text"].endswith("page 2/2")
    names = [f["name"] for f in embed["fields"]]
    assert names == ["Footnote 1", "Footnote 2", "Photo", "Photo"]
    assert "Northern Territories issue" in embed["fields"][0]["value"]
    assert embed["fields"][2]["value"].startswith("Japan-Russia Summit Meeting (September 5")


async def test_section_without_text_lists_and_opens_its_subsections(
    running_bot: RunningBot, emulator: Emulator
) -> None:
    handle = await running_bot.command("section", {"query": f"{DOC}#russia"})
    data = checked((await handle.response())["data"])
    assert "(1) Situation in Russia" in data["embeds"][0]["description"]
    menu = select_of(data)
    labels = [o["label"] for o in menu["options"]]
    assert labels == ["(1) Situation in Russia", "(2) Japan-Russia Relations"]
    assert handle.original is not None
    click = await emulator.click(
        handle.original, menu["custom_id"], values=[menu["options"][1]["value"]]
    )
    body = await click.response()
    assert body["type"] == UPDATE_MESSAGE
    assert checked(body["data"])["embeds"][0]["title"] == "(2) Japan-Russia Relations"


async def test_search_lists_passages_with_breadcrumbs_and_opens_them(
    running_bot: RunningBot, emulator: Emulator
) -> None:
    handle = await running_bot.command("search", {"query": "trade volume with Russia"})
    data = checked((await handle.response())["data"])
    embed = data["embeds"][0]
    assert embed["title"] == "Search: trade volume with Russia"
    first = embed["fields"][0]
    assert first["name"] == "1. Russia › Japan-Russia Relations › Japan-Russia Economic Relations"
    assert "trade volume**" in first["value"]  # the core's bold, kept as Markdown
    menu = select_of(data)
    assert menu["custom_id"] == "bb:op:n:1"
    assert len(menu["options"]) == len(embed["fields"])
    assert handle.original is not None
    click = await emulator.click(
        handle.original, menu["custom_id"], values=[menu["options"][0]["value"]]
    )
    body = await click.response()
    assert body["type"] == 4  # a new message: the list stays
    opened = checked(body["data"])
    assert opened["flags"] & EPHEMERAL
    assert opened["embeds"][0]["title"] == "C Japan-Russia Economic Relations"
    # Asked again, the answer comes from the reply cache: the same embed and components.
    again = await running_bot.command("search", {"query": "trade  volume with Russia"})
    repeat = checked((await again.response())["data"])
    assert repeat["embeds"] == data["embeds"] and repeat["components"] == data["components"]


async def test_search_says_which_words_the_text_lacks(running_bot: RunningBot) -> None:
    """A common word the text does not have is left out of an answer the other words point
    at, and the reply says so under the intro."""
    data = await ask(running_bot, "search", {"query": "trade volume with Russia lately"})
    embed = data["embeds"][0]
    assert embed["description"].endswith("\n*Not in the text: lately.*")
    assert embed["fields"][0]["name"].endswith("Japan-Russia Economic Relations")
    plain = await ask(running_bot, "search", {"query": "trade volume with Russia"})
    assert "Not in the text" not in plain["embeds"][0]["description"]


async def test_summit_timeline_and_query(running_bot: RunningBot) -> None:
    data = await ask(running_bot, "summit")
    embed = data["embeds"][0]
    assert embed["title"] == "Summits and ministerial meetings"
    assert len(embed["fields"]) == 25
    assert embed["footer"]["text"].startswith("25 of ")
    assert embed["fields"][0]["name"] == "May 2016"
    assert "Eight-point Cooperation Plan" in embed["fields"][0]["value"]
    assert select_of(data)["placeholder"] == "Read section"
    osaka = (await ask(running_bot, "summit", {"query": "Osaka 2019"}))["embeds"][0]
    assert osaka["title"] == "Summits and ministerial meetings: Osaka 2019"
    assert osaka["fields"] and all("Osaka" in f["name"] for f in osaka["fields"])


async def test_trade_figures_with_source(running_bot: RunningBot) -> None:
    data = await ask(running_bot, "trade")
    fields = data["embeds"][0]["fields"]
    names = [f["name"] for f in fields]
    assert "2.3459 trillion yen (2019)" in names
    trade = fields[names.index("2.3459 trillion yen (2019)")]
    assert "**2.3459**" in trade["value"]
    assert "Japan-Russia Economic Relations*" in trade["value"]
    investment = await ask(running_bot, "trade", {"query": "investment"})
    shown = investment["embeds"][0]["fields"]
    assert [f["name"] for f in shown[:2]] == ["178 billion yen (2017)", "168.8 billion yen (2018)"]
    assert len(shown) < len(fields) or len(fields) == 10  # the query narrows the list


async def test_fact_with_quote_and_source(running_bot: RunningBot) -> None:
    data = await ask(running_bot, "fact", {"topic": "Arctic LNG 2"})
    embed = data["embeds"][0]
    assert "Arctic LNG 2" in embed["description"]
    quote = next(f for f in embed["fields"] if f["name"] == "Quote")
    assert quote["value"].startswith("> ")
    source = next(f for f in embed["fields"] if f["name"] == "Source")
    assert "Japan-Russia Economic Relations" in source["value"]
    assert select_of(data)["options"][0]["label"] == "C Japan-Russia Economic Relations"
    random_fact = await ask(running_bot, "fact")
    assert random_fact["embeds"][0]["title"] == "Fact"


# -- autocomplete ------------------------------------------------------------------------------


async def test_autocomplete_is_bounded_and_relevant_first(
    running_bot: RunningBot, emulator: Emulator
) -> None:
    for command, option, typed, expected in (
        ("section", "query", "north", "Northern Territories"),
        ("section", "query", "econ", "Econom"),
        ("section", "query", "", "Russia"),
        ("fact", "topic", "sum", "summit"),
        ("fact", "topic", "", "economy"),
    ):
        handle = await emulator.autocomplete(command, {option: typed}, focused=option)
        body = await handle.response()
        assert body["type"] == 8
        choices = body["data"]["choices"]
        assert 0 < len(choices) <= limits.AUTOCOMPLETE_CHOICES, (typed, choices)
        for choice in choices:
            assert len(choice["name"]) <= limits.AUTOCOMPLETE_NAME
            assert len(choice["value"]) <= limits.AUTOCOMPLETE_VALUE
        assert expected in choices[0]["name"], (typed, choices[0])
    # every section choice opens its section
    handle = await emulator.autocomplete("section", {"query": ""}, focused="query")
    for choice in (await handle.response())["data"]["choices"]:
        data = await ask(running_bot, "section", {"query": choice["value"]})
        assert data["embeds"][0]["title"] in choice["name"], choice


# -- paging, restart, reload -----------------------------------------------------------------


async def test_page_turns_by_button_also_after_a_restart(
    bot_starter: Any, emulator: Emulator, tmp_path: Path
) -> None:
    content = long_content(tmp_path)
    first = await bot_starter(content_dir=content)
    handle = await first.command("section", {"query": "Russian Diplomacy"})
    data = checked((await handle.response())["data"])
    assert data["embeds"][0]["footer"]["text"] == "Diplomatic Bluebook 2020 · page 1/3"
    assert handle.original is not None
    sid = section_sid(f"{DOC}#{LONG_ID}")
    assert custom_ids(data) == [f"bb:pg:{sid}:0", f"bb:pg:{sid}:1"]
    click = await emulator.click(handle.original, f"bb:pg:{sid}:1")
    page2 = checked((await click.response())["data"])
    assert page2["embeds"][0]["footer"]["text"].endswith("page 2/3")
    await asyncio.sleep(0.2)  # the fallback item sees every click, and must stay quiet
    callbacks = f"/interactions/{click.id}/{click.token}/callback"
    assert len(emulator.state.requests_to("POST", callbacks)) == 1
    assert custom_ids(page2) == [f"bb:pg:{sid}:0", f"bb:pg:{sid}:2"]
    texts = [data["embeds"][0]["description"], page2["embeds"][0]["description"]]
    assert all(len(t) <= limits.EMBED_DESCRIPTION for t in texts)
    assert "Appendix paragraph" in texts[1] and not texts[0].endswith(" ")
    message = click.original  # the message as it is now, with page 2's buttons
    assert message is not None
    await first.stop()

    second = await bot_starter(content_dir=content, data_dir=tmp_path / "data")
    assert second.bot is not first.bot
    click = await emulator.click(message, f"bb:pg:{sid}:2")
    page3 = checked((await click.response())["data"])
    assert page3["embeds"][0]["footer"]["text"].endswith("page 3/3")
    assert "Appendix paragraph 18." in page3["embeds"][0]["description"]
    buttons = page3["components"][0]["components"]
    assert not buttons[0].get("disabled") and buttons[1]["disabled"]


async def test_a_section_removed_by_a_reload_is_reported(
    bot_starter: Any, emulator: Emulator, tmp_path: Path
) -> None:
    content = long_content(tmp_path)
    first = await bot_starter(content_dir=content)
    handle = await first.command("section", {"query": "Test Appendix"})
    data = checked((await handle.response())["data"])
    assert data["embeds"][0]["title"] == "D Test Appendix"
    await first.stop()
    (content / DOC / "sections" / "013-test-appendix.md").unlink()
    await bot_starter(content_dir=content, data_dir=tmp_path / "data")
    message = {
        **(handle.original or {}),
        "components": [
            {
                "type": 1,
                "components": [
                    {"type": 2, "style": 2, "label": "Next ▶", "custom_id": "bb:pg:"
                     + section_sid(f"{DOC}#{EXTRA_ID}") + ":1"}
                ],
            }
        ],
    }  # fmt: skip
    click = await emulator.click(message, custom_ids(message)[0])
    body = checked((await click.response())["data"])
    assert body["flags"] & EPHEMERAL
    assert "no longer in the loaded content" in body["content"]


# -- did you mean, nothing relevant, private, escaping ------------------------------------------


async def test_did_you_mean_select_opens_the_section_in_place(
    running_bot: RunningBot, emulator: Emulator
) -> None:
    # "exchanges" is in two sibling titles and says nothing to choose between them.
    handle = await running_bot.command("section", {"query": "exchanges"})
    data = checked((await handle.response())["data"])
    assert data["embeds"][0]["title"].startswith("Did you mean")
    menu = select_of(data)
    assert menu["custom_id"] == "bb:op:e:1"
    labels = [o["label"] for o in menu["options"]]
    assert "Human and Cultural Exchanges" in labels
    assert 2 <= len(labels) <= 5
    assert handle.original is not None
    value = menu["options"][labels.index("Human and Cultural Exchanges")]["value"]
    click = await emulator.click(handle.original, menu["custom_id"], values=[value])
    body = await click.response()
    assert body["type"] == UPDATE_MESSAGE
    shown = checked(body["data"])
    assert shown["embeds"][0]["title"] == "(B) Human and Cultural Exchanges"
    assert shown["components"] == []  # the menu is gone, one page, no subsections


async def test_another_member_gets_their_own_copy(
    running_bot: RunningBot, emulator: Emulator
) -> None:
    handle = await running_bot.command("section", {"query": "Northern Territories"})
    await handle.response()
    assert handle.original is not None
    member = emulator.state.add_member(emulator.guild, "reader")
    click = await emulator.click(handle.original, custom_ids(handle.original)[1], member=member)
    body = await click.response()
    assert body["type"] == 4 and body["data"]["flags"] & EPHEMERAL
    assert checked(body["data"])["embeds"][0]["footer"]["text"].endswith("page 2/2")


async def test_nothing_relevant_is_ephemeral_with_suggestions(running_bot: RunningBot) -> None:
    data = await ask(running_bot, "section", {"query": "Russian Economics football cup"})
    assert data["flags"] & EPHEMERAL and not data.get("embeds")
    assert "No section matches" in data["content"]
    assert "`/section Russian Economy`" in data["content"]
    data = await ask(running_bot, "search", {"query": "world cup football"})
    assert data["flags"] & EPHEMERAL
    assert "Nothing relevant" in data["content"] and "/section" in data["content"]
    for name, options in (
        ("summit", {"query": "Antarctica 1850"}),
        ("trade", {"query": "penguins"}),
        ("fact", {"topic": "penguins"}),
    ):
        data = await ask(running_bot, name, options)
        assert data["flags"] & EPHEMERAL and data["content"], (name, data)


async def test_queries_without_searchable_words_say_why(running_bot: RunningBot) -> None:
    for name, option in (("search", "query"), ("section", "query"), ("fact", "topic")):
        data = await ask(running_bot, name, {option: "北方領土"})
        assert data["flags"] & EPHEMERAL
        assert "I can only search English text" in data["content"], name
    data = await ask(running_bot, "search", {"query": "🇯🇵🇷🇺🔥"})
    assert "emoji, symbols and punctuation are not searched" in data["content"]
    summit = (await ask(running_bot, "summit", {"query": "the of"}))["embeds"][0]
    assert summit["title"] == "Summits and ministerial meetings"  # the query was not used
    assert "'the of' has no words to search for" in summit["description"]
    assert summit["footer"]["text"].startswith("25 of ")
    trade = (await ask(running_bot, "trade", {"query": "!!!"}))["embeds"][0]
    assert trade["title"] == "Trade, investment and the economy"
    assert "'!!!' has no words to search for" in trade["description"]


async def test_private_answers_are_ephemeral(running_bot: RunningBot) -> None:
    for name, options in (
        ("section", {"query": "Russian Economy"}),
        ("search", {"query": "Northern Territories"}),
        ("summit", {}),
        ("trade", {}),
        ("fact", {"topic": "summit"}),
    ):
        public = await ask(running_bot, name, options)
        assert not (public.get("flags") or 0) & EPHEMERAL, name
        private = await ask(running_bot, name, {**options, "private": True})
        assert private["flags"] & EPHEMERAL, name
        assert private["embeds"], name


async def test_user_text_is_escaped_and_mentions_disabled(running_bot: RunningBot) -> None:
    typed = "@everyone **Northern Territories** _now_"
    data = await ask(running_bot, "search", {"query": typed})
    title = data["embeds"][0]["title"]
    assert "@everyone" not in title and "@\u200beveryone" in title
    assert "\\*\\*Northern Territories\\*\\*" in title and "\\_now\\_" in title
    for name, options in (
        ("search", {"query": "@everyone @here football"}),
        ("fact", {"topic": "@everyone *penguins*"}),
        ("summit", {"query": "@here **nowhere** 1850"}),
    ):
        answer = await ask(running_bot, name, options)
        text = answer.get("content") or ""
        assert "@everyone" not in text and "@here" not in text, text
        assert "**" not in text.replace("\\*\\*", ""), text


async def test_control_characters_are_not_echoed(running_bot: RunningBot) -> None:
    typed = "Northern\x00 Territories\u202e\x1b[31m"
    data = await ask(running_bot, "search", {"query": typed})
    title = data["embeds"][0]["title"]
    assert "Northern Territories" in title
    assert not any(ch in title for ch in "\x00\u202e\x1b"), repr(title)


async def test_a_button_nobody_recognises_gets_an_answer(
    running_bot: RunningBot, emulator: Emulator
) -> None:
    handle = await running_bot.command("section", {"query": "Russian Economy"})
    await handle.response()
    for forged in ("bb:pg:zzzz:1", "somebody-elses-button", "bb:op:x:1"):
        message = {**(handle.original or {}), "components": [{"type": 1, "components": [
            {"type": 2, "style": 2, "label": "?", "custom_id": forged}]}]}  # fmt: skip
        click = await emulator.click(message, forged)
        body = checked((await click.response())["data"])
        assert body["flags"] & EPHEMERAL
        assert "no longer works" in body["content"]


async def test_every_message_and_edit_went_out_without_mentions(
    running_bot: RunningBot, emulator: Emulator
) -> None:
    """Replies, ephemeral replies and in-place edits alike, as the emulator received them."""
    handle = await running_bot.command("section", {"query": "Northern Territories"})
    await handle.response()
    assert handle.original is not None
    click = await emulator.click(handle.original, custom_ids(handle.original)[1])
    await click.response()
    await ask(running_bot, "search", {"query": "world cup football"})
    await ask(running_bot, "trade", {"private": True})
    callbacks = emulator.state.requests_to(
        "POST", "/interactions/{interaction_id}/{token}/callback"
    )
    kinds = sorted({r.json["type"] for r in callbacks})
    assert kinds == [4, UPDATE_MESSAGE]
    for request in callbacks:
        data = request.json["data"]
        assert data["allowed_mentions"] == {"parse": []}, data
        assert message_problems(data) == []


def test_long_content_is_valid(tmp_path: Path) -> None:
    """The test content the paging tests rely on loads without errors."""
    from bot.content import load_content

    result = load_content(long_content(tmp_path))
    assert result.ok, result.errors
    doc = result.snapshot.document(DOC) if result.snapshot else None
    assert doc is not None and doc.get(EXTRA_ID) is not None
    assert yaml.safe_load((CONTENT_DIR / DOC / "document.yaml").read_text(encoding="utf-8"))
