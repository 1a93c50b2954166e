"""Every failed reload, whatever failed, is refused, logged and counted; the bot goes on."""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from bot.app.metrics import BotMetrics
from bot.content import LoadResult, load_content
from bot.content.manager import ContentManager
from bot.search import SearchIndex, build_index
from tests.bot.content.test_manager import append_paragraph
from tests.support.paths import CONTENT_DIR


@pytest.fixture
def content(tmp_path: Path) -> Path:
    target = tmp_path / "content"
    shutil.copytree(CONTENT_DIR, target)
    return target


def out_of_memory() -> None:
    bytearray(1 << 62)  # a real MemoryError: no allocator grants 4 EiB


def recurse_forever(depth: int = 0) -> int:
    return recurse_forever(depth + 1) + 1


def failing_second_time(fail: Callable[[], Any]) -> Callable[[Path], LoadResult]:
    calls = 0

    def loader(root: Path) -> LoadResult:
        nonlocal calls
        calls += 1
        if calls == 2:
            fail()
        return load_content(root)

    return loader


async def started(content: Path, **options: Any) -> tuple[ContentManager[SearchIndex], BotMetrics]:
    metrics = BotMetrics()
    manager = ContentManager(content, build_index, observer=metrics, **options)
    assert (await manager.reload("start")).ok
    return manager, metrics


def refusals(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.getMessage().startswith("reload refused")]


@pytest.mark.parametrize(
    ("fail", "error"),
    [
        (out_of_memory, "out of memory while loading the content"),
        (recurse_forever, "internal error: RecursionError("),
    ],
)
async def test_loader_failure_is_a_refused_logged_counted_reload(
    content: Path, caplog: pytest.LogCaptureFixture, fail: Callable[[], Any], error: str
) -> None:
    manager, metrics = await started(content, loader=failing_second_time(fail))
    before = manager.loaded
    with caplog.at_level(logging.INFO, logger="bot.content.manager"):
        report = await manager.reload("SIGHUP")
    assert not report.ok and len(report.errors) == 1
    assert report.errors[0].startswith(f"{content}:1: {error}")
    assert manager.loaded is before and manager.last_report is report
    assert metrics.value("reloads_total", result="failed") == 1
    [refused] = refusals(caplog)
    assert refused.levelno == logging.WARNING and "trigger: SIGHUP" in refused.getMessage()
    append_paragraph(content, "Words after the failure.")  # the manager goes on
    assert (await manager.reload("again")).ok
    assert metrics.value("reloads_total", result="ok") == 2


class NoThreads(concurrent.futures.ThreadPoolExecutor):
    """The platform refusing a new thread (a pid or memory limit reached)."""

    def submit(self, fn: Any, /, *args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("can't start new thread")


async def test_a_reload_that_cannot_start_its_thread_is_refused_and_counted(
    content: Path, caplog: pytest.LogCaptureFixture
) -> None:
    manager, metrics = await started(content)
    before = manager.loaded
    asyncio.get_running_loop().set_default_executor(NoThreads(max_workers=1))
    with caplog.at_level(logging.INFO, logger="bot.content.manager"):
        report = await manager.reload("file change")
    assert not report.ok and "can't start new thread" in report.errors[0]
    assert manager.loaded is before
    assert metrics.value("reloads_total", result="failed") == 1
    assert len(refusals(caplog)) == 1
