"""The emulator refuses over HTTP what Discord refuses: every limit, on every route that carries
a message or an interaction callback, with Discord's 400 body (code 50035, errors by path)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import aiohttp
import pytest

from bot.emulator import Emulator
from bot.emulator.interactions import APPLICATION_COMMAND, InteractionHandle

Send = Callable[[dict[str, Any]], Awaitable[tuple[int, Any]]]


def button(custom_id: str) -> dict[str, Any]:
    return {"type": 2, "style": 1, "label": "Go", "custom_id": custom_id}


def row(*components: dict[str, Any]) -> dict[str, Any]:
    return {"type": 1, "components": list(components)}


def select(options: int) -> dict[str, Any]:
    choices = [{"label": f"o{i}", "value": f"v{i}"} for i in range(options)]
    return {"type": 3, "custom_id": "pick", "options": choices}


MAX = "BASE_TYPE_MAX_LENGTH"
BAD = "BASE_TYPE_BAD_LENGTH"

# (message body, field path below the message, error code, error message)
MESSAGE_CASES: list[tuple[str, dict[str, Any], tuple[str, ...], str, str]] = [
    ("content", {"content": "x" * 2001}, ("content",), MAX, "Must be 2000 or fewer in length."),
    (
        "title",
        {"embeds": [{"title": "x" * 257}]},
        ("embeds", "0", "title"),
        MAX,
        "Must be 256 or fewer in length.",
    ),
    (
        "description",
        {"embeds": [{"description": "x" * 4097}]},
        ("embeds", "0", "description"),
        MAX,
        "Must be 4096 or fewer in length.",
    ),
    (
        "fields",
        {"embeds": [{"fields": [{"name": "n", "value": "v"}] * 26}]},
        ("embeds", "0", "fields"),
        MAX,
        "Must be 25 or fewer in length.",
    ),
    (
        "field name",
        {"embeds": [{"title": "t"}, {"fields": [{"name": "x" * 257, "value": "v"}]}]},
        ("embeds", "1", "fields", "0", "name"),
        MAX,
        "Must be 256 or fewer in length.",
    ),
    (
        "field value",
        {"embeds": [{"fields": [{"name": "n", "value": "v"}, {"name": "n", "value": "x" * 1025}]}]},
        ("embeds", "0", "fields", "1", "value"),
        MAX,
        "Must be 1024 or fewer in length.",
    ),
    (
        "footer",
        {"embeds": [{"footer": {"text": "x" * 2049}}]},
        ("embeds", "0", "footer", "text"),
        MAX,
        "Must be 2048 or fewer in length.",
    ),
    (
        "author",
        {"embeds": [{"author": {"name": "x" * 257}}]},
        ("embeds", "0", "author", "name"),
        MAX,
        "Must be 256 or fewer in length.",
    ),
    (
        "embed total",
        {"embeds": [{"description": "x" * 4000}, {"description": "y" * 2001}]},
        ("embeds",),
        "MAX_EMBED_SIZE_EXCEEDED",
        "Embed size exceeds maximum size of 6000",
    ),
    (
        "embeds",
        {"embeds": [{"title": "t"}] * 11},
        ("embeds",),
        MAX,
        "Must be 10 or fewer in length.",
    ),
    (
        "custom_id",
        {"components": [row(button("x" * 101))]},
        ("components", "0", "components", "0", "custom_id"),
        BAD,
        "Must be between 1 and 100 in length.",
    ),
    (
        "repeated custom_id",
        {"components": [row(button("a")), row(button("b"), button("a"))]},
        ("components", "1", "components", "1", "custom_id"),
        "COMPONENT_CUSTOM_ID_DUPLICATED",
        "Component custom id cannot be duplicated",
    ),
    (
        "rows",
        {"components": [row(button(f"b{i}")) for i in range(6)]},
        ("components",),
        MAX,
        "Must be 5 or fewer in length.",
    ),
    (
        "buttons in a row",
        {"components": [row(*(button(f"b{i}") for i in range(6)))]},
        ("components", "0", "components"),
        MAX,
        "Must be 5 or fewer in length.",
    ),
    (
        "select options",
        {"components": [row(select(26))]},
        ("components", "0", "components", "0", "options"),
        BAD,
        "Must be between 1 and 25 in length.",
    ),
]

# At every limit exactly: accepted everywhere.
AT_THE_LIMITS: dict[str, Any] = {
    "content": "c" * 2000,
    "embeds": [
        {
            "title": "t" * 256,
            "description": "d" * 2000,
            "fields": [{"name": "n" * 256, "value": "v" * 1024}, {"name": "n", "value": "v"}],
            "footer": {"text": "f" * 1200},
            "author": {"name": "a" * 256},
        },
        *[{"title": "t"}] * 8,
        {"description": "d" * (6000 - 256 - 2000 - 256 - 1024 - 2 - 1200 - 256 - 8)},
    ],
    "components": [row(*(button(f"{r}-{b}".ljust(100, "x")) for b in range(5))) for r in range(4)]
    + [row(select(25))],
}


def error_at(body: dict[str, Any], path: tuple[str, ...]) -> list[dict[str, str]]:
    assert body["code"] == 50035, body
    assert body["message"] == "Invalid Form Body", body
    node = body["errors"]
    for key in path:
        assert key in node, (path, body["errors"])
        node = node[key]
    errors: list[dict[str, str]] = node["_errors"]
    return errors


class Client:
    """Raw HTTP to the emulator, as Discord's clients see it."""

    def __init__(self, emulator: Emulator, session: aiohttp.ClientSession) -> None:
        self.emulator = emulator
        self.session = session
        self.base = emulator.api_base_url
        self.auth = {"Authorization": f"Bot {emulator.token}"}

    async def call(
        self, method: str, path: str, body: Any, *, auth: bool = True
    ) -> tuple[int, Any]:
        headers = self.auth if auth else {}
        async with self.session.request(
            method, self.base + path, json=body, headers=headers
        ) as response:
            data = await response.json() if response.status != 204 else None
            return response.status, data

    def interaction(self) -> InteractionHandle:
        # Built but never sent over the gateway: no bot is connected in these tests.
        return self.emulator.interactions.build(APPLICATION_COMMAND, {"name": "t"})

    async def callback(self, handle: InteractionHandle, body: dict[str, Any]) -> tuple[int, Any]:
        path = f"/interactions/{handle.id}/{handle.token}/callback"
        return await self.call("POST", path, body, auth=False)

    def webhook(self, handle: InteractionHandle) -> str:
        return f"/webhooks/{self.emulator.state.application_id}/{handle.token}"


@pytest.fixture
async def client(emulator: Emulator) -> AsyncIterator[Client]:
    async with aiohttp.ClientSession() as session:
        yield Client(emulator, session)


def message_routes(client: Client) -> dict[str, Callable[[dict[str, Any]], Awaitable[Any]]]:
    """Every route that carries a message: name -> send(body) -> (status, json)."""
    channel = f"/channels/{client.emulator.channel.id}/messages"

    async def channel_post(body: dict[str, Any]) -> tuple[int, Any]:
        return await client.call("POST", channel, body)

    async def channel_patch(body: dict[str, Any]) -> tuple[int, Any]:
        status, msg = await client.call("POST", channel, {"content": "first"})
        assert status == 200, msg
        return await client.call("PATCH", f"{channel}/{msg['id']}", body)

    async def callback_message(body: dict[str, Any]) -> tuple[int, Any]:
        return await client.callback(client.interaction(), {"type": 4, "data": body})

    async def callback_update(body: dict[str, Any]) -> tuple[int, Any]:
        return await client.callback(client.interaction(), {"type": 7, "data": body})

    async def followup(body: dict[str, Any]) -> tuple[int, Any]:
        handle = client.interaction()
        assert (await client.callback(handle, {"type": 5}))[0] == 204
        return await client.call("POST", client.webhook(handle) + "?wait=true", body, auth=False)

    async def original_edit(body: dict[str, Any]) -> tuple[int, Any]:
        handle = client.interaction()
        assert (await client.callback(handle, {"type": 5}))[0] == 204
        path = client.webhook(handle) + "/messages/@original"
        return await client.call("PATCH", path, body, auth=False)

    return {
        "channel POST": channel_post,
        "channel PATCH": channel_patch,
        "callback 4": callback_message,
        "callback 7": callback_update,
        "followup": followup,
        "@original edit": original_edit,
    }


CALLBACKS = ("callback 4", "callback 7")


@pytest.mark.parametrize(("case", "body", "path", "code", "message"), MESSAGE_CASES)
async def test_every_message_route_refuses(
    client: Client, case: str, body: dict[str, Any], path: tuple[str, ...], code: str, message: str
) -> None:
    for route, send in message_routes(client).items():
        status, answer = await send(body)
        assert status == 400, (case, route, answer)
        full = ("data", *path) if route in CALLBACKS else path
        assert {"code": code, "message": message} in error_at(answer, full), (case, route)


async def test_every_message_route_accepts_a_message_at_every_limit(client: Client) -> None:
    for route, send in message_routes(client).items():
        status, answer = await send(AT_THE_LIMITS)
        assert status in (200, 204), (route, answer)


async def test_a_refused_message_is_not_stored(client: Client, emulator: Emulator) -> None:
    channel = emulator.channel.id
    status, _ = await client.call("POST", f"/channels/{channel}/messages", {"content": "x" * 2001})
    assert status == 400
    assert emulator.state.messages[channel] == []


async def test_unknown_callback_type(client: Client) -> None:
    status, answer = await client.callback(client.interaction(), {"type": 99, "data": {}})
    assert status == 400
    [error] = error_at(answer, ("type",))
    assert error["code"] == "BASE_TYPE_CHOICES"
    assert "99" not in error["message"] and "4" in error["message"]


def choices(count: int, name: str = "n", value: str = "v") -> dict[str, Any]:
    return {"type": 8, "data": {"choices": [{"name": name, "value": value}] * count}}


@pytest.mark.parametrize(
    ("body", "path", "code", "message"),
    [
        (choices(26), ("data", "choices"), MAX, "Must be 25 or fewer in length."),
        (
            choices(1, name="x" * 101),
            ("data", "choices", "0", "name"),
            BAD,
            "Must be between 1 and 100 in length.",
        ),
        (
            choices(1, value="x" * 101),
            ("data", "choices", "0", "value"),
            MAX,
            "Must be 100 or fewer in length.",
        ),
    ],
)
async def test_autocomplete_limits(
    client: Client, body: dict[str, Any], path: tuple[str, ...], code: str, message: str
) -> None:
    status, answer = await client.callback(client.interaction(), body)
    assert status == 400, answer
    assert error_at(answer, path) == [{"code": code, "message": message}]


async def test_autocomplete_at_the_limits_is_accepted(client: Client) -> None:
    body = choices(25, name="n" * 100, value="v" * 100)
    status, answer = await client.callback(client.interaction(), body)
    assert status == 204, answer


async def test_a_refused_callback_leaves_the_interaction_open(client: Client) -> None:
    handle = client.interaction()
    assert (await client.callback(handle, choices(26)))[0] == 400
    assert not handle.acknowledged
    status, answer = await client.callback(handle, choices(25))
    assert status == 204, answer
    assert handle.acknowledged


async def test_errors_on_several_paths_are_reported_together(client: Client) -> None:
    body = {"content": "x" * 2001, "embeds": [{"title": "x" * 257}]}
    status, answer = await client.callback(client.interaction(), {"type": 4, "data": body})
    assert status == 400
    assert error_at(answer, ("data", "content"))
    assert error_at(answer, ("data", "embeds", "0", "title"))
