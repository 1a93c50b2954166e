"""One bot process as a node of a cluster sharing one PostgreSQL database (docs/scaling.md).

A node keeps one dedicated connection (never the store's pool) for its whole life. On it, it
holds its node lock (liveness: the others take over its delivery claims only once that lock
is free) and the lock of every shard it runs (ownership: a second process asking for an owned
shard is refused, or waits as a standby), LISTENs for cluster messages, beats into
`cluster_nodes`, and reserves IDENTIFY slots. When the process dies, its session ends and the
server releases every lock at once.

Hand-written on asyncpg: the PyPI helpers (asyncpg-lock 0.0.3 for one advisory lock,
asyncpg-listen 0.0.9 for LISTEN) are early releases covering one piece each, and what is
needed here (many shard locks all or none, liveness read from pg_locks, slot reservation)
is a few statements on one session.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import socket
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import asyncpg

from bot.storage.base import StoreError
from bot.storage.locks import ALIVE_OWNERS, INT4, NODE_LOCKS, SHARD_LOCKS, node_key
from bot.storage.postgres import CONNECT_TIMEOUT, UNAVAILABLE, _unavailable, owner_id, redact
from bot.storage.postgres_migrations import migrate

log = logging.getLogger(__name__)

CHANNEL = "briefing_cluster"  # LISTEN/NOTIFY channel of cluster messages
COMMAND_TIMEOUT = 10.0
STALE_MINUTES = 10  # rows of dead nodes are pruned after this long without a beat
MAX_IDENTIFY_WAIT = 600.0  # never sleep longer than this for a slot (a clock gone wrong)

_NODE_COLUMNS = (
    "id, owner, host, pid, role, shard_count, shards, owned, content_hash, sent,"
    " started_at, beat_at"
)

Listener = Callable[[dict[str, Any]], None]


@dataclass(frozen=True, slots=True)
class NodeInfo:
    """A row of `cluster_nodes`, and whether that process is alive (holds its node lock)."""

    id: int
    owner: str
    host: str
    pid: int
    role: str  # 'active' | 'standby' | 'single'
    shard_count: int | None
    shards: tuple[int, ...]  # the shards it runs or waits for
    owned: tuple[int, ...]  # the shards it holds now
    content_hash: str | None
    sent: int
    started_at: datetime
    beat_at: datetime
    alive: bool

    @property
    def name(self) -> str:
        return f"{self.host}:{self.pid}"


@dataclass(frozen=True, slots=True)
class ShardConflict:
    """A shard this node wants is held by another process (`holder`, when known)."""

    shard: int
    holder: NodeInfo | None

    def describe(self) -> str:
        who = f"process {self.holder.name}" if self.holder else "another process"
        return f"shard {self.shard} is already owned by {who}"


def _node(row: asyncpg.Record) -> NodeInfo:
    values = dict(row)
    values["shards"] = tuple(values["shards"] or ())
    values["owned"] = tuple(values["owned"] or ())
    return NodeInfo(**values)


class ClusterNode:
    """Join with `await ClusterNode.join(url, ...)`; `close()` leaves (and frees every lock)."""

    def __init__(
        self,
        url: str,
        *,
        owner: str,
        role: str,
        shard_count: int | None,
        shards: Sequence[int],
        connect_timeout: float,
    ) -> None:
        self.url = url
        self.owner = owner
        self.role = role
        self.shard_count = shard_count
        self.shards = tuple(shards)
        self.id = 0
        self.held: tuple[int, ...] = ()
        self._connect_timeout = connect_timeout
        self._con: asyncpg.Connection | None = None
        self._busy = asyncio.Lock()  # one statement at a time on the one connection
        self._listeners: list[Listener] = []
        self._on_lost: list[Callable[[], None]] = []
        self.name = f"{socket.gethostname()}:{os.getpid()}"

    # -- joining and leaving -------------------------------------------------------------

    @classmethod
    async def join(
        cls,
        url: str,
        *,
        role: str,
        shard_count: int | None = None,
        shards: Sequence[int] = (),
        connect_timeout: float = CONNECT_TIMEOUT,
    ) -> ClusterNode:
        """Connect, migrate, register this process and take its node lock; StoreError when
        the database cannot be used."""
        node = cls(
            url,
            owner=owner_id(),
            role=role,
            shard_count=shard_count,
            shards=shards,
            connect_timeout=connect_timeout,
        )
        await node._connect()
        try:
            async with node._use() as con:
                await migrate(con)
                await con.execute(
                    f"WITH alive AS ({ALIVE_OWNERS}) DELETE FROM cluster_nodes WHERE"
                    f" beat_at < now() - interval '{STALE_MINUTES} minutes'"
                    " AND owner NOT IN (SELECT owner FROM alive)"
                )
                node.id = await con.fetchval(
                    "INSERT INTO cluster_nodes (owner, host, pid, role, shard_count, shards)"
                    " VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
                    node.owner,
                    socket.gethostname(),
                    os.getpid(),
                    role,
                    shard_count,
                    list(node.shards),
                )
            await node._lock_node()
        except BaseException:
            await node._disconnect()
            raise
        return node

    async def _connect(self) -> None:
        try:
            con = await asyncpg.connect(
                self.url,
                timeout=self._connect_timeout,
                command_timeout=COMMAND_TIMEOUT,
                server_settings={"application_name": "briefing-bot cluster"},
            )
        except (*UNAVAILABLE, asyncpg.PostgresError, ValueError) as exc:
            raise _unavailable(self.url, exc) from exc
        con.add_termination_listener(self._on_terminated)
        await con.add_listener(CHANNEL, self._on_notification)
        self._con = con

    async def _lock_node(self) -> None:
        async with self._use() as con:
            got = await con.fetchval(
                "SELECT pg_try_advisory_lock($1, $2)", NODE_LOCKS, node_key(self.id)
            )
        if not got:  # ids are never reused, so only a bug can get here
            raise StoreError(f"cluster node {self.id} is locked by another session")

    async def close(self) -> None:
        """Leave: delete this node's row (best effort) and end the session."""
        if self._con is not None and not self._con.is_closed():
            with contextlib.suppress(StoreError, asyncpg.PostgresError):
                async with self._use() as con:
                    await con.execute("DELETE FROM cluster_nodes WHERE id = $1", self.id)
        await self._disconnect()

    async def _disconnect(self) -> None:
        con, self._con = self._con, None
        self.held = ()
        if con is not None and not con.is_closed():
            try:
                await asyncio.wait_for(con.close(), timeout=self._connect_timeout)
            except UNAVAILABLE:
                con.terminate()

    @property
    def connected(self) -> bool:
        """Whether the session holding the locks is still open."""
        return self._con is not None and not self._con.is_closed()

    async def reconnect(self) -> ShardConflict | None:
        """After the session was lost: a new one, the node lock and the held shards again.
        A shard taken by another process meanwhile is returned; StoreError while the
        database is unreachable."""
        wanted = self.held
        await self._disconnect()
        await self._connect()
        await self._lock_node()
        if wanted:
            return await self.hold_shards(wanted)
        return None

    @contextlib.asynccontextmanager
    async def _use(self) -> AsyncIterator[asyncpg.Connection]:
        async with self._busy:
            con = self._con
            if con is None or con.is_closed():
                raise StoreError(f"database {redact(self.url)} unavailable: cluster session closed")
            try:
                yield con
            except UNAVAILABLE as exc:
                raise _unavailable(self.url, exc) from exc

    # -- shards ----------------------------------------------------------------------------

    async def hold_shards(self, shards: Sequence[int] | None = None) -> ShardConflict | None:
        """Take the lock of every shard in `shards` (default: this node's), all or none;
        None once held, else the first shard another process holds."""
        wanted = tuple(self.shards if shards is None else shards)
        taken: list[int] = []
        async with self._use() as con:
            for shard in wanted:
                if await con.fetchval("SELECT pg_try_advisory_lock($1, $2)", SHARD_LOCKS, shard):
                    taken.append(shard)
                    continue
                for mine in taken:
                    await con.execute("SELECT pg_advisory_unlock($1, $2)", SHARD_LOCKS, mine)
                conflict = shard
                break
            else:
                self.held = wanted
                await con.execute(
                    "UPDATE cluster_nodes SET owned = $2 WHERE id = $1", self.id, list(wanted)
                )
                return None
        return ShardConflict(conflict, await self.holder_of(conflict))

    async def wait_for_shards(
        self, poll: float = 1.0, stop: Callable[[], bool] = lambda: False
    ) -> bool:
        """Wait (as a standby) until every shard of this node is free, then hold them; False
        when `stop()` became true first (the process is shutting down). While the database
        is away it keeps waiting (the heartbeat reconnects the session)."""
        said: set[str] = set()
        while not stop():
            try:
                conflict = await self.hold_shards()
            except StoreError as exc:
                message = f"standby: {exc}; still waiting"
            else:
                if conflict is None:
                    return True
                message = f"standby: {conflict.describe()}; waiting for it to go"
            if message not in said:  # each situation once, not every poll
                log.info("%s", message)
                said.add(message)
            await asyncio.sleep(poll)
        return False

    async def holder_of(self, shard: int) -> NodeInfo | None:
        """The node whose session holds `shard`'s lock (None when it is not a node)."""
        async with self._use() as con:
            row = await con.fetchrow(
                f"SELECT {_NODE_COLUMNS}, TRUE AS alive FROM cluster_nodes"
                " WHERE id % $4 IN ("
                " SELECT n.objid::text::bigint FROM pg_locks s JOIN pg_locks n"
                " ON n.pid = s.pid AND n.locktype = 'advisory' AND n.objsubid = 2"
                " AND n.classid = $3::oid AND n.granted"
                " WHERE s.locktype = 'advisory' AND s.objsubid = 2 AND s.granted"
                " AND s.classid = $1::oid AND s.objid = $2::oid"
                " AND s.database = (SELECT oid FROM pg_database"
                " WHERE datname = current_database())) LIMIT 1",
                SHARD_LOCKS,
                shard,
                NODE_LOCKS,
                INT4,
            )
        return _node(row) if row else None

    # -- heartbeat and membership ------------------------------------------------------------

    async def beat(self, *, content_hash: str | None, sent: int) -> None:
        async with self._use() as con:
            await con.execute(
                "UPDATE cluster_nodes SET beat_at = now(), content_hash = $2, sent = $3,"
                " owned = $4, role = $5 WHERE id = $1",
                self.id,
                content_hash,
                sent,
                list(self.held),
                self.role,
            )

    async def nodes(self) -> list[NodeInfo]:
        """Every node row, the live ones first in join order."""
        async with self._use() as con:
            rows = await con.fetch(
                f"WITH alive AS ({ALIVE_OWNERS}) SELECT {_NODE_COLUMNS},"
                " owner IN (SELECT owner FROM alive) AS alive FROM cluster_nodes"
                " ORDER BY alive DESC, id"
            )
        return [_node(r) for r in rows]

    # -- messages --------------------------------------------------------------------------

    def add_listener(self, listener: Listener) -> None:
        """`listener(message)` for every cluster message, this node's own included."""
        self._listeners.append(listener)

    async def publish(self, message: dict[str, Any]) -> None:
        """NOTIFY every node (at most ~8000 bytes of JSON)."""
        payload = json.dumps({**message, "from": self.owner}, separators=(",", ":"))
        async with self._use() as con:
            await con.execute("SELECT pg_notify($1, $2)", CHANNEL, payload)

    def _on_notification(self, con: Any, pid: int, channel: str, payload: str) -> None:
        try:
            message = json.loads(payload)
        except ValueError:
            log.warning("ignored a cluster message that is not JSON: %.100r", payload)
            return
        for listener in list(self._listeners):
            try:
                listener(message)
            except Exception:
                log.exception("cluster message listener failed")

    def add_termination_listener(self, callback: Callable[[], None]) -> None:
        """`callback()` when the session ends other than by `close()`."""
        self._on_lost.append(callback)

    def _on_terminated(self, con: Any) -> None:
        if con is not self._con:
            return  # closed by close() or reconnect()
        log.warning("the cluster session to the database ended")
        for callback in list(self._on_lost):
            callback()

    # -- identify pacing -------------------------------------------------------------------

    async def reserve_identify(self, max_concurrency: int, bucket: int, spacing: float) -> float:
        """Reserve the next IDENTIFY slot of `bucket`, `spacing` seconds after the previous
        one anywhere in the cluster (server clock); return the seconds to wait for it."""
        async with self._use() as con:
            wait = await con.fetchval(
                "INSERT INTO cluster_identify AS c (max_concurrency, bucket, next_at)"
                " VALUES ($1, $2, clock_timestamp() + make_interval(secs => $3))"
                " ON CONFLICT (max_concurrency, bucket) DO UPDATE SET next_at ="
                " GREATEST(c.next_at, clock_timestamp()) + make_interval(secs => $3)"
                " RETURNING EXTRACT(EPOCH FROM c.next_at - make_interval(secs => $3)"
                " - clock_timestamp())::float8",
                max_concurrency,
                bucket,
                float(spacing),
            )
        return min(max(0.0, float(wait)), MAX_IDENTIFY_WAIT)
