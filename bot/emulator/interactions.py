"""INTERACTION_CREATE payloads with every field Discord sends, and handles to await answers.

discord.py indexes some interaction keys directly (`attachment_size_limit`, `version`,
`token`...) so a missing one kills the gateway task; it reads permissions from strings and
treats a missing `app_permissions` as "no permissions". Building the payload in one place
keeps every test honest about what Discord really sends.
"""

from __future__ import annotations

import asyncio
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .state import (
    MEMBER_DEFAULT_PERMISSIONS,
    Channel,
    Guild,
    Member,
    World,
    snowflake,
)

# Interaction types and callback types (Discord API reference).
APPLICATION_COMMAND = 2
MESSAGE_COMPONENT = 3
AUTOCOMPLETE = 4
MODAL_SUBMIT = 5

CHANNEL_MESSAGE = 4
DEFERRED_CHANNEL_MESSAGE = 5
DEFERRED_UPDATE_MESSAGE = 6
UPDATE_MESSAGE = 7
AUTOCOMPLETE_RESULT = 8
MODAL = 9

_OPTION_TYPE_BY_PY = {bool: 5, int: 4, float: 10, str: 3}
EPHEMERAL = 1 << 6


@dataclass
class InteractionEvent:
    """One thing the bot did with an interaction."""

    kind: str  # callback | followup | edit | delete
    body: dict[str, Any]
    message_id: str | None = None
    at: float = field(default_factory=time.monotonic)


class InteractionHandle:
    """A dispatched interaction: await the bot's answer, follow-ups and edits.

    `await handle.response()` returns the callback body (`{"type": 4, "data": {...}}`);
    `await handle.followups(n)` the first n follow-up bodies; `handle.original` the current
    original response message (after `@original` edits), or None.
    """

    def __init__(self, interaction_id: int, token: str, payload: dict[str, Any]) -> None:
        self.id = interaction_id
        self.token = token
        self.payload = payload
        self.dispatched_at = time.monotonic()
        self.events: list[InteractionEvent] = []
        self.original: dict[str, Any] | None = None
        self.messages: dict[str, dict[str, Any]] = {}  # follow-up messages by id
        self.acknowledged = False  # a callback has been accepted
        # Set by a load generator that awaits the visible answer without polling `events`:
        # resolved with (arrival time, message data) by the first type 4/7 callback or
        # `@original` edit.
        self.answer: asyncio.Future[tuple[float, dict[str, Any]]] | None = None
        self._changed = asyncio.Event()

    # -- recording (called by the REST side) -----------------------------------------------

    def record(self, event: InteractionEvent) -> None:
        self.events.append(event)
        if event.kind == "callback":
            self.acknowledged = True
        answer = self.answer
        if answer is not None and not answer.done():
            data = _visible(event)
            if data is not None:
                answer.set_result((event.at, data))
        self._changed.set()

    # -- waiting (called by tests) ----------------------------------------------------------

    async def wait_until(
        self, predicate: Callable[[InteractionHandle], Any], timeout: float = 5.0
    ) -> Any:
        """Wait until `predicate(self)` is truthy and return its value; TimeoutError after."""
        deadline = time.monotonic() + timeout
        while True:
            value = predicate(self)
            if value:
                return value
            left = deadline - time.monotonic()
            if left <= 0:
                kinds = [e.kind for e in self.events]
                raise TimeoutError(
                    f"interaction {self.id}: condition not met in {timeout}s (events: {kinds})"
                )
            self._changed.clear()
            try:
                await asyncio.wait_for(self._changed.wait(), timeout=left)
            except TimeoutError:
                continue

    async def response(self, timeout: float = 5.0) -> dict[str, Any]:
        """The interaction callback body the bot sent (type 4/5/6/7/8/9 and its data)."""
        event: InteractionEvent = await self.wait_until(
            lambda h: next((e for e in h.events if e.kind == "callback"), None), timeout
        )
        return event.body

    async def followups(self, count: int = 1, timeout: float = 5.0) -> list[dict[str, Any]]:
        """The first `count` follow-up message bodies (webhook executions)."""

        def enough(h: InteractionHandle) -> list[dict[str, Any]] | None:
            bodies = [e.body for e in h.events if e.kind == "followup"]
            return bodies[:count] if len(bodies) >= count else None

        result: list[dict[str, Any]] = await self.wait_until(enough, timeout)
        return result

    async def final_message(self, timeout: float = 5.0) -> dict[str, Any]:
        """The visible answer: the type 4/7 callback data, or the first `@original` edit
        after a defer (type 5/6)."""

        def done(h: InteractionHandle) -> dict[str, Any] | None:
            return next((d for d in map(_visible, h.events) if d is not None), None)

        result: dict[str, Any] = await self.wait_until(done, timeout)
        return result

    @property
    def latency(self) -> float | None:
        """Seconds from dispatch to the first callback, None before it."""
        for e in self.events:
            if e.kind == "callback":
                return e.at - self.dispatched_at
        return None


def _visible(event: InteractionEvent) -> dict[str, Any] | None:
    """The message data of an event that shows the user an answer, else None."""
    if event.kind == "callback" and event.body.get("type") in (CHANNEL_MESSAGE, UPDATE_MESSAGE):
        data: dict[str, Any] = event.body.get("data") or {}
        return data
    if event.kind == "edit" and event.message_id == "@original":
        return event.body
    return None


def _convert_options(values: dict[str, Any], declared: list[dict[str, Any]] | None) -> list[Any]:
    types = {o["name"]: o["type"] for o in declared or [] if "name" in o}
    out = []
    for name, value in values.items():
        kind = types.get(name) or _OPTION_TYPE_BY_PY.get(type(value), 3)
        v = str(value) if kind in (6, 7, 8, 9) else value
        out.append({"name": name, "type": kind, "value": v})
    return out


def _build_options(
    path: list[str],
    values: dict[str, Any],
    declared: dict[str, Any] | None,
    focused: str | None,
) -> list[dict[str, Any]]:
    """Nest `values` under the sub-command group/sub-command names in `path`."""
    decl_options = (declared or {}).get("options") or []
    if path:
        sub = next((o for o in decl_options if o.get("name") == path[0]), None)
        kind = sub["type"] if sub else (1 if len(path) == 1 else 2)
        return [
            {
                "name": path[0],
                "type": kind,
                "options": _build_options(path[1:], values, sub, focused),
            }
        ]
    options = _convert_options(values, decl_options)
    for option in options:
        if option["name"] == focused:
            option["focused"] = True
            option["value"] = str(option["value"])
            option["type"] = 3 if option["type"] not in (4, 10) else option["type"]
    return options


class InteractionFactory:
    """Builds interaction payloads for a `World` and keeps their handles by token."""

    def __init__(self, world: World) -> None:
        self.world = world
        self.by_token: dict[str, InteractionHandle] = {}
        self.by_id: dict[int, InteractionHandle] = {}

    def find_command(self, name: str, guild_id: int | None) -> tuple[dict[str, Any] | None, bool]:
        """The registered command (guild first, then global) and whether it is guild-scoped."""
        if guild_id is not None:
            for cmd in self.world.guild_commands.get(guild_id, []):
                if cmd["name"] == name:
                    return cmd, True
        for cmd in self.world.global_commands:
            if cmd["name"] == name:
                return cmd, False
        return None, False

    def build(
        self,
        interaction_type: int,
        data: dict[str, Any],
        *,
        guild: Guild | None = None,
        channel: Channel | None = None,
        member: Member | None = None,
        permissions: int | None = None,
        locale: str = "en-US",
        message: dict[str, Any] | None = None,
        created_at: float | None = None,
    ) -> InteractionHandle:
        base = self.base_payload(
            interaction_type,
            guild=guild,
            channel=channel,
            member=member,
            permissions=permissions,
            locale=locale,
        )
        return self.build_from(base, data, message=message, created_at=created_at)

    def build_from(
        self,
        base: dict[str, Any],
        data: dict[str, Any],
        *,
        message: dict[str, Any] | None = None,
        created_at: float | None = None,
    ) -> InteractionHandle:
        """A new interaction (fresh id and token) on a `base_payload`.

        The payload is a shallow copy: its nested parts are `base`'s own, so a load generator
        builds `base` once per run and pays only for the id, the token and one dict here.
        Nothing may mutate them afterwards (the emulator only reads and serialises them).
        `created_at` (a time.time() value) backdates the id, as for one that waited in a queue.
        """
        interaction_id = snowflake(created_at)
        token = "aW50ZXJhY3Rpb246" + secrets.token_urlsafe(48)
        payload = base.copy()
        payload["id"] = str(interaction_id)
        payload["data"] = data
        payload["token"] = token
        if message is not None:
            payload["message"] = message
        handle = InteractionHandle(interaction_id, token, payload)
        self.by_token[token] = handle
        self.by_id[interaction_id] = handle
        return handle

    def base_payload(
        self,
        interaction_type: int,
        *,
        guild: Guild | None = None,
        channel: Channel | None = None,
        member: Member | None = None,
        permissions: int | None = None,
        locale: str = "en-US",
    ) -> dict[str, Any]:
        """Everything of an interaction payload but its id, token, data and message, in the
        order Discord sends the keys."""
        world = self.world
        guild = guild or world.first_guild()
        channel = channel or world.first_channel(guild)
        member = member or guild.members[world.owner.id]
        user_perms = (
            permissions
            if permissions is not None
            else guild.channel_permissions(member.user.id, channel)
        )
        if permissions is None and member.user.id != guild.owner_id:
            user_perms |= MEMBER_DEFAULT_PERMISSIONS & guild.everyone.permissions
        app_perms = world.bot_permissions_in(channel)
        return {
            "id": "",
            "application_id": str(world.application_id),
            "type": interaction_type,
            "data": {},
            "guild_id": str(guild.id),
            "guild": {
                "id": str(guild.id),
                "features": list(guild.features),
                "locale": guild.locale,
            },
            "channel": channel.payload(permissions=user_perms),
            "channel_id": str(channel.id),
            "member": member.payload(permissions=user_perms),
            "token": "",
            "version": 1,
            "app_permissions": str(app_perms),
            "locale": locale,
            "guild_locale": guild.locale,
            "entitlements": [],
            "entitlement_sku_ids": [],
            "authorizing_integration_owners": {"0": str(guild.id)},
            "context": 0,
            "attachment_size_limit": 10 * 1024 * 1024,
        }

    def command_data(
        self,
        name: str,
        options: dict[str, Any] | None,
        guild: Guild | None,
        focused: str | None = None,
    ) -> dict[str, Any]:
        """`name` may include sub-commands: "briefing subscribe"."""
        parts = name.split()
        guild = guild or self.world.first_guild()
        declared, guild_scoped = self.find_command(parts[0], guild.id)
        data: dict[str, Any] = {
            "id": declared["id"] if declared else str(snowflake()),
            "name": parts[0],
            "type": 1,
            "options": _build_options(parts[1:], options or {}, declared, focused),
        }
        if guild_scoped:
            data["guild_id"] = str(guild.id)
        channels = self._resolved_channels(data["options"], guild)
        if channels:
            data["resolved"] = {"channels": channels}
        return data

    def _resolved_channels(
        self, options: list[dict[str, Any]], guild: Guild
    ) -> dict[str, dict[str, Any]]:
        """Channel options come with `resolved.channels`, as Discord sends them; discord.py
        needs that to hand the command a channel object."""
        out: dict[str, dict[str, Any]] = {}
        owner = self.world.owner.id
        for option in options:
            if option.get("type") in (1, 2):
                out.update(self._resolved_channels(option.get("options") or [], guild))
            elif option.get("type") == 7 and not option.get("focused"):
                channel = self.world.channel(int(option["value"]))
                if channel is not None:
                    perms = guild.channel_permissions(owner, channel)
                    out[str(channel.id)] = channel.payload(permissions=perms)
        return out
