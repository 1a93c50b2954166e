"""Serving content that can be replaced while the bot runs, without ever serving half of it.

Everything a command needs (snapshot and search index) lives in one frozen `Loaded`, and
replacing it is a single attribute assignment on the event loop, so a command that read
`manager.loaded` once sees one consistent version for its whole run. Loading, validating,
building the index and diffing all happen in a worker thread; the event loop only swaps.

Concurrent reloads *coalesce*: a caller that arrives while a reload runs waits for the lock,
then reloads again only if no reload has started since it asked (a reload that started later
has read the files as they were after the caller's edit, so its report answers the caller
too). N callers during one reload cause exactly one more reload, not N.

A failed reload changes nothing: the previous `Loaded` keeps serving; `last_report` and the
observer's failure count move, and the refusal is logged.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Generic, Protocol, TypeVar

from bot.content.diff import SnapshotDiff, diff_snapshots
from bot.content.loader import LoadResult, load_content
from bot.content.memory import no_collection_pauses, release_gradually, return_free_memory
from bot.content.model import Snapshot
from bot.content.triggers import ReloadTriggers

log = logging.getLogger(__name__)

IndexT = TypeVar("IndexT")
Loader = Callable[[Path], LoadResult]


class ReloadObserver(Protocol):
    """What the manager reports to (the metrics): each reload's outcome, the served size."""

    def reload(self, ok: bool) -> None: ...
    def set_content(self, sections: int, facts: int) -> None: ...


@dataclass(frozen=True, slots=True)
class Loaded(Generic[IndexT]):
    """One servable version of the content: never mutated, only replaced."""

    snapshot: Snapshot
    index: IndexT
    loaded_at: datetime
    load_seconds: float
    source: Path
    warnings: tuple[str, ...] = ()
    sections: int = 0
    facts: int = 0

    @property
    def content_hash(self) -> str:
        return self.snapshot.content_hash


@dataclass(frozen=True, slots=True)
class ReloadReport:
    ok: bool
    trigger: str
    errors: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()
    diff: SnapshotDiff | None = None
    old_hash: str | None = None
    new_hash: str | None = None
    elapsed_s: float = 0.0
    finished_at: datetime = field(default_factory=lambda: datetime.now(UTC))

    @property
    def changed(self) -> bool:
        return self.ok and self.old_hash != self.new_hash


def _count(snapshot: Snapshot) -> tuple[int, int]:
    sections = sum(len(d.sections) for d in snapshot.documents)
    facts = sum(len(d.facts) for d in snapshot.documents)
    return sections, facts


@dataclass(frozen=True, slots=True)
class _Outcome(Generic[IndexT]):
    loaded: Loaded[IndexT] | None
    errors: tuple[str, ...]
    warnings: tuple[str, ...]
    diff: SnapshotDiff | None


def _failed(error: str) -> _Outcome[Any]:
    return _Outcome(None, (error,), (), None)


Listener = Callable[[Loaded[Any] | None, Loaded[Any]], Awaitable[None] | None]


class ContentManager(Generic[IndexT]):
    """Owns the served content: `loaded` is the version being served (None until the first
    successful load). `reload()` loads, validates and indexes in a worker thread and swaps;
    `start()` installs the reload triggers, `stop()` removes them and waits for reloads."""

    def __init__(
        self,
        root: Path | str,
        index_builder: Callable[[Snapshot], IndexT],
        *,
        loader: Loader = load_content,
        observer: ReloadObserver | None = None,
        watch: bool = False,
        watch_debounce_ms: int = 1000,
    ) -> None:
        self.root = Path(root)
        self._index_builder = index_builder
        self._loader = loader
        self.observer = observer
        self._loaded: Loaded[IndexT] | None = None
        self.last_report: ReloadReport | None = None
        self._listeners: list[Listener] = []
        self._lock = asyncio.Lock()
        self._started = 0  # reloads begun, for coalescing
        self._reloading = False
        self._tasks: set[asyncio.Task[Any]] = set()
        self.triggers = ReloadTriggers(
            self.root, self.request_reload, watch=watch, debounce_ms=watch_debounce_ms
        )

    @property
    def loaded(self) -> Loaded[IndexT] | None:
        return self._loaded

    @property
    def snapshot(self) -> Snapshot | None:
        loaded = self._loaded
        return loaded.snapshot if loaded is not None else None

    @property
    def reloading(self) -> bool:
        return self._reloading

    def add_listener(self, listener: Listener) -> None:
        """Called as `listener(old, new)` after every swap (sync or async; errors are logged)."""
        self._listeners.append(listener)

    # -- loading (worker thread) ---------------------------------------------------------

    def _build(self, old: Snapshot | None) -> _Outcome[IndexT]:
        """Load, validate, index and diff; never raises: any failure is a refusal."""
        try:
            return self._build_steps(old)
        except MemoryError:
            # Logged below, out of this block: the traceback's frames still hold whatever
            # filled the memory, and formatting it could fail the same way.
            pass
        except Exception as exc:  # a bug in any step must not take the bot down
            log.exception("content reload crashed on %s", self.root)
            return _failed(f"{self.root}:1: internal error: {exc!r}")
        log.error("content reload ran out of memory on %s", self.root)
        return _failed(f"{self.root}:1: out of memory while loading the content")

    def _build_steps(self, old: Snapshot | None) -> _Outcome[IndexT]:
        try:
            with no_collection_pauses():
                started = time.perf_counter()
                result = self._loader(self.root)
                errors = tuple(str(p) for p in result.errors)
                warnings = tuple(str(p) for p in result.warnings)
                if errors or result.snapshot is None:
                    errors = errors or (f"{self.root}:1: the loader returned no content",)
                    return _Outcome(None, errors, warnings, None)
                return self._index(result.snapshot, old, warnings, started)
        finally:
            return_free_memory()  # the build's transient peak, failed or not

    def _index(
        self, snapshot: Snapshot, old: Snapshot | None, warnings: tuple[str, ...], started: float
    ) -> _Outcome[IndexT]:
        try:
            index = self._index_builder(snapshot)
        except Exception as exc:
            log.exception("search index build failed for %s", self.root)
            error = f"{self.root}:1: search index build failed: {exc!r}"
            return _Outcome(None, (error,), warnings, None)
        sections, facts = _count(snapshot)
        loaded = Loaded(
            snapshot=snapshot,
            index=index,
            loaded_at=datetime.now(UTC),
            load_seconds=time.perf_counter() - started,
            source=self.root,
            warnings=warnings,
            sections=sections,
            facts=facts,
        )
        return _Outcome(loaded, (), warnings, diff_snapshots(old, snapshot))

    # -- reloading (event loop) ----------------------------------------------------------

    async def reload(self, trigger: str) -> ReloadReport:
        """Reload from `self.root`; on any error keep serving what is served now."""
        asked_at = self._started
        async with self._lock:
            if self._started > asked_at and self.last_report is not None:
                log.info("reload (%s) coalesced into the one that just ran", trigger)
                return self.last_report
            self._started += 1
            self._reloading = True
            try:
                return await self._reload_locked(trigger)
            finally:
                self._reloading = False

    async def _reload_locked(self, trigger: str) -> ReloadReport:
        started = time.perf_counter()
        old = self._loaded
        old_hash = old.content_hash if old is not None else None
        log.info("reload started (trigger: %s, folder: %s)", trigger, self.root)
        try:
            outcome = await asyncio.to_thread(self._build, old.snapshot if old else None)
        except Exception as exc:  # e.g. no thread could be started: still a counted refusal
            log.exception("content reload could not run")
            outcome = _failed(f"{self.root}:1: internal error: {exc!r}")
        elapsed = time.perf_counter() - started
        if outcome.loaded is None:
            return self._refused(trigger, outcome, old_hash, elapsed)
        new = outcome.loaded
        self._loaded = new  # the swap: one assignment, seen whole or not at all
        report = ReloadReport(
            ok=True,
            trigger=trigger,
            warnings=outcome.warnings,
            diff=outcome.diff,
            old_hash=old_hash,
            new_hash=new.content_hash,
            elapsed_s=elapsed,
        )
        self.last_report = report
        if self.observer is not None:
            self.observer.reload(True)
            self.observer.set_content(new.sections, new.facts)
        summary = outcome.diff.summary() if outcome.diff else "-"
        log.info(
            "reload ok (trigger: %s): %s -> %s, %s, %.2fs",
            trigger,
            old_hash[:12] if old_hash else "nothing",
            new.snapshot.short_hash,
            summary,
            elapsed,
        )
        for warning in outcome.warnings:
            log.warning("content warning: %s", warning)
        await self._notify(old, new)
        if old is not None:
            # Free the old version off the event loop, a piece at a time (see the function).
            box: list[Any] = [old]
            del old, outcome
            self._track(asyncio.get_running_loop().create_task(self._release(box)))
        return report

    def _refused(
        self, trigger: str, outcome: _Outcome[IndexT], old_hash: str | None, elapsed: float
    ) -> ReloadReport:
        report = ReloadReport(
            ok=False,
            trigger=trigger,
            errors=outcome.errors,
            warnings=outcome.warnings,
            old_hash=old_hash,
            elapsed_s=elapsed,
        )
        self.last_report = report
        if self.observer is not None:
            self.observer.reload(False)
        log.warning(
            "reload refused (trigger: %s): %d error(s), still serving %s; first: %s",
            trigger,
            len(outcome.errors),
            old_hash[:12] if old_hash else "nothing",
            outcome.errors[0] if outcome.errors else "-",
        )
        return report

    async def settle(self, timeout: float = 60.0) -> None:
        """Wait for background work after a swap (freeing the previous version)."""
        pending = [t for t in self._tasks if t is not asyncio.current_task()]
        if pending:
            await asyncio.wait(pending, timeout=timeout)

    async def _release(self, box: list[Any]) -> None:
        try:
            await asyncio.to_thread(release_gradually, box)
            await asyncio.to_thread(return_free_memory)  # the pages the old version held
        except Exception:  # pragma: no cover - freeing memory must never break a reload
            log.exception("releasing the previous content failed")

    def _track(self, task: asyncio.Task[Any]) -> None:
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _notify(self, old: Loaded[IndexT] | None, new: Loaded[IndexT]) -> None:
        for listener in list(self._listeners):
            try:
                result = listener(old, new)
                if inspect.isawaitable(result):
                    await result
            except Exception:
                log.exception("content swap listener %r failed", listener)

    # -- triggers ------------------------------------------------------------------------

    def request_reload(self, trigger: str) -> asyncio.Task[ReloadReport]:
        """Start a reload in the background (for signal handlers and the watcher)."""
        task = asyncio.get_running_loop().create_task(self.reload(trigger))
        self._track(task)
        return task

    async def start(self) -> None:
        """Install SIGHUP and, with `watch`, the file watcher."""
        await self.triggers.start()

    async def stop(self) -> None:
        """Remove the triggers and wait (bounded) for reloads in flight."""
        await self.triggers.stop()
        pending = list(self._tasks)
        if pending:
            await asyncio.wait(pending, timeout=30)
