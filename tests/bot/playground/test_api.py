"""The playground's JSON API over HTTP, against the real bot in the emulator: what the page
can do, and what it refuses (wrong input, other hosts, non-JSON posts, paths)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest

from bot.playground.server import Playground
from tests.support.harness import wait_for
from tests.support.paths import CONTENT_DIR

DOC = "bluebook-2020-russia"
ECONOMY = f"{DOC}#russia/japan-russia-relations/japan-russia-economic-relations"


class Api:
    def __init__(self, playground: Playground, session: aiohttp.ClientSession) -> None:
        self.playground = playground
        self.session = session
        self.base = playground.url.rstrip("/")

    async def call(self, method: str, path: str, body: Any = None, **kw: Any) -> tuple[int, Any]:
        async with self.session.request(method, self.base + path, json=body, **kw) as response:
            return response.status, await response.json()

    async def command(self, viewer: str, name: str, options: dict[str, Any]) -> tuple[int, Any]:
        channel = self.channel("general")
        body = {"viewer": viewer, "channel_id": channel, "name": name, "options": options}
        return await self.call("POST", "/api/command", body)

    def channel(self, name: str) -> str:
        return next(
            str(c.id) for c in self.playground.emulator.guild.channels.values() if c.name == name
        )

    async def state(self, viewer: str) -> dict[str, Any]:
        status, data = await self.call("GET", f"/api/state?viewer={viewer}")
        assert status == 200, data
        result: dict[str, Any] = data
        return result


@pytest.fixture
async def api(playground: Playground) -> AsyncIterator[Api]:
    async with aiohttp.ClientSession() as session:
        yield Api(playground, session)


def messages(state: dict[str, Any], channel: str) -> list[dict[str, Any]]:
    return [v["message"] for v in state["messages"].get(channel, [])]


async def test_state_shows_the_demo_server_and_the_registered_commands(api: Api) -> None:
    state = await api.state("member")
    assert state["guild"]["name"] == "Briefing Bot Playground"
    assert [c["name"] for c in state["channels"]] == ["general", "briefings", "news"]
    assert [v["key"] for v in state["viewers"]] == ["member", "admin", "owner"]
    commands = {c["name"]: c for c in state["commands"]}
    assert {"section", "search", "briefing", "admin"} <= set(commands)
    subs = {o["name"] for o in commands["briefing"]["options"]}
    assert "subscribe" in subs
    perms = {v["key"]: int(v["permissions"]) for v in state["viewers"]}
    assert perms["member"] & 32 == 0 and perms["admin"] & 32 and perms["owner"] & 32


async def test_a_command_is_answered_and_streamed_to_the_page(api: Api) -> None:
    async with api.session.get(api.base + "/api/events?viewer=member") as stream:
        status, sent = await api.command("member", "section", {"query": "Russian Economy"})
        assert status == 200, sent
        event = await asyncio.wait_for(_next_event(stream), timeout=10)
    assert event["type"] == "create"
    assert event["used"] == "Mika used /section"
    assert event["message"]["embeds"][0]["title"] == "B Russian Economy"
    state = await api.state("admin")  # a public answer: everyone sees it
    assert [m["id"] for m in messages(state, api.channel("general"))] == [event["message"]["id"]]


async def _next_event(stream: aiohttp.ClientResponse) -> dict[str, Any]:
    for _ in range(100):  # bounded: the stream's first lines are the retry hint and the event
        line = (await stream.content.readline()).decode()
        if line.startswith("data: "):
            event: dict[str, Any] = json.loads(line[6:])
            return event
    raise AssertionError("no event on the stream")


async def test_an_ephemeral_answer_is_in_its_viewers_state_only(api: Api) -> None:
    await api.command("member", "section", {"query": "Russian Economy", "private": True})
    general = api.channel("general")

    async def seen_by(viewer: str) -> list[dict[str, Any]]:
        return messages(await api.state(viewer), general)

    for _ in range(200):  # bounded wait for the bot's answer
        if await seen_by("member"):
            break
        await asyncio.sleep(0.02)
    [mine] = await seen_by("member")
    assert mine["flags"] & 64
    assert await seen_by("admin") == [] and await seen_by("owner") == []


@pytest.mark.parametrize(
    ("name", "options", "error"),
    [
        ("nope", {}, "/nope is not a command of this bot"),
        ("section", {}, "fill in: query"),
        ("section", {"query": "x", "colour": "red"}, "/section has no option 'colour'"),
        ("briefing", {}, "pick a sub-command"),
        ("briefing subscribe", {"channel": "12345"}, "channel: pick a channel of this server"),
    ],
)
async def test_bad_commands_are_refused_with_a_reason(
    api: Api, name: str, options: dict[str, Any], error: str
) -> None:
    status, answer = await api.command("admin", name, options)
    assert status == 400
    assert error in answer["error"]


async def test_autocomplete_comes_from_the_bot(api: Api) -> None:
    body = {
        "viewer": "member",
        "channel_id": api.channel("general"),
        "name": "section",
        "options": {"query": "econ"},
        "focused": "query",
    }
    status, answer = await api.call("POST", "/api/autocomplete", body)
    assert status == 200, answer
    names = [c["name"] for c in answer["choices"]]
    assert any("Economy" in n or "Economic" in n for n in names), names


async def test_advancing_with_no_subscription_says_so(api: Api) -> None:
    status, answer = await api.call("POST", "/api/clock/next", {})
    assert status == 200 and answer["jumped_to"] is None


async def test_a_subscription_posts_once_when_the_clock_reaches_it(api: Api) -> None:
    playground = api.playground
    briefings = api.channel("briefings")
    status, answer = await api.command("admin", "briefing subscribe", {"channel": briefings})
    assert status == 200, answer
    due = await wait_for(lambda: _clock_due(playground), timeout=10)
    status, moved = await api.call("POST", "/api/clock/next", {})
    assert status == 200 and moved["jumped_to"] is not None
    stored = playground.emulator.state.messages[int(briefings)]
    await wait_for(lambda: stored, timeout=10)
    # Done: the dispatcher has moved on to the next day's briefing.
    await wait_for(lambda: _clock_due(playground) not in (None, due), timeout=10)
    assert len(stored) == 1
    assert stored[0]["embeds"][0]["footer"]["text"]


def _clock_due(playground: Playground) -> Any:
    runtime = playground.running.bot.briefings if playground.running else None
    return runtime.dispatcher.status().next_due if runtime else None


async def test_the_section_editor_writes_the_copy_never_the_repository(
    api: Api, playground: Playground
) -> None:
    original = (CONTENT_DIR / DOC / "sections").glob("*economic-relations.md")
    [repository_file] = list(original)
    before = repository_file.read_text(encoding="utf-8")
    status, section = await api.call("GET", f"/api/section?key={ECONOMY.replace('#', '%23')}")
    assert status == 200, section
    assert section["text"].strip() and not section["text"].startswith("---")
    text = section["text"] + "\n\nA sentence added in the playground."
    status, saved = await api.call("PUT", "/api/section", {"key": ECONOMY, "text": text})
    assert status == 200 and saved["saved"], saved
    copy = playground.settings.data.content / DOC / "sections" / repository_file.name
    assert "A sentence added in the playground." in copy.read_text(encoding="utf-8")
    assert copy.read_text(encoding="utf-8").startswith("---\nid: russia/")
    assert repository_file.read_text(encoding="utf-8") == before


@pytest.mark.parametrize("key", ["../../etc/passwd", f"{DOC}#no-such-section", ""])
async def test_the_section_editor_takes_only_served_sections(api: Api, key: str) -> None:
    status, answer = await api.call("PUT", "/api/section", {"key": key, "text": "x"})
    assert status == 400 and "no section" in answer["error"]


async def test_posts_must_be_json(api: Api) -> None:
    status, answer = await api.call("POST", "/api/clock/next", data="x")
    assert status == 415, answer


async def test_other_hosts_are_refused(api: Api) -> None:
    status, answer = await api.call("GET", "/api/state", headers={"Host": "evil.example:80"})
    assert status == 421, answer


async def test_the_page_and_its_scripts_are_served_with_a_strict_policy(api: Api) -> None:
    for path in ("/", "/app.js", "/markdown.js", "/style.css"):
        async with api.session.get(api.base + path) as response:
            assert response.status == 200
            policy = response.headers["Content-Security-Policy"]
            assert "script-src 'self'" in policy and "default-src 'self'" in policy
            body = await response.text()
            assert "http://" not in body and "https://cdn" not in body
    async with api.session.get(api.base + "/static/../../pyproject.toml") as response:
        assert response.status == 404
