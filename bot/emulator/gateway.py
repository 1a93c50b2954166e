"""The gateway WebSocket: HELLO, IDENTIFY→READY+GUILD_CREATE, heartbeats, RESUME, compression.

Shards: an IDENTIFY may carry `shard: [id, count]`; its session gets READY and GUILD_CREATE for
the guilds with `(guild_id >> 22) % count == id` only, and a dispatched event goes to every
connected session of the shard of the event's guild (DMs: shard 0), as on Discord. With
`identify_window` set, a second IDENTIFY in the same bucket (`id % max_concurrency`) within
that many seconds is answered with op 9 (invalid session), as Discord answers identify bursts.

discord.py asks for `compress=zstd-stream` when `zstandard` (or Python 3.14's
compression.zstd) is importable and `compress=zlib-stream` otherwise; both are one
compression stream per connection, flushed after every message, which is what we send.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
import time
import zlib
from dataclasses import dataclass, field
from typing import Any

from aiohttp import WSMsgType, web

from .codec import dumps, loads
from .state import World, shard_of

log = logging.getLogger("emulator.gateway")

DISPATCH, HEARTBEAT, IDENTIFY, RESUME, RECONNECT, INVALID_SESSION, HELLO, HEARTBEAT_ACK = (
    0,
    1,
    2,
    6,
    7,
    9,
    10,
    11,
)
REPLAY_EVENTS = 1000  # dispatches kept per session for RESUME
INVALID_SHARD = 4010  # the close code for a bad `shard` in IDENTIFY
GUILD_EVENTS = ("GUILD_CREATE", "GUILD_UPDATE", "GUILD_DELETE")  # the guild id is `id`


class _Compressor:
    def __init__(self, kind: str | None) -> None:
        self.kind = kind
        self._zlib: Any = None
        self._zstd: Any = None
        if kind == "zlib-stream":
            self._zlib = zlib.compressobj()
        elif kind == "zstd-stream":
            import zstandard

            self._zstd = zstandard.ZstdCompressor().compressobj()
            self._flush = zstandard.COMPRESSOBJ_FLUSH_BLOCK
        elif kind:
            raise ValueError(f"unsupported compress={kind}")

    def encode(self, raw: bytes) -> str | bytes:
        """One message: compressed and flushed (binary frame) or as text (text frame)."""
        if self._zstd is not None:
            out: bytes = self._zstd.compress(raw) + self._zstd.flush(self._flush)
            return out
        if self._zlib is not None:
            out = self._zlib.compress(raw) + self._zlib.flush(zlib.Z_SYNC_FLUSH)
            return out
        return raw.decode()


@dataclass
class Session:
    id: str
    seq: int = 0
    intents: int = 0
    events: list[dict[str, Any]] = field(default_factory=list)  # sent dispatches, for replay
    connection: Connection | None = None
    resumes: int = 0
    shard: tuple[int, int] = (0, 1)  # (shard id, shard count) from IDENTIFY


class Connection:
    def __init__(self, ws: web.WebSocketResponse, compress: str | None) -> None:
        self.ws = ws
        self.compressor = _Compressor(compress)
        self.session: Session | None = None
        self.heartbeats = 0
        self.lock = asyncio.Lock()

    async def send(self, payload: dict[str, Any]) -> float:
        """Send one message; returns when it was handed to the socket (time.monotonic)."""
        data = self.compressor.encode(dumps(payload))
        async with self.lock:
            if not self.ws.closed:
                if isinstance(data, bytes):
                    await self.ws.send_bytes(data)
                else:
                    await self.ws.send_str(data)
        return time.monotonic()


class Gateway:
    """The WebSocket side; `dispatch` is how tests push events to the bot."""

    def __init__(
        self,
        world: World,
        *,
        heartbeat_interval_ms: int = 41250,
        heartbeat_ack_delay: float = 0.0,
        shards: int = 1,
        max_concurrency: int = 1,
        identify_window: float | None = None,
    ) -> None:
        self.world = world
        self.shards = shards  # the shard count /gateway/bot recommends
        self.max_concurrency = max_concurrency
        self.identify_window = identify_window
        self._bucket_last: dict[int, float] = {}  # bucket -> time of its last IDENTIFY
        # IDENTIFYs answered with op 9 because their bucket identified too recently.
        self.refused_identifies: list[dict[str, Any]] = []
        self.heartbeat_interval_ms = heartbeat_interval_ms
        # discord.py's keep-alive thread notes the send time only after the send completes; an
        # ACK faster than that thread wakes up is measured against the previous heartbeat and
        # logged as "Can't keep up ... 41s behind". A few tens of ms, as on Discord, avoid it.
        self.heartbeat_ack_delay = heartbeat_ack_delay
        self._acks: set[asyncio.Task[None]] = set()
        self.url = ""  # set by the server once the port is known
        self.sessions: dict[str, Session] = {}
        self.connections: list[Connection] = []
        self.compressions: list[str | None] = []  # compress= of each connection, in order
        self.identified = asyncio.Event()
        self.resumed = asyncio.Event()
        self.identify_payloads: list[dict[str, Any]] = []

    @property
    def current(self) -> Session | None:
        """The most recently identified session."""
        return next(reversed(self.sessions.values()), None) if self.sessions else None

    async def handler(self, request: web.Request) -> web.WebSocketResponse:
        compress = request.query.get("compress")
        ws = web.WebSocketResponse(autoclose=False, max_msg_size=0)
        await ws.prepare(request)
        try:
            conn = Connection(ws, compress)
        except ValueError:
            await ws.close(code=4000, message=b"bad compress")
            return ws
        self.compressions.append(compress)
        self.connections.append(conn)
        try:
            await conn.send({"op": HELLO, "d": {"heartbeat_interval": self.heartbeat_interval_ms}})
            async for msg in ws:
                if msg.type == WSMsgType.TEXT:
                    await self._receive(conn, loads(msg.data))
                elif msg.type in (WSMsgType.CLOSE, WSMsgType.CLOSING, WSMsgType.ERROR):
                    break
        finally:
            if conn.session is not None and conn.session.connection is conn:
                conn.session.connection = None
            with contextlib.suppress(ValueError):
                self.connections.remove(conn)
            if not ws.closed:
                await ws.close()
        return ws

    async def _receive(self, conn: Connection, msg: dict[str, Any]) -> None:
        op = msg.get("op")
        data = msg.get("d")
        if op == HEARTBEAT:
            conn.heartbeats += 1
            if self.heartbeat_ack_delay <= 0:
                await conn.send({"op": HEARTBEAT_ACK})
                return
            task = asyncio.get_running_loop().create_task(self._ack_later(conn))
            self._acks.add(task)
            task.add_done_callback(self._acks.discard)
        elif op == IDENTIFY:
            await self._identify(conn, data or {})
        elif op == RESUME:
            await self._resume(conn, data or {})
        else:
            log.debug("ignored gateway op %s", op)

    async def _ack_later(self, conn: Connection) -> None:
        await asyncio.sleep(self.heartbeat_ack_delay)
        await conn.send({"op": HEARTBEAT_ACK})

    def _token_ok(self, token: str | None) -> bool:
        return (token or "").removeprefix("Bot ") == self.world.token

    @staticmethod
    def _shard_of_identify(data: dict[str, Any]) -> tuple[int, int] | None:
        shard = data.get("shard", [0, 1])
        if not (isinstance(shard, list) and len(shard) == 2):
            return None
        if not all(isinstance(v, int) and not isinstance(v, bool) for v in shard):
            return None
        shard_id, count = shard
        return (shard_id, count) if 0 <= shard_id < count else None

    def _too_soon(self, shard: tuple[int, int]) -> bool:
        """Whether this IDENTIFY's bucket identified less than `identify_window` ago."""
        if self.identify_window is None:
            return False
        bucket = shard[0] % max(1, self.max_concurrency)
        now = time.monotonic()
        last = self._bucket_last.get(bucket)
        if last is not None and now - last < self.identify_window:
            self.refused_identifies.append({"shard": list(shard), "after": now - last})
            return True
        self._bucket_last[bucket] = now
        return False

    async def _identify(self, conn: Connection, data: dict[str, Any]) -> None:
        if not self._token_ok(data.get("token")):
            await conn.ws.close(code=4004, message=b"Authentication failed.")
            return
        shard = self._shard_of_identify(data)
        if shard is None:
            await conn.ws.close(code=INVALID_SHARD, message=b"Invalid shard.")
            return
        if self._too_soon(shard):
            await conn.send({"op": INVALID_SESSION, "d": False})
            return
        redacted = {k: v for k, v in data.items() if k != "token"}
        self.identify_payloads.append(redacted)
        session = Session(
            id=secrets.token_hex(16), intents=int(data.get("intents", 0)), shard=shard
        )
        self.sessions[session.id] = session
        session.connection = conn
        conn.session = session
        world = self.world
        guilds = [g for g in world.guilds.values() if shard_of(g.id, shard[1]) == shard[0]]
        await self._send_dispatch(
            session,
            "READY",
            {
                "v": 10,
                "user": world.bot.payload(),
                "guilds": [{"id": str(g.id), "unavailable": True} for g in guilds],
                "session_id": session.id,
                "resume_gateway_url": self.url,
                "session_type": "normal",
                "shard": list(shard),
                "application": {"id": str(world.application_id), "flags": 0},
                "private_channels": [],
                "presences": [],
                "relationships": [],
                "guild_join_requests": [],
                "geo_ordered_rtc_regions": [],
                "auth": {},
                "user_settings": {},
                "_trace": ["emulator"],
            },
        )
        for guild in guilds:
            await self._send_dispatch(session, "GUILD_CREATE", guild.payload(world.bot.id))
        self.identified.set()

    async def _resume(self, conn: Connection, data: dict[str, Any]) -> None:
        session = self.sessions.get(str(data.get("session_id")))
        if session is None or not self._token_ok(data.get("token")):
            await conn.send({"op": INVALID_SESSION, "d": False})
            return
        session.connection = conn
        conn.session = session
        session.resumes += 1
        last = int(data.get("seq") or 0)
        for event in [e for e in session.events if e["s"] > last]:
            await conn.send(event)
        await self._send_dispatch(session, "RESUMED", {"_trace": ["emulator"]})
        self.resumed.set()

    async def _send_dispatch(self, session: Session, event: str, data: dict[str, Any]) -> float:
        session.seq += 1
        payload = {"op": DISPATCH, "t": event, "s": session.seq, "d": data}
        events = session.events
        events.append(payload)
        if len(events) > REPLAY_EVENTS:
            del events[: len(events) - REPLAY_EVENTS]  # bounded replay buffer
        if session.connection is not None:
            return await session.connection.send(payload)
        return time.monotonic()

    def _sessions_of(self, guild_id: int | None) -> list[Session]:
        """The sessions identified for the shard of `guild_id` (a DM, None: shard 0)."""
        return [
            s
            for s in self.sessions.values()
            if (shard_of(guild_id, s.shard[1]) if guild_id else 0) == s.shard[0]
        ]

    def session_for(self, guild_id: int | None) -> Session | None:
        """The session that most recently identified for the shard of `guild_id`."""
        sessions = self._sessions_of(guild_id)
        return sessions[-1] if sessions else None

    def sessions_for(self, guild_id: int | None) -> list[Session]:
        """Where an event of `guild_id` goes: every connected session of its shard, as
        Discord sends a shard's events to each session identified for it (two processes
        running one shard both answer); with none connected, the latest, for its RESUME."""
        sessions = self._sessions_of(guild_id)
        return [s for s in sessions if s.connection is not None] or sessions[-1:]

    def identified_shards(self) -> dict[int, Session]:
        """Shard id -> the session that most recently identified for it."""
        return {s.shard[0]: s for s in self.sessions.values()}

    async def dispatch(self, event: str, data: dict[str, Any]) -> float:
        """Send a dispatch event to the sessions of its guild's shard (`sessions_for`;
        buffered for RESUME when offline); returns when the frame went to the first socket
        (time.monotonic)."""
        raw = data.get("id") if event in GUILD_EVENTS else data.get("guild_id")
        sessions = self.sessions_for(int(raw) if raw else None)
        if not sessions:
            raise RuntimeError("no gateway session: the bot has not identified yet")
        sent = [await self._send_dispatch(session, event, data) for session in sessions]
        return sent[0]

    async def close_all(self, code: int = 4000) -> None:
        """Close every socket; 4000 is resumable, so discord.py comes back with RESUME."""
        self.resumed.clear()
        for conn in list(self.connections):
            await conn.ws.close(code=code, message=b"emulator forced close")

    async def request_reconnect(self) -> None:
        """Send op 7 RECONNECT, as Discord does before moving a session."""
        self.resumed.clear()
        for conn in list(self.connections):
            await conn.send({"op": RECONNECT, "d": None})
