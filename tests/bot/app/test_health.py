"""The health server over real HTTP on 127.0.0.1 with a free port."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from prometheus_client import CONTENT_TYPE_LATEST

from bot.app.health import CONTENT_MISSING, GATEWAY_DOWN, HealthServer
from bot.app.metrics import BotMetrics


class State:
    connected = False
    loaded = False


@pytest.fixture
async def server() -> AsyncIterator[tuple[HealthServer, State, BotMetrics]]:
    state = State()
    metrics = BotMetrics()
    health = HealthServer(
        is_connected=lambda: state.connected,
        content_loaded=lambda: state.loaded,
        metrics=metrics.render,
        details=lambda: {"content_hash": "abc"},
        host="127.0.0.1",
        port=0,
    )
    await health.start()
    try:
        yield health, state, metrics
    finally:
        await health.stop()


async def get(url: str) -> tuple[int, str, dict[str, Any] | str]:
    timeout = aiohttp.ClientTimeout(total=5)
    async with aiohttp.ClientSession(timeout=timeout) as session, session.get(url) as resp:
        ctype = resp.headers.get("Content-Type", "")
        body: Any = await resp.json() if "json" in ctype else await resp.text()
        return resp.status, ctype, body


async def test_healthz_follows_state(server: tuple[HealthServer, State, BotMetrics]) -> None:
    health, state, _ = server
    assert health.port != 0
    status, _, body = await get(f"{health.url}/healthz")
    assert status == 503
    assert isinstance(body, dict)
    assert body["status"] == "unavailable"
    assert body["reasons"] == [CONTENT_MISSING, GATEWAY_DOWN]
    state.loaded = True
    status, _, body = await get(f"{health.url}/healthz")
    assert (status, body["reason"]) == (503, GATEWAY_DOWN)  # type: ignore[index]
    state.connected = True
    status, _, body = await get(f"{health.url}/healthz")
    assert status == 200
    assert body == {"status": "ok", "content_hash": "abc"}
    state.connected = False
    status, _, body = await get(f"{health.url}/healthz")
    assert (status, body["reason"]) == (503, GATEWAY_DOWN)  # type: ignore[index]


async def test_metrics_page(server: tuple[HealthServer, State, BotMetrics]) -> None:
    health, _, metrics = server
    metrics.interaction("search", "ok", 0.1)
    status, ctype, body = await get(f"{health.url}/metrics")
    assert status == 200
    assert ctype == CONTENT_TYPE_LATEST
    assert 'interactions_total{command="search",outcome="ok"} 1' in str(body)


async def test_broken_probe_answers_503() -> None:
    def boom() -> bool:
        raise RuntimeError("probe bug")

    health = HealthServer(is_connected=boom, content_loaded=lambda: True, port=0)
    await health.start()
    try:
        status, _, body = await get(f"{health.url}/healthz")
        assert status == 503
        assert "health probe failed" in body["reason"]  # type: ignore[index]
        status, _, _ = await get(f"{health.url}/metrics")
        assert status == 404
    finally:
        await health.stop()


async def test_port_in_use_is_a_clear_error(
    server: tuple[HealthServer, State, BotMetrics],
) -> None:
    taken, _, _ = server
    other = HealthServer(is_connected=lambda: True, content_loaded=lambda: True, port=taken.port)
    try:
        with pytest.raises(OSError, match=f"127.0.0.1:{taken.port}"):
            await other.start()
    finally:
        await other.stop()


async def test_stop_closes_the_port() -> None:
    health = HealthServer(is_connected=lambda: True, content_loaded=lambda: True, port=0)
    await health.start()
    url = f"{health.url}/healthz"
    assert (await get(url))[0] == 200
    await health.stop()
    assert not health.running
    with pytest.raises(aiohttp.ClientConnectionError):
        await get(url)
