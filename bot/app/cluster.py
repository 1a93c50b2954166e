"""The bot's side of a cluster node (bot/storage/cluster.py): heartbeat, the REST share,
reloads that reach every process, and what happens when the node's session is lost.

- Heartbeat: every `cluster.heartbeat_seconds` the node writes its content hash, shards and
  deliveries into `cluster_nodes` and counts the live processes.
- REST share: `briefings.max_sends_per_second` is the budget of the whole cluster (Discord's
  global limit is per bot, not per process); each process paces its sends at the budget
  divided by the live processes, recomputed on every beat and when a process joins or leaves.
- Reload: `/admin reload` in one process NOTIFYs the others; each reloads its own content
  folder and answers with its content hash; the caller waits (bounded) for every live one.
- A lost session: the node reconnects and takes its locks again; if a shard was taken by
  another process meanwhile (a standby), this process must stop: `lost` is set.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from bot.config import Config
from bot.content.manager import ReloadReport
from bot.storage import StoreError
from bot.storage.cluster import ClusterNode, NodeInfo

log = logging.getLogger(__name__)

RELOAD, RELOADED, JOINED, LEFT = "reload", "reloaded", "joined", "left"


class ClusterBot(Protocol):
    """What the cluster needs of the bot: its content and its dispatcher's figures."""

    def content_hash(self) -> str | None: ...
    def deliveries_sent(self) -> int: ...
    def set_send_rate(self, per_second: float) -> None: ...
    async def reload_content(self, trigger: str) -> ReloadReport: ...


@dataclass(frozen=True, slots=True)
class ReloadAck:
    """One other process's answer to a reload request."""

    owner: str
    name: str
    shards: str
    ok: bool
    content_hash: str | None
    errors: int


@dataclass
class ClusterReload:
    """The other live processes asked to reload, and who answered (in arrival order)."""

    peers: list[NodeInfo]
    acks: list[ReloadAck] = field(default_factory=list)
    done: asyncio.Event = field(default_factory=asyncio.Event)

    def missing(self) -> list[NodeInfo]:
        answered = {a.owner for a in self.acks}
        return [p for p in self.peers if p.owner not in answered]


def shard_text(shards: tuple[int, ...] | list[int], count: int | None) -> str:
    """ "shards 0-1 of 4", "shard 3 of 4", or "all guilds" for an unsharded process."""
    if count is None or not shards:
        return "all guilds"
    ordered = sorted(shards)
    contiguous = ordered == list(range(ordered[0], ordered[-1] + 1))
    if len(ordered) == 1:
        return f"shard {ordered[0]} of {count}"
    listed = f"{ordered[0]}-{ordered[-1]}" if contiguous else ",".join(map(str, ordered))
    return f"shards {listed} of {count}"


class ClusterRuntime:
    """Created by `briefing-bot run` once the node has joined; `attach(bot)`, `start()`,
    and `stop()` after the bot has closed (which frees the node's locks last)."""

    def __init__(self, node: ClusterNode, config: Config, *, alive: int = 1) -> None:
        self.node = node
        self.config = config.cluster
        self.budget = config.briefings.max_sends_per_second
        self.alive = max(1, alive)
        self.reachable = True
        self.lost = asyncio.Event()  # ownership lost: the process must stop
        self.lost_reason = ""
        self.bot: ClusterBot | None = None
        self._wake = asyncio.Event()
        self._tasks: set[asyncio.Task[Any]] = set()
        self._beater: asyncio.Task[None] | None = None
        self._reloads: dict[str, ClusterReload] = {}
        node.add_listener(self._on_message)
        node.add_termination_listener(self._wake.set)

    @property
    def name(self) -> str:
        return self.node.name

    @property
    def shards(self) -> str:
        return shard_text(self.node.shards, self.node.shard_count)

    def share(self) -> float:
        """This process's sends per second: the cluster's budget over the live processes."""
        return self.budget / self.alive

    def attach(self, bot: ClusterBot) -> None:
        self.bot = bot

    def start(self) -> None:
        if self._beater is None:
            self._beater = asyncio.get_running_loop().create_task(
                self._beat_forever(), name="cluster-heartbeat"
            )
            self._spawn(self._announce(JOINED))

    async def stop(self) -> None:
        beater, self._beater = self._beater, None
        tasks = [t for t in (beater, *self._tasks) if t is not None]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        with contextlib.suppress(StoreError):
            await self.node.publish({"type": LEFT})
        await self.node.close()

    # -- heartbeat ---------------------------------------------------------------------------

    async def _beat_forever(self) -> None:
        while not self.lost.is_set():
            try:
                await self.beat()
            except Exception:  # a bug must not end the heartbeat (and liveness) for good
                log.exception("cluster heartbeat failed")
            self._wake.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self.config.heartbeat_seconds)

    async def beat(self) -> None:
        """One heartbeat: reconnect if needed, write, count the live processes, re-pace."""
        try:
            if not self.node.connected:
                conflict = await self.node.reconnect()
                if conflict is not None:
                    self._lose(
                        f"{conflict.describe()} while this process was away from the database"
                    )
                    return
                log.info("cluster session back; shards held: %s", self.shards)
            bot = self.bot
            await self.node.beat(
                content_hash=bot.content_hash() if bot else None,
                sent=bot.deliveries_sent() if bot else 0,
            )
            alive = sum(1 for n in await self.node.nodes() if n.alive)
        except StoreError as exc:
            if self.reachable:
                log.warning("cluster heartbeat failed: %s", exc)
            self.reachable = False
            return
        if not self.reachable:
            log.info("cluster heartbeat works again")
        self.reachable = True
        self._set_alive(alive)

    def _set_alive(self, alive: int) -> None:
        alive = max(1, alive)
        changed = alive != self.alive
        self.alive = alive
        if self.bot is not None:
            self.bot.set_send_rate(self.share())
        if changed:
            log.info("%d live bot processes: this one sends at most %.1f/s", alive, self.share())

    def _lose(self, reason: str) -> None:
        log.error("lost cluster ownership: %s", reason)
        self.lost_reason = reason
        self.lost.set()

    # -- messages ----------------------------------------------------------------------------

    def _spawn(self, coro: Any) -> None:
        task = asyncio.get_running_loop().create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _announce(self, kind: str) -> None:
        with contextlib.suppress(StoreError):
            await self.node.publish({"type": kind})

    def _on_message(self, message: dict[str, Any]) -> None:
        kind, sender = message.get("type"), message.get("from")
        if kind in (JOINED, LEFT) and sender != self.node.owner:
            self._wake.set()  # count the live processes again now
        elif kind == RELOAD and sender != self.node.owner:
            self._spawn(self._reload_for(message))
        elif kind == RELOADED:
            waiting = self._reloads.get(str(message.get("request")))
            if waiting is not None:
                waiting.acks.append(_ack_of(message))
                if not waiting.missing():
                    waiting.done.set()

    async def _reload_for(self, message: dict[str, Any]) -> None:
        if self.bot is None:
            return
        trigger = f"cluster reload ({message.get('trigger', '?')})"
        report = await self.bot.reload_content(trigger)
        content_hash = report.new_hash if report.ok else report.old_hash
        with contextlib.suppress(StoreError):
            await self.node.publish(
                {
                    "type": RELOADED,
                    "request": message.get("request"),
                    "name": self.name,
                    "shards": self.shards,
                    "ok": report.ok,
                    "hash": content_hash,
                    "errors": len(report.errors),
                }
            )

    async def broadcast_reload(self, trigger: str) -> ClusterReload:
        """Ask every other live process to reload; wait (at most reload_wait_seconds) for
        all of them to answer. StoreError when the database does not answer."""
        request = secrets.token_hex(8)
        peers = [n for n in await self.node.nodes() if n.alive and n.owner != self.node.owner]
        result = ClusterReload(peers)
        if not peers:
            return result
        self._reloads[request] = result
        try:
            await self.node.publish({"type": RELOAD, "request": request, "trigger": trigger})
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(result.done.wait(), self.config.reload_wait_seconds)
        finally:
            del self._reloads[request]
        return result

    # -- health ------------------------------------------------------------------------------

    def health(self) -> dict[str, Any]:
        return {
            "node": self.name,
            "role": self.node.role,
            "processes": self.alive,
            "send_share_per_second": round(self.share(), 2),
        }


def _ack_of(message: dict[str, Any]) -> ReloadAck:
    return ReloadAck(
        owner=str(message.get("from")),
        name=str(message.get("name", "?")),
        shards=str(message.get("shards", "")),
        ok=bool(message.get("ok")),
        content_hash=message.get("hash"),
        errors=int(message.get("errors") or 0),
    )


def shard_health(client: Any, connected: Callable[[], bool]) -> dict[str, Any]:
    """/healthz's shards: the count, the ones this process runs and the ones connected (an
    unsharded bot is shard 0 of 1, as Discord counts it)."""
    ids = getattr(client, "shard_ids", None)
    count = getattr(client, "shard_count", None)
    if ids is None or count is None:
        return {"count": 1, "owned": [0], "connected": [0] if connected() else []}
    shards = getattr(client, "shards", {})
    open_ids = sorted(i for i, info in shards.items() if not info.is_closed())
    return {"count": count, "owned": sorted(ids), "connected": open_ids}
