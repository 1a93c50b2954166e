"""The gateway WebSocket: HELLO, IDENTIFY→READY+GUILD_CREATE, heartbeats, RESUME, compression.

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
from .state import World

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
        self, world: World, *, heartbeat_interval_ms: int = 41250, heartbeat_ack_delay: float = 0.0
    ) -> None:
        self.world = world
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

    async def _identify(self, conn: Connection, data: dict[str, Any]) -> None:
        if not self._token_ok(data.get("token")):
            await conn.ws.close(code=4004, message=b"Authentication failed.")
            return
        redacted = {k: v for k, v in data.items() if k != "token"}
        self.identify_payloads.append(redacted)
        session = Session(id=secrets.token_hex(16), intents=int(data.get("intents", 0)))
        self.sessions[session.id] = session
        session.connection = conn
        conn.session = session
        world = self.world
        await self._send_dispatch(
            session,
            "READY",
            {
                "v": 10,
                "user": world.bot.payload(),
                "guilds": [{"id": str(g), "unavailable": True} for g in world.guilds],
                "session_id": session.id,
                "resume_gateway_url": self.url,
                "session_type": "normal",
                "shard": [0, 1],
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
        for guild in world.guilds.values():
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

    async def dispatch(self, event: str, data: dict[str, Any]) -> float:
        """Send a dispatch event to the current session (buffered for RESUME when offline);
        returns when the frame went to the socket (time.monotonic)."""
        session = self.current
        if session is None:
            raise RuntimeError("no gateway session: the bot has not identified yet")
        return await self._send_dispatch(session, event, data)

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
