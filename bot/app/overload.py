"""Every lookup gets an answer within Discord's 3 s, however many arrive at once.

A burst queues interactions behind one another on the event loop, and Discord drops any
that is not answered within 3 s of its creation. So each lookup is admitted at its start:
answered directly while the bot keeps up; acknowledged first ("thinking…", one cheap
request) when it has already waited `defer_after`, then answered when its turn comes; told
"busy, try again in a moment" when `max_in_flight` lookups are already being answered; and
dropped with one warning when it is already older than Discord's window. A per-user limit
(discord.py's `Cooldown`) keeps one member from filling the queue.

A deferred lookup computes its answer in `turn()`: once arrivals pause, and one answer per
turn of the event loop, so sockets are served between answers. Acknowledging a newcomer is
one cheap request; an answer is milliseconds of CPU that would otherwise push later arrivals
and the requests already on their way past their 3 s.
"""

from __future__ import annotations

import asyncio
import contextlib
import enum
import logging
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import discord
from discord import app_commands

from bot.app.errors import UserFacingError
from bot.app.render.limits import INTERACTION_DEADLINE_S
from bot.config import InteractionsConfig

log = logging.getLogger(__name__)

SHEDDABLE = "briefing_bot_sheddable"  # in a command's `extras`: a lookup the gate admits
ADMITTED = "briefing_bot_admitted"  # in an interaction's `extras`: counted in flight
BUSY = "I'm answering a lot of questions right now; try again in a moment."
# Users whose window has passed are forgotten once the table holds this many.
USERS_KEPT = 10_000
# A deferred answer waits for a pause this long between arrivals, at most QUIET_LIMIT_S (so
# answers still progress, a few a second, while arrivals never pause).
QUIET_S = 0.005
QUIET_LIMIT_S = 0.05


class Admission(enum.Enum):
    DIRECT = "direct"
    DEFER = "defer"


class Busy(app_commands.CheckFailure, UserFacingError):
    """Shed: too many lookups are being answered."""

    def __init__(self) -> None:
        app_commands.CheckFailure.__init__(self, BUSY)
        self.message = BUSY

    def __str__(self) -> str:
        return self.message


class Expired(app_commands.CheckFailure):
    """The interaction is older than Discord's window: nothing can answer it any more."""


UNKNOWN_INTERACTION = 10062  # Discord's code for an interaction whose window has passed


def expired(error: BaseException) -> bool:
    """Whether `error` says the interaction can no longer be answered."""
    original = getattr(error, "original", error)
    if isinstance(original, Expired):
        return True
    return isinstance(original, discord.NotFound) and original.code == UNKNOWN_INTERACTION


def wants_private(interaction: discord.Interaction[Any]) -> bool:
    """The lookup's answer is ephemeral: it asked so (`private`), or the command always is."""
    command = interaction.command
    if command is not None and command.extras.get(SHEDDABLE) == "ephemeral":
        return True
    data: Any = interaction.data or {}
    return any(
        o.get("name") == "private" and o.get("value") is True for o in data.get("options") or ()
    )


@dataclass(frozen=True, slots=True)
class Policy:
    defer_after: float
    max_in_flight: int
    user_rate: int
    user_per: float

    @classmethod
    def from_config(cls, cfg: InteractionsConfig) -> Policy:
        return cls(
            cfg.defer_after_ms / 1000, cfg.max_in_flight, cfg.per_user_rate, cfg.per_user_seconds
        )


def age_of(interaction: discord.Interaction[Any], now: datetime | None = None) -> float:
    """Seconds since Discord created the interaction (its id is a timestamp)."""
    now = now or discord.utils.utcnow()
    return max(0.0, (now - interaction.created_at).total_seconds())


class Gate:
    """Admits lookups (see the module docstring); `in_flight` counts admitted, unanswered."""

    def __init__(self, policy: Policy) -> None:
        self.policy = policy
        self.in_flight = 0
        self._users: dict[int, app_commands.Cooldown] = {}
        self._last_arrival = 0.0
        self._lane = asyncio.Lock()
        self._calm = asyncio.Event()  # set once arrivals have paused for QUIET_S
        self._calm.set()
        self._watcher: asyncio.Task[None] | None = None

    def admit(self, interaction: discord.Interaction[Any]) -> Admission:
        """Raises Expired, CommandOnCooldown or Busy; else counts the lookup in flight."""
        self._arrived()
        age = age_of(interaction)
        if age >= INTERACTION_DEADLINE_S:
            raise Expired(f"{age:.1f} s old")
        self._check_user(interaction.user.id)
        if self.in_flight >= self.policy.max_in_flight:
            raise Busy()
        self.in_flight += 1
        interaction.extras[ADMITTED] = True
        return Admission.DEFER if age >= self.policy.defer_after else Admission.DIRECT

    @contextlib.asynccontextmanager
    async def turn(self) -> AsyncIterator[None]:
        """`async with gate.turn(): build the answer` for a deferred lookup (module doc)."""
        async with self._lane:  # one answer at a time, each after a pause in arrivals
            await self.quiet()
            yield

    async def quiet(self) -> None:
        """Wait (at most QUIET_LIMIT_S) until no lookup has arrived for QUIET_S: answers
        come after every newcomer has been acknowledged."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._calm.wait(), QUIET_LIMIT_S)

    def _arrived(self) -> None:
        """One watcher, not one timer per waiting answer, decides when arrivals paused."""
        self._last_arrival = time.monotonic()
        self._calm.clear()
        if self._watcher is None or self._watcher.done():
            self._watcher = asyncio.get_running_loop().create_task(self._watch())

    async def _watch(self) -> None:
        for _ in range(int(QUIET_LIMIT_S / QUIET_S) + 1):  # bounded; ends at the first pause
            idle = time.monotonic() - self._last_arrival
            if idle >= QUIET_S:
                break
            await asyncio.sleep(QUIET_S - idle)
        self._calm.set()

    def release(self, interaction: discord.Interaction[Any]) -> None:
        """The lookup was answered (or failed): no longer in flight."""
        if interaction.extras.pop(ADMITTED, False):
            self.in_flight -= 1

    def _check_user(self, user_id: int) -> None:
        if self.policy.user_rate <= 0:
            return
        cooldown = self._users.get(user_id)
        if cooldown is None:
            if len(self._users) >= USERS_KEPT:
                self._forget_idle()
            cooldown = self._users[user_id] = app_commands.Cooldown(
                self.policy.user_rate, self.policy.user_per
            )
        retry_after = cooldown.update_rate_limit()
        if retry_after:
            raise app_commands.CommandOnCooldown(cooldown, retry_after)

    def _forget_idle(self) -> None:
        """Drop users whose window has passed (their next lookup starts a fresh one)."""
        idle = [uid for uid, c in self._users.items() if c.get_tokens() >= c.rate]
        for uid in idle:
            del self._users[uid]
