"""ContentManager: atomic swaps, refused reloads, coalescing, SIGHUP, watching, reports."""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import sys
import threading
from pathlib import Path
from typing import Any

import pytest

from bot.app.metrics import BotMetrics
from bot.app.render.limits import EMBED_DESCRIPTION
from bot.app.render.reload_report import render_report
from bot.content import load_content
from bot.content.manager import ContentManager, Loaded
from bot.content.memory import release_gradually
from bot.search import SearchIndex, build_index
from tests.support.paths import CONTENT_DIR

DOC = "bluebook-2020-russia"
ECONOMY = f"{DOC}#russia/situation-in-russia/russian-economy"


@pytest.fixture
def content(tmp_path: Path) -> Path:
    target = tmp_path / "content"
    shutil.copytree(CONTENT_DIR, target)
    return target


def economy_file(root: Path) -> Path:
    return next((root / DOC / "sections").glob("*russian-economy.md"))


def append_paragraph(root: Path, text: str) -> None:
    path = economy_file(root)
    path.write_text(path.read_text(encoding="utf-8") + f"\n{text}\n", encoding="utf-8")


def break_facts(root: Path) -> None:
    facts = root / DOC / "facts.yaml"
    facts.write_text(facts.read_text(encoding="utf-8") + "  - id: [unclosed\n", "utf-8")


def manager_for(content: Path, **options: Any) -> ContentManager[SearchIndex]:
    return ContentManager(content, build_index, **options)


async def loaded_manager(content: Path, **options: Any) -> ContentManager[SearchIndex]:
    manager = manager_for(content, **options)
    assert (await manager.reload("start")).ok
    return manager


async def test_first_load_serves_snapshot_and_index(content: Path) -> None:
    metrics = BotMetrics()
    manager = manager_for(content, observer=metrics)
    assert manager.loaded is None
    assert (await manager.reload("start")).ok
    loaded = manager.loaded
    assert loaded is not None
    assert manager.snapshot is loaded.snapshot
    assert loaded.index is not None and loaded.index.snapshot is loaded.snapshot
    assert loaded.sections == sum(len(d.sections) for d in loaded.snapshot.documents)
    assert loaded.source == content
    assert metrics.value("content_sections") == loaded.sections
    assert metrics.value("content_facts") == loaded.facts > 0


async def test_a_refused_first_load_lists_every_problem(content: Path) -> None:
    break_facts(content)
    economy_file(content).write_bytes(b"---\nid: x\n\xff\xfe\n")
    manager = manager_for(content)
    report = await manager.reload("start")
    assert not report.ok and manager.loaded is None
    problems = report.errors
    assert len(problems) >= 2
    assert any("facts.yaml:" in p for p in problems)
    assert any("russian-economy.md:3:" in p and "UTF-8" in p for p in problems)


async def test_good_reload_swaps_and_reports_diff(content: Path) -> None:
    metrics = BotMetrics()
    manager = await loaded_manager(content, observer=metrics)
    old = manager.loaded
    assert old is not None
    seen: list[tuple[Loaded | None, Loaded]] = []
    manager.add_listener(lambda a, b: seen.append((a, b)))

    async def async_listener(a: Loaded | None, b: Loaded) -> None:
        seen.append((a, b))

    manager.add_listener(async_listener)
    manager.add_listener(lambda a, b: 1 / 0)  # a broken listener is logged, not fatal
    append_paragraph(content, "Fresh words about the economy.")
    report = await manager.reload("test")
    assert report.ok and report.changed
    assert report.diff is not None and report.diff.sections.changed == (ECONOMY,)
    assert report.old_hash == old.content_hash
    assert report.new_hash == manager.snapshot.content_hash != old.content_hash  # type: ignore[union-attr]
    section = manager.snapshot.section(ECONOMY)  # type: ignore[union-attr]
    assert section is not None and "Fresh words about the economy." in section.text
    assert manager.loaded is not None and manager.loaded.index.snapshot is manager.snapshot
    assert manager.last_report is report
    assert [s[1] for s in seen] == [manager.loaded, manager.loaded]
    assert metrics.value("reloads_total", result="ok") == 2  # the first load and this one
    text = render_report(report)
    assert "Reloaded" in text and "russian-economy" in text and len(text) <= EMBED_DESCRIPTION


async def test_bad_reload_keeps_serving_previous(content: Path) -> None:
    metrics = BotMetrics()
    manager = await loaded_manager(content, observer=metrics)
    before = manager.loaded
    assert before is not None
    break_facts(content)
    report = await manager.reload("test")
    assert not report.ok
    assert manager.loaded is before  # the very same object: nothing changed
    assert report.old_hash == before.content_hash and report.new_hash is None
    assert report.errors and all(":" in e for e in report.errors)
    assert any("facts.yaml:" in e for e in report.errors)
    assert metrics.value("reloads_total", result="failed") == 1
    assert metrics.value("content_sections") == before.sections
    text = render_report(report)
    assert "Reload refused" in text and "facts.yaml:" in text


async def test_loader_crash_is_a_refused_reload(content: Path) -> None:
    calls = 0

    def loader(root: Path) -> Any:
        nonlocal calls
        calls += 1
        if calls > 1:
            raise RuntimeError("loader bug")
        return load_content(root)

    manager = await loaded_manager(content, loader=loader)
    before = manager.loaded
    report = await manager.reload("test")
    assert not report.ok and "internal error" in report.errors[0]
    assert manager.loaded is before


async def test_concurrent_reloads_coalesce(content: Path) -> None:
    calls = 0
    gate = threading.Event()

    def loader(root: Path) -> Any:
        nonlocal calls
        calls += 1
        if calls == 2:  # the first reload: hold it until everyone has asked
            gate.wait(10)
        return load_content(root)

    manager = await loaded_manager(content, loader=loader)
    first = asyncio.ensure_future(manager.reload("a"))
    await asyncio.sleep(0.05)
    assert manager.reloading
    later = [asyncio.ensure_future(manager.reload(f"b{i}")) for i in range(5)]
    await asyncio.sleep(0.05)
    gate.set()
    reports = await asyncio.wait_for(asyncio.gather(first, *later), 30)
    assert calls == 3  # start-up, the running reload, and one more for all five waiters
    assert reports[0].trigger == "a"
    assert {id(r) for r in reports[1:]} == {id(reports[1])}
    assert not manager.reloading


def test_release_gradually_empties_the_box() -> None:
    graph = [tuple({"k": [object(), str(i)]} for i in range(1000))]
    visited = release_gradually(graph)
    assert graph == [] and visited > 3000


def test_release_gradually_frees_graphs_larger_than_a_chunk() -> None:
    import weakref

    class Leaf:
        pass

    leaves = [Leaf() for _ in range(10)]
    refs = [weakref.ref(leaf) for leaf in leaves]
    shared = "shared"
    graph: list[object] = [(leaves, [[i, shared] for i in range(100_000)])]
    del leaves
    visited = release_gradually(graph)
    assert graph == [] and visited > 200_000
    assert all(r() is None for r in refs)
    assert release_gradually([]) == 0


@pytest.mark.skipif(not hasattr(signal, "SIGHUP"), reason="POSIX only")
async def test_sighup_reloads(content: Path) -> None:
    manager = await loaded_manager(content)
    await manager.start()
    try:
        append_paragraph(content, "Words that arrive by signal.")
        os.kill(os.getpid(), signal.SIGHUP)
        for _ in range(200):
            if manager.last_report is not None and manager.last_report.trigger != "start":
                break
            await asyncio.sleep(0.05)
        assert manager.last_report is not None and manager.last_report.trigger == "SIGHUP"
        assert manager.last_report.ok
        assert "arrive by signal" in manager.snapshot.section(ECONOMY).text  # type: ignore[union-attr]
    finally:
        await manager.stop()
    assert signal.getsignal(signal.SIGHUP) in (signal.SIG_DFL, signal.default_int_handler, None)


@pytest.mark.skipif(sys.platform == "win32", reason="inotify-based watcher test")
async def test_watch_reloads_after_quiet_period(content: Path) -> None:
    manager = await loaded_manager(content, watch=True, watch_debounce_ms=200)
    reports: list[Loaded] = []
    manager.add_listener(lambda old, new: reports.append(new))
    await manager.start()
    try:
        await asyncio.sleep(0.3)  # let the watcher start
        for i in range(3):  # a burst of writes gives one reload
            append_paragraph(content, f"Watched change number {i}.")
            await asyncio.sleep(0.02)
        for _ in range(200):
            if reports:
                break
            await asyncio.sleep(0.05)
        await asyncio.sleep(0.6)
        assert len(reports) == 1
        assert manager.last_report is not None and manager.last_report.trigger == "file change"
        assert "Watched change number 2." in manager.snapshot.section(ECONOMY).text  # type: ignore[union-attr]
        (content / DOC / ".notes.swp").write_text("ignored", encoding="utf-8")
        await asyncio.sleep(0.8)
        assert len(reports) == 1  # hidden files are not content
    finally:
        await manager.stop()
