"""The emulator plays Discord for a sharded bot: sessions per shard, guilds routed by
`(guild_id >> 22) % shard_count`, identify buckets, and the global REST limit per token.

The gateway side is driven over a plain WebSocket (no compression, JSON text frames), so each
protocol rule is checked on the wire; the routing is also checked with discord.py's own
AutoShardedClient.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import discord
import pytest

from bot.app.gateway import route_gateway, use_api_base_url
from bot.emulator import Emulator, shard_of
from bot.emulator.gateway import INVALID_SESSION, INVALID_SHARD
from tests.support.harness import wait_for

SHARDS = 4


class RawSession:
    """One gateway connection speaking JSON text frames."""

    def __init__(self, ws: aiohttp.ClientWebSocketResponse) -> None:
        self.ws = ws
        self.received: list[dict[str, Any]] = []

    async def next(self, timeout: float = 10.0) -> dict[str, Any]:
        msg = await self.ws.receive(timeout=timeout)
        if msg.type is not aiohttp.WSMsgType.TEXT:
            raise ConnectionError(f"socket ended: {msg.type} {self.ws.close_code}")
        data: dict[str, Any] = json.loads(msg.data)
        self.received.append(data)
        return data

    async def identify(self, token: str, shard: list[int] | None) -> dict[str, Any]:
        """IDENTIFY, then the first answer (READY, or op 9)."""
        payload: dict[str, Any] = {"token": token, "intents": 1, "properties": {}}
        if shard is not None:
            payload["shard"] = shard
        await self.ws.send_str(json.dumps({"op": 2, "d": payload}))
        return await self.next()

    async def dispatches(self, event: str) -> list[dict[str, Any]]:
        """Every `event` dispatch received so far, after draining what is buffered."""
        with contextlib.suppress(TimeoutError):
            while True:
                await self.next(timeout=0.3)
        return [m["d"] for m in self.received if m.get("t") == event]


@contextlib.asynccontextmanager
async def sessions(emulator: Emulator) -> AsyncIterator[Any]:
    async with aiohttp.ClientSession() as http:
        opened: list[aiohttp.ClientWebSocketResponse] = []

        async def connect() -> RawSession:
            ws = await http.ws_connect(emulator.gateway_url)
            opened.append(ws)
            session = RawSession(ws)
            assert (await session.next())["op"] == 10  # HELLO
            return session

        try:
            yield connect
        finally:
            for ws in opened:
                await ws.close()


def sharded_emulator(**kw: Any) -> Emulator:
    emulator = Emulator(guilds=0, shards=SHARDS, **kw)
    for shard in range(SHARDS):
        emulator.state.add_guild(f"Guild on shard {shard}", shard=(shard, SHARDS))
    return emulator


async def test_each_session_gets_the_guilds_of_its_shard_and_their_events() -> None:
    async with sharded_emulator() as emulator, sessions(emulator) as connect:
        by_shard = {g.id: shard_of(g.id, SHARDS) for g in emulator.state.guilds.values()}
        assert sorted(by_shard.values()) == [0, 1, 2, 3]
        one, three = await connect(), await connect()
        ready = (await one.identify(emulator.token, [1, SHARDS]))["d"]
        assert ready["shard"] == [1, SHARDS]
        assert [int(g["id"]) for g in ready["guilds"]] == [g for g, s in by_shard.items() if s == 1]
        await three.identify(emulator.token, [3, SHARDS])
        guild_on = {s: g for g, s in by_shard.items()}
        assert [int(g["id"]) for g in await three.dispatches("GUILD_CREATE")] == [guild_on[3]]

        # An interaction goes to the session of its guild's shard, and to no other.
        handle = await emulator.command("help", guild=emulator.state.guilds[guild_on[3]])
        created = await three.dispatches("INTERACTION_CREATE")
        assert [int(i["id"]) for i in created] == [handle.id]
        assert await one.dispatches("INTERACTION_CREATE") == []
        # No session owns shard 0 yet: like an offline Discord shard, nothing receives it.
        with pytest.raises(RuntimeError, match="no gateway session"):
            await emulator.command("help", guild=emulator.state.guilds[guild_on[0]])


async def test_two_sessions_of_one_shard_both_get_its_events_a_closed_one_keeps_them() -> None:
    # Discord sends a shard's events to every session identified for it: a shard run by two
    # processes is answered twice. A session whose socket closed keeps them for RESUME
    # only when no session of the shard is connected.
    async with sharded_emulator() as emulator, sessions(emulator) as connect:
        guild = next(g for g in emulator.state.guilds.values() if shard_of(g.id, SHARDS) == 1)
        first, second = await connect(), await connect()
        await first.identify(emulator.token, [1, SHARDS])
        await second.identify(emulator.token, [1, SHARDS])
        handle = await emulator.command("help", guild=guild)
        for session in (first, second):
            assert [int(i["id"]) for i in await session.dispatches("INTERACTION_CREATE")] == [
                handle.id
            ]
        await first.ws.close()
        await second.ws.close()
        await wait_for(lambda: not emulator.gateway.connections)
        later = await emulator.command("help", guild=guild)
        [kept] = [
            s for s in emulator.gateway.sessions.values() if s.events[-1]["d"] is later.payload
        ]
        assert kept is emulator.gateway.session_for(guild.id)  # the latest one


async def test_an_identify_burst_in_one_bucket_gets_op_9_and_other_buckets_do_not() -> None:
    emulator = sharded_emulator(max_concurrency=2, identify_window=60.0)
    async with emulator, sessions(emulator) as connect:
        first, other_bucket, same_bucket = await connect(), await connect(), await connect()
        assert (await first.identify(emulator.token, [0, SHARDS]))["t"] == "READY"
        assert (await other_bucket.identify(emulator.token, [1, SHARDS]))["t"] == "READY"
        refused = await same_bucket.identify(emulator.token, [2, SHARDS])  # 2 % 2 == 0 % 2
        assert refused == {"op": INVALID_SESSION, "d": False}
        assert [r["shard"] for r in emulator.gateway.refused_identifies] == [[2, SHARDS]]
        assert sorted(emulator.gateway.identified_shards()) == [0, 1]


async def test_a_shard_outside_the_count_is_closed_with_4010() -> None:
    async with sharded_emulator() as emulator, sessions(emulator) as connect:
        session = await connect()
        with pytest.raises(ConnectionError):
            await session.identify(emulator.token, [4, SHARDS])
        assert session.ws.close_code == INVALID_SHARD


async def test_gateway_bot_recommends_shards_and_counts_session_starts() -> None:
    async with sharded_emulator(max_concurrency=16) as emulator, sessions(emulator) as connect:
        await (await connect()).identify(emulator.token, [0, SHARDS])
        headers = {"Authorization": f"Bot {emulator.token}"}
        async with (
            aiohttp.ClientSession() as http,
            http.get(f"{emulator.api_base_url}/gateway/bot", headers=headers) as response,
        ):
            body = await response.json()
        assert body["shards"] == SHARDS
        limit = body["session_start_limit"]
        assert limit["max_concurrency"] == 16
        assert (limit["total"], limit["remaining"]) == (1000, 999)


async def test_the_global_limit_counts_every_client_of_the_token_and_spares_interactions() -> None:
    async with Emulator(global_per_second=10) as emulator:
        headers = {"Authorization": f"Bot {emulator.token}"}
        url = f"{emulator.api_base_url}/users/@me"
        async with aiohttp.ClientSession() as one, aiohttp.ClientSession() as two:
            statuses: list[int] = []
            refused: list[tuple[dict[str, Any], Any]] = []
            for i in range(16):  # two clients, one token: one budget
                async with (one if i % 2 else two).get(url, headers=headers) as response:
                    statuses.append(response.status)
                    if response.status == 429:
                        refused.append((await response.json(), response.headers))
            assert statuses.count(200) == 10 and statuses.count(429) == 6
            body, response_headers = refused[0]
            assert body["global"] is True and 0 < body["retry_after"] <= 1.0
            assert response_headers["X-RateLimit-Global"] == "true"
            assert response_headers["X-RateLimit-Scope"] == "global"
            assert "Via" in response_headers  # discord.py retries only with it
            # Interaction callbacks are outside the global limit, as on Discord.
            handle = emulator.interactions.build(
                2, emulator.interactions.command_data("help", None, None)
            )
            callback = f"{emulator.api_base_url}/interactions/{handle.id}/{handle.token}/callback"
            async with one.post(callback, json={"type": 4, "data": {"content": "hi"}}) as r:
                assert r.status == 204
        assert emulator.global_limit.peak == 10 and emulator.global_limit.refused == 6


async def test_discord_py_autosharded_client_connects_only_its_shards() -> None:
    async with sharded_emulator() as emulator:
        client = discord.AutoShardedClient(
            intents=discord.Intents.none(), shard_ids=[0, 2], shard_count=SHARDS
        )
        use_api_base_url(emulator.api_base_url)
        route_gateway(client.http, emulator.gateway_url)
        task = asyncio.create_task(client.start(emulator.token))
        try:
            await asyncio.wait_for(client.wait_until_ready(), timeout=30)
            assert sorted(client.shards) == [0, 2]
            assert sorted(shard_of(g.id, SHARDS) for g in client.guilds) == [0, 2]
            identified = [p["shard"] for p in emulator.gateway.identify_payloads]
            assert sorted(identified) == [[0, SHARDS], [2, SHARDS]]
            await wait_for(lambda: len(emulator.gateway.identified_shards()) == 2)
        finally:
            await client.close()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(task, timeout=10)
