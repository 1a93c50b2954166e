"""What the page can do, as one of the demo viewers: run a slash command, ask for
autocomplete, click a button or choose in a select, move the clock to the next briefing.
Each goes to the real bot as an interaction through the emulator's gateway, exactly as
Discord would send it; the answers come back through the emulator (see timeline.py)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Coroutine
from datetime import datetime
from typing import Any

from bot.app.client import BriefingBot
from bot.briefings.schedule import next_due
from bot.emulator import Channel, Emulator, InteractionHandle
from bot.playground.clock import OffsetClock
from bot.playground.timeline import Timeline, visible_to
from bot.playground.world import Viewer

ANSWER_TIMEOUT = 3.0  # Discord's interaction deadline: after it, "did not respond"
SUBCOMMAND, GROUP = 1, 2
MAX_STRING = 6000


class ActionError(Exception):
    """A request the page should not have sent (unknown command, bad option...)."""


def _option_value(option: dict[str, Any], value: Any, channels: dict[str, Channel]) -> Any:
    """`value` converted to the option's type, as Discord's client would send it."""
    kind, name = option.get("type"), option.get("name")
    try:
        if kind == 4:
            return int(value)
        if kind == 10:
            return float(value)
    except (TypeError, ValueError):
        raise ActionError(f"{name}: a number is needed") from None
    if kind == 5:
        if not isinstance(value, bool):
            raise ActionError(f"{name}: true or false is needed")
        return value
    if kind == 7:
        if str(value) not in channels:
            raise ActionError(f"{name}: pick a channel of this server")
        return str(value)
    text = str(value)
    if len(text) > MAX_STRING:
        raise ActionError(f"{name}: too long")
    return text


def declared_options(command: dict[str, Any], path: list[str]) -> list[dict[str, Any]]:
    """The options of the sub-command at `path` ("subscribe", or a group and sub-command)."""
    options: list[dict[str, Any]] = command.get("options") or []
    for part in path:
        sub = next(
            (o for o in options if o.get("name") == part and o.get("type") in (SUBCOMMAND, GROUP)),
            None,
        )
        if sub is None:
            raise ActionError(f"/{command['name']} has no sub-command {part!r}")
        options = sub.get("options") or []
    if any(o.get("type") in (SUBCOMMAND, GROUP) for o in options):
        raise ActionError(f"/{command['name']}: pick a sub-command")
    return options


class Actions:
    """The page's requests, carried out against the emulator for one demo server."""

    def __init__(
        self,
        emulator: Emulator,
        bot: BriefingBot,
        viewers: dict[str, Viewer],
        timeline: Timeline,
        clock: OffsetClock,
    ) -> None:
        self.emulator = emulator
        self.bot = bot
        self.viewers = viewers
        self.timeline = timeline
        self.clock = clock
        self._watchers: set[asyncio.Task[None]] = set()

    # -- helpers ----------------------------------------------------------------------------

    def viewer(self, key: Any) -> Viewer:
        viewer = self.viewers.get(str(key))
        if viewer is None:
            raise ActionError("unknown viewer")
        return viewer

    def channels(self) -> dict[str, Channel]:
        return {str(c.id): c for c in self.emulator.guild.channels.values() if not c.deleted}

    def channel(self, channel_id: Any) -> Channel:
        channel = self.channels().get(str(channel_id))
        if channel is None:
            raise ActionError("unknown channel")
        return channel

    def commands(self) -> list[dict[str, Any]]:
        """What the bot registered: global commands and this server's."""
        world = self.emulator.state
        return [*world.global_commands, *world.guild_commands.get(self.emulator.guild.id, [])]

    def _command(self, name: str) -> tuple[dict[str, Any], list[str]]:
        parts = name.split()
        if not parts:
            raise ActionError("no command given")
        command = next((c for c in self.commands() if c.get("name") == parts[0]), None)
        if command is None:
            raise ActionError(f"/{parts[0]} is not a command of this bot")
        return command, parts[1:]

    def _options(self, name: str, raw: Any) -> dict[str, Any]:
        command, path = self._command(name)
        declared = {o["name"]: o for o in declared_options(command, path)}
        raw = raw if isinstance(raw, dict) else {}
        out: dict[str, Any] = {}
        for key, value in raw.items():
            option = declared.get(key)
            if option is None:
                raise ActionError(f"/{name} has no option {key!r}")
            if value is not None and value != "":
                out[key] = _option_value(option, value, self.channels())
        missing = [n for n, o in declared.items() if o.get("required") and n not in out]
        if missing:
            raise ActionError(f"fill in: {', '.join(missing)}")
        return out

    def _watch(self, handle: InteractionHandle, viewer: Viewer) -> None:
        """Tell the viewer when the bot does not answer in time, as Discord does."""

        async def watch() -> None:
            try:
                await handle.response(timeout=ANSWER_TIMEOUT)
            except TimeoutError:
                self.timeline.notice(viewer.user_id, "Briefing Bot did not respond.")

        self._spawn(watch())

    def _spawn(self, coroutine: Coroutine[Any, Any, None]) -> None:
        task = asyncio.get_running_loop().create_task(coroutine)
        self._watchers.add(task)
        task.add_done_callback(self._watchers.discard)

    async def stop(self) -> None:
        for task in list(self._watchers):
            task.cancel()
        for task in list(self._watchers):
            with contextlib.suppress(asyncio.CancelledError):
                await task

    # -- the page's actions -------------------------------------------------------------------

    async def command(
        self, viewer_key: Any, channel_id: Any, name: str, options: Any
    ) -> dict[str, Any]:
        viewer, channel = self.viewer(viewer_key), self.channel(channel_id)
        values = self._options(name, options)
        handle = self.emulator.prepare_command(name, values, member=viewer.member, channel=channel)
        # Noted before the bot can see it, so its answer already says who asked.
        self.timeline.note_interaction(handle.id, viewer.label, f"/{' '.join(name.split())}")
        await self.emulator.send(handle)
        self._watch(handle, viewer)
        return {"interaction_id": str(handle.id)}

    async def autocomplete(
        self, viewer_key: Any, channel_id: Any, name: str, options: Any, focused: str
    ) -> list[dict[str, Any]]:
        viewer, channel = self.viewer(viewer_key), self.channel(channel_id)
        command, path = self._command(name)
        declared = {o["name"]: o for o in declared_options(command, path)}
        if not declared.get(focused, {}).get("autocomplete"):
            raise ActionError(f"{focused} has no autocomplete")
        raw = options if isinstance(options, dict) else {}
        values: dict[str, Any] = {}
        for key, value in raw.items():
            if key in declared and key != focused and value not in (None, ""):
                with contextlib.suppress(ActionError):  # half-typed: Discord leaves it out
                    values[key] = _option_value(declared[key], value, self.channels())
        values[focused] = str(raw.get(focused) or "")[:MAX_STRING]
        handle = await self.emulator.autocomplete(
            name, values, focused, member=viewer.member, channel=channel
        )
        try:
            body = await handle.response(timeout=ANSWER_TIMEOUT)
        except TimeoutError:
            raise ActionError("Briefing Bot did not answer the autocomplete in time") from None
        choices: list[dict[str, Any]] = (body.get("data") or {}).get("choices") or []
        return choices

    async def click(
        self, viewer_key: Any, message_id: Any, custom_id: Any, values: Any = None
    ) -> dict[str, Any]:
        viewer = self.viewer(viewer_key)
        message = self.timeline.find(str(message_id))
        if message is None or visible_to(message) not in (None, str(viewer.user_id)):
            raise ActionError("that message is gone")
        component = _component(message, str(custom_id))
        if component is None or component.get("disabled"):
            raise ActionError("that button or menu is not on the message")
        chosen = None
        if component["type"] != 2:
            chosen = [str(v) for v in values] if isinstance(values, list) else []
        handle = await self.emulator.click(
            message,
            str(custom_id),
            values=chosen,
            component_type=component["type"],
            member=viewer.member,
            channel=self.channel(message["channel_id"]),
        )
        self._watch(handle, viewer)
        return {"interaction_id": str(handle.id)}

    # -- the clock ----------------------------------------------------------------------------

    async def next_briefing(self) -> datetime | None:
        """When the next subscribed briefing is due (None: no subscription)."""
        runtime = self.bot.briefings
        if runtime is None:
            return None
        now = self.clock.now()
        dues = [
            next_due(s.post_time, s.timezone, s.days, now).at
            for s in await runtime.store.list_enabled()
        ]
        return min(dues, default=None)

    async def advance(self) -> datetime | None:
        """Jump the clock to the next due briefing, so the dispatcher posts it now."""
        due = await self.next_briefing()
        if due is not None:
            self.clock.jump_to(due)
        return due

    async def clock_state(self) -> dict[str, Any]:
        due = await self.next_briefing()
        return {
            "now": self.clock.now().isoformat(),
            "offset_s": self.clock.offset.total_seconds(),
            "next_due": due.isoformat() if due else None,
        }


def _component(message: dict[str, Any], custom_id: str) -> dict[str, Any] | None:
    for row in message.get("components") or []:
        for component in row.get("components") or []:
            if component.get("custom_id") == custom_id:
                result: dict[str, Any] = component
                return result
    return None
