"""Any query, rendered as the lookup cog renders it, fits every Discord limit (hypothesis).

The replies come from the cog's own builders (`Lookup.build_*`, the code that answers the
slash commands) over the bundled content: an embed with its components, or an ephemeral
text. Each is checked with `bot.app.render.check` (every embed limit, the 6,000 total,
content <= 2,000, components), and for what a user's words may not bring into a reply: a live
@everyone/@here, or a bidirectional override that reverses the text after it.
Examples: 200 per property, the same on every run (tests/support/properties.py); for more,
`HYPOTHESIS_PROFILE=thorough pytest -q tests/bot/app/render/test_rendered_properties.py`.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable

import pytest
from hypothesis import event, example, given
from hypothesis import strategies as st

from bot.app.client import BriefingBot
from bot.app.render import embeds, limits
from bot.app.render.check import rendered_problems
from bot.config import Config
from bot.search import SearchIndex
from bot.search.ask import fact_lookup
from cogs.lookup.cog import Lookup, Reply
from tests.support.properties import (
    BIDI_OVERRIDES,
    INDEX,
    LIVE_MENTION,
    MAX_OPTION,
    QUERIES,
    SEEDS,
)

Builder = Callable[[SearchIndex, str], Reply]


@pytest.fixture(scope="module")
def lookup() -> Lookup:
    """The lookup cog of a bot that is never started: /section reads its section pages."""
    return Lookup(BriefingBot(Config()))


def _builders(cog: Lookup) -> dict[str, Builder]:
    return {
        "section": cog.build_section,
        "search": cog.build_search,
        "summit": cog.build_summit,
        "trade": cog.build_trade,
        "fact": cog.build_fact,
    }


def _sent(reply: Reply) -> str:
    """The reply as Discord receives it (after checking every limit), as one JSON text."""
    view = reply.view()
    problems = rendered_problems(reply.embed, view, reply.text or None)
    assert problems == [], problems
    assert (reply.embed is None) != (not reply.text)  # an embed, or an ephemeral text
    payload = {
        "content": reply.text,
        "embeds": [reply.embed.to_dict()] if reply.embed is not None else [],
        "components": view.to_components() if view is not None else [],
    }
    return json.dumps(payload, ensure_ascii=False)


def _check_user_text_is_inert(sent: str) -> None:
    assert LIVE_MENTION.search(sent) is None, sent[:300]
    assert BIDI_OVERRIDES.search(sent) is None, sent[:300]


COMMANDS = ["section", "search", "summit", "trade", "fact"]


@pytest.mark.parametrize("command", COMMANDS)  # 200 examples each
@given(query=QUERIES)
@example(query="@everyone **bold** " + "x" * 400)
@example(query="@here \u202eevil")
@example(query="the of")
@example(query="||" * 150)
@example(query="北方領土")
@example(query="🔥" * MAX_OPTION)
def test_every_reply_fits_discord(lookup: Lookup, query: str, command: str) -> None:
    typed = " ".join(query.split())  # what the cog hands its builders (`Lookup.reply`)
    if command == "fact" and not typed:
        return  # a random fact: rendered with a seeded choice below
    reply = _builders(lookup)[command](INDEX, typed)
    event(f"{command}: {'embed' if reply.embed is not None else 'text'}")
    sent = _sent(reply)
    _check_user_text_is_inert(sent)


@given(seed=SEEDS)
def test_a_random_fact_fits_discord(seed: int) -> None:
    answer = fact_lookup(INDEX, "", random.Random(seed))
    assert answer.fact is not None
    embed = embeds.fact_embed(answer, INDEX.snapshot.document(answer.fact.document))
    assert rendered_problems(embed) == []


@given(message=QUERIES, suggestions=st.lists(QUERIES, max_size=5), hint=QUERIES)
@example(message="x" * MAX_OPTION, suggestions=["`" * 300] * 5, hint="@everyone")
@example(message=" ", suggestions=[], hint="")  # found by hypothesis: escaped to "", unsendable
@example(message="\x00\u202e", suggestions=[], hint="")
def test_a_nothing_message_fits_discord(message: str, suggestions: list[str], hint: str) -> None:
    """`nothing_message` echoes the core's message (which may quote the query) escaped; the
    hint and suggestions are ours, so only their length is checked here."""
    text = embeds.nothing_message(message, suggestions, hint)
    assert 0 < len(text) <= limits.MESSAGE_CONTENT
    first_line = text.split("\n")[0]  # the escaped message
    _check_user_text_is_inert(first_line)
