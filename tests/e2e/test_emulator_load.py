"""The emulator's load generator (`ServedEmulator.run_load`) in benchmark mode: what
bench/e2e.py's latency figures rest on.

A closed loop must answer every interaction it sent, time each from the frame going out to
the answer arriving (never negative), keep the pre-dispatch queueing apart, and with
`record_requests` off keep no request or message history while the bot still gets the
full callback response it parses.
"""

from __future__ import annotations

from pathlib import Path

from tests.e2e.conftest import start_bot
from bot.emulator.serve import ServedEmulator


async def test_run_load_in_bench_mode_answers_all_and_keeps_no_history(tmp_path: Path) -> None:
    emulator = await ServedEmulator().start_on(0)
    emulator.state.record_requests = False
    try:
        running = await start_bot(emulator, tmp_path)
        try:
            options = [{"query": "russia"}, {"query": "no such section zzqx"}]
            result = await emulator.run_load("section", options, 12, 4, 5.0, 30.0)
        finally:
            await running.stop()
    finally:
        await emulator.stop()
    assert result["failed"] == 0, result["failures"]
    assert len(result["latencies_ms"]) == len(result["queued_ms"]) == 12
    assert all(ms > 0 for ms in result["latencies_ms"])
    assert all(ms >= 0 for ms in result["queued_ms"])
    assert result["answers"] == {"embed": 6, "text": 6}  # "russia" is a section; zzqx is not
    assert result["emulator"]["recording"] is False
    assert emulator.state.requests == []
    assert all(not stored for stored in emulator.state.messages.values())
    assert not emulator.interactions.by_id and not emulator.interactions.by_token


async def test_run_load_reports_a_bot_that_never_answers(tmp_path: Path) -> None:
    emulator = await ServedEmulator().start_on(0)
    try:
        running = await start_bot(emulator, tmp_path)
        await running.stop()  # the session stays; its frames now go nowhere
        result = await emulator.run_load("help", [{}], 2, 2, 0.5, 10.0)
    finally:
        await emulator.stop()
    assert result["failed"] == 2
    assert result["latencies_ms"] == []
    assert "no answer in 0.5s" in result["failures"][0]
