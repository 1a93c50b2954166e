"""Serving content that can be replaced while the bot runs, without ever serving half of it.

Everything a command needs (snapshot and search index) lives in one frozen `Loaded`, and
replacing it is a single attribute assignment on the event loop, so a command that read
`manager.loaded` once sees one consistent version for its whole run. Loading, validating,
building the index and diffing all happen in a worker thread; the event loop only swaps.

Concurrent reloads *coalesce*: a caller that arrives while a reload runs waits for the lock,
then reloads again only if no reload has started since it asked (a reload that started later
has read the files as they were after the caller's edit, so its report answers the caller
too). N callers during one reload cause exactly one more reload, not N.

A failed reload changes nothing: the previous `Loaded` keeps serving and only
`last_report` and the `reloads_total{result="failed"}` counter move.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import inspect
import logging
import signal
import threading
import time
from collections import deque
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from types import MappingProxyType, ModuleType
from typing import Any, Protocol

from bot.content.diff import SnapshotDiff, diff_snapshots
from bot.app.render.limits import ELLIPSIS, EMBED_DESCRIPTION, clip
from bot.app.metrics import BotMetrics
from bot.content.model import Snapshot

log = logging.getLogger(__name__)

# A single error line longer than this is cut so that one message cannot hide the others.
MAX_LINE_CHARS = 600
# Longest wait for a quiet moment after a file change before reloading anyway.
MAX_DEBOUNCE_FACTOR = 10


class _Problem(Protocol):
    def __str__(self) -> str: ...


class _LoadResult(Protocol):
    @property
    def snapshot(self) -> Snapshot | None: ...
    @property
    def errors(self) -> tuple[Any, ...]: ...
    @property
    def warnings(self) -> tuple[Any, ...]: ...


Loader = Callable[[Path], _LoadResult]
IndexBuilder = Callable[[Snapshot], Any]
Listener = Callable[["Loaded | None", "Loaded"], Awaitable[None] | None]


class ContentLoadError(Exception):
    """The content cannot be served; `problems` holds every `path:line: message`."""

    def __init__(self, root: Path, problems: list[str]) -> None:
        shown = "\n".join(f"  {p}" for p in problems)
        super().__init__(f"content in {root} has {len(problems)} error(s):\n{shown}")
        self.root = root
        self.problems = problems


@dataclass(frozen=True, slots=True)
class Loaded:
    """One servable version of the content: never mutated, only replaced."""

    snapshot: Snapshot
    index: Any
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


def _default_loader() -> Loader:
    from bot.content import load_content

    return load_content


def _default_index_builder() -> IndexBuilder | None:
    """The search engineer's builder, when present; the bot serves lookups without one."""
    try:
        import bot.search as search
    except ImportError:  # pragma: no cover - the package ships with the bot
        return None
    builder = getattr(search, "build_index", None)
    return builder if callable(builder) else None


def _count(snapshot: Snapshot) -> tuple[int, int]:
    sections = sum(len(d.sections) for d in snapshot.documents)
    facts = sum(len(d.facts) for d in snapshot.documents)
    return sections, facts


@dataclass(frozen=True, slots=True)
class _Outcome:
    loaded: Loaded | None
    errors: tuple[str, ...]
    warnings: tuple[str, ...]
    diff: SnapshotDiff | None


_BUILD_LOCK = threading.Lock()
_WALK_LIMIT = 20_000_000
_SHARDS = 1024  # power of two
_CHUNK = 65_536
# Containers and our own objects are walked; types, modules and functions never are (their
# referents are the whole interpreter).
_WALK_BUILTINS = (tuple, list, dict, set, frozenset, MappingProxyType)


def _walkable(obj: Any) -> bool:
    if isinstance(obj, _WALK_BUILTINS):
        return True
    module = getattr(type(obj), "__module__", "") or ""
    return module.startswith("bot.") and not isinstance(obj, type | ModuleType)


@contextlib.contextmanager
def _no_collection_pauses() -> Iterator[None]:
    """Build with the cyclic GC paused, then freeze what was built.

    A generation-2 collection over a 50,000-section heap is one C call of 200 ms or more,
    and whichever thread triggers it holds the GIL, so the event loop stalls. Pausing the
    collector while building and then `gc.freeze()`-ing (O(1): it moves the tracked objects
    to the permanent generation) means neither this build nor later automatic collections
    traverse the snapshot again. Frozen objects are still freed by reference counting when
    the next reload drops them; only reference cycles created during the build would stay,
    and content objects form none.
    """
    with _BUILD_LOCK:
        was_enabled = gc.isenabled()
        gc.disable()
        try:
            yield
        finally:
            gc.freeze()
            if was_enabled:
                gc.enable()


def release_gradually(box: list[Any]) -> int:
    """Free the object graph held by `box` a piece at a time; returns the objects visited.

    Dropping the last reference to a 50,000-section snapshot frees every object in one C
    cascade that holds the GIL from start to end (over 100 ms). Here every reachable object
    is first listed parents-first, then the list is cleared front to back: each release
    frees one object whose children are still listed, so the interpreter can switch to the
    event loop between any two. Meant for a worker thread.

    The bookkeeping itself must not hold the GIL long either: one set or list of millions
    of entries is rehashed, copied or freed in a single C call (a `set.add` that grew a set
    of 2 million ids stalled the loop for 66 ms). So visited ids go into _SHARDS small sets
    and the order into lists of at most _CHUNK objects.
    """
    seen: list[set[int]] = [set() for _ in range(_SHARDS)]
    mask = _SHARDS - 1
    chunks: list[list[Any]] = [[]]
    order = chunks[0]  # the chunk being filled
    count = 0
    queue: deque[Any] = deque(box)
    box.clear()
    item: Any = None
    while queue and count < _WALK_LIMIT:
        item = queue.popleft()
        key = id(item)
        shard = seen[(key >> 4) & mask]  # ids are 16-byte aligned: skip the zero bits
        if key in shard:
            continue
        shard.add(key)
        if len(order) >= _CHUNK:
            order = []
            chunks.append(order)
        order.append(item)
        count += 1
        if _walkable(item):
            queue.extend(r for r in gc.get_referents(item) if not isinstance(r, type))
    queue.clear()
    for shard in seen:
        shard.clear()
    item = None  # the last object visited must not outlive the walk here
    for chunk in chunks:
        for i in range(len(chunk)):
            chunk[i] = None
    return count


class ContentManager:
    """Owns the served content; the app reads `manager.loaded` (or `.snapshot`/`.index`).

    The app calls `load_initial()` before connecting, `start()` in setup_hook (SIGHUP and the
    optional file watcher) and `stop()` in close.
    """

    def __init__(
        self,
        root: Path | str,
        *,
        loader: Loader | None = None,
        index_builder: IndexBuilder | None = None,
        metrics: BotMetrics | None = None,
        watch: bool = False,
        watch_debounce_ms: int = 1000,
    ) -> None:
        self.root = Path(root)
        self._loader = loader
        self._index_builder = index_builder
        self._use_default_index = index_builder is None
        self.metrics = metrics
        self.watch = watch
        self.watch_debounce_ms = max(0, watch_debounce_ms)
        self._loaded: Loaded | None = None
        self.last_report: ReloadReport | None = None
        self._listeners: list[Listener] = []
        self._lock = asyncio.Lock()
        self._started = 0  # reloads begun, for coalescing
        self._reloading = False
        self._tasks: set[asyncio.Task[Any]] = set()
        self._watch_task: asyncio.Task[None] | None = None
        self._watch_stop: asyncio.Event | None = None
        self._signal_loop: asyncio.AbstractEventLoop | None = None

    # -- reading -----------------------------------------------------------------------

    @property
    def loaded(self) -> Loaded | None:
        return self._loaded

    @property
    def snapshot(self) -> Snapshot | None:
        loaded = self._loaded
        return loaded.snapshot if loaded is not None else None

    @property
    def index(self) -> Any:
        loaded = self._loaded
        return loaded.index if loaded is not None else None

    @property
    def is_loaded(self) -> bool:
        return self._loaded is not None

    @property
    def reloading(self) -> bool:
        return self._reloading

    def add_listener(self, listener: Listener) -> None:
        """Called as `listener(old, new)` after every swap (sync or async; errors are logged)."""
        self._listeners.append(listener)

    def adopt(self, snapshot: Snapshot, index: Any = None, load_seconds: float = 0.0) -> Loaded:
        """Serve a snapshot loaded elsewhere (by an app that loaded before this existed)."""
        sections, facts = _count(snapshot)
        loaded = Loaded(
            snapshot=snapshot,
            index=index,
            loaded_at=datetime.now(UTC),
            load_seconds=load_seconds,
            source=self.root,
            warnings=tuple(snapshot.warnings),
            sections=sections,
            facts=facts,
        )
        self._loaded = loaded
        self._after_swap_sync(loaded)
        return loaded

    # -- loading -----------------------------------------------------------------------

    def _build(self, old: Snapshot | None) -> _Outcome:
        """Load, validate, index and diff; runs in a worker thread, never raises."""
        with _no_collection_pauses():
            return self._build_paused(old)

    def _build_paused(self, old: Snapshot | None) -> _Outcome:
        started = time.perf_counter()
        loader = self._loader or _default_loader()
        try:
            result = loader(self.root)
        except Exception as exc:  # a loader bug must not take the bot down
            log.exception("content loader crashed on %s", self.root)
            return _Outcome(
                None, (f"{self.root}:1: internal error while loading: {exc!r}",), (), None
            )
        errors = tuple(str(p) for p in result.errors)
        warnings = tuple(str(p) for p in result.warnings)
        snapshot = result.snapshot
        if errors or snapshot is None:
            if not errors:
                errors = (f"{self.root}:1: the loader returned no content",)
            return _Outcome(None, errors, warnings, None)
        builder = self._index_builder
        if builder is None and self._use_default_index:
            builder = _default_index_builder()
        index: Any = None
        if builder is not None:
            try:
                index = builder(snapshot)
            except Exception as exc:
                log.exception("search index build failed for %s", self.root)
                return _Outcome(
                    None, (f"{self.root}:1: search index build failed: {exc!r}",), warnings, None
                )
        diff = diff_snapshots(old, snapshot)
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
        return _Outcome(loaded, errors, warnings, diff)

    def load_initial(self) -> Loaded:
        """Load at start-up (blocking); raise ContentLoadError listing every problem."""
        outcome = self._build(None)
        if outcome.loaded is None:
            if self.metrics is not None:
                self.metrics.reload(False)
            raise ContentLoadError(self.root, list(outcome.errors))
        self._loaded = outcome.loaded
        self._after_swap_sync(outcome.loaded)
        for warning in outcome.warnings:
            log.warning("content warning: %s", warning)
        log.info(
            "content loaded from %s: %d documents, %d sections, %d facts, hash %s in %.2fs",
            self.root,
            len(outcome.loaded.snapshot.documents),
            outcome.loaded.sections,
            outcome.loaded.facts,
            outcome.loaded.snapshot.short_hash,
            outcome.loaded.load_seconds,
        )
        return outcome.loaded

    def _after_swap_sync(self, new: Loaded) -> None:
        if self.metrics is not None:
            self.metrics.set_content(new.sections, new.facts)

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
        old_snapshot = old.snapshot if old is not None else None
        log.info("reload started (trigger: %s, folder: %s)", trigger, self.root)
        outcome = await asyncio.to_thread(self._build, old_snapshot)
        elapsed = time.perf_counter() - started
        old_hash = old_snapshot.content_hash if old_snapshot is not None else None
        if outcome.loaded is None:
            report = ReloadReport(
                ok=False,
                trigger=trigger,
                errors=outcome.errors,
                warnings=outcome.warnings,
                old_hash=old_hash,
                elapsed_s=elapsed,
            )
            self.last_report = report
            if self.metrics is not None:
                self.metrics.reload(False)
            log.warning(
                "reload refused (trigger: %s): %d error(s), still serving %s; first: %s",
                trigger,
                len(outcome.errors),
                old_hash[:12] if old_hash else "nothing",
                outcome.errors[0] if outcome.errors else "-",
            )
            return report
        new = outcome.loaded
        self._loaded = new  # the swap: one assignment, seen whole or not at all
        report = ReloadReport(
            ok=True,
            trigger=trigger,
            warnings=outcome.warnings,
            diff=outcome.diff,
            old_hash=old_hash,
            new_hash=new.snapshot.content_hash,
            elapsed_s=elapsed,
        )
        self.last_report = report
        if self.metrics is not None:
            self.metrics.reload(True)
        self._after_swap_sync(new)
        log.info(
            "reload ok (trigger: %s): %s -> %s, %s, %.2fs",
            trigger,
            old_hash[:12] if old_hash else "nothing",
            new.snapshot.short_hash,
            outcome.diff.summary() if outcome.diff else "-",
            elapsed,
        )
        await self._notify(old, new)
        if old is not None:
            # Free the old version off the event loop, a piece at a time (see the function).
            box: list[Any] = [old]
            del old, old_snapshot, outcome
            self._track(asyncio.get_running_loop().create_task(self._release(box)))
        return report

    async def settle(self, timeout: float = 60.0) -> None:
        """Wait for background work after a swap (freeing the previous version)."""
        pending = [t for t in self._tasks if t is not asyncio.current_task()]
        if pending:
            await asyncio.wait(pending, timeout=timeout)

    async def _release(self, box: list[Any]) -> None:
        try:
            await asyncio.to_thread(release_gradually, box)
        except Exception:  # pragma: no cover - freeing memory must never break a reload
            log.exception("releasing the previous content failed")

    def _track(self, task: asyncio.Task[Any]) -> None:
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _notify(self, old: Loaded | None, new: Loaded) -> None:
        for listener in list(self._listeners):
            try:
                result = listener(old, new)
                if inspect.isawaitable(result):
                    await result
            except Exception:
                log.exception("content swap listener %r failed", listener)

    # -- triggers: SIGHUP and file watching --------------------------------------------

    def request_reload(self, trigger: str) -> asyncio.Task[ReloadReport]:
        """Start a reload in the background (for signal handlers and the watcher)."""
        task = asyncio.get_running_loop().create_task(self.reload(trigger))
        self._track(task)
        return task

    async def start(self) -> None:
        """Install the SIGHUP handler (POSIX) and, with content.watch, the file watcher."""
        loop = asyncio.get_running_loop()
        sighup = getattr(signal, "SIGHUP", None)
        if sighup is not None and threading.current_thread() is threading.main_thread():
            try:
                loop.add_signal_handler(sighup, self._on_sighup)
                self._signal_loop = loop
                log.info("SIGHUP reloads the content from %s", self.root)
            except (NotImplementedError, RuntimeError, ValueError) as exc:
                log.warning("cannot install a SIGHUP handler: %s", exc)
        if self.watch and self._watch_task is None:
            self._watch_stop = asyncio.Event()
            self._watch_task = loop.create_task(self._watch_loop(self._watch_stop))
            log.info("watching %s for changes (debounce %d ms)", self.root, self.watch_debounce_ms)

    def _on_sighup(self) -> None:
        log.info("SIGHUP received: reloading content")
        self.request_reload("SIGHUP")

    async def stop(self) -> None:
        """Remove the signal handler, stop the watcher and wait for reloads in flight."""
        sighup = getattr(signal, "SIGHUP", None)
        if self._signal_loop is not None and sighup is not None:
            with contextlib.suppress(Exception):
                self._signal_loop.remove_signal_handler(sighup)
            self._signal_loop = None
        if self._watch_stop is not None:
            self._watch_stop.set()
        task, self._watch_task = self._watch_task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await asyncio.wait_for(task, timeout=5)
        pending = list(self._tasks)
        if pending:
            await asyncio.wait(pending, timeout=30)

    async def _watch_loop(self, stop: asyncio.Event) -> None:
        """Reload after file changes once the folder has been quiet for the debounce time.

        Copying a folder in (rsync, git checkout) writes many files over seconds; reloading
        on the first one would report errors for files not written yet. So wait until no
        change arrived for `watch_debounce_ms`, at most MAX_DEBOUNCE_FACTOR times that.
        """
        from watchfiles import awatch

        debounce = self.watch_debounce_ms / 1000
        dirty = asyncio.Event()
        last_change = [0.0]

        async def produce() -> None:
            async for changes in awatch(
                self.root,
                watch_filter=_content_filter(self.root),
                stop_event=stop,
                debounce=max(50, min(self.watch_debounce_ms, 1600)),
                step=50,
            ):
                log.debug("content changed: %d path(s)", len(changes))
                last_change[0] = time.monotonic()
                dirty.set()

        producer = asyncio.get_running_loop().create_task(produce())
        try:
            while not stop.is_set():
                waiter = asyncio.ensure_future(dirty.wait())
                stopper = asyncio.ensure_future(stop.wait())
                done, _ = await asyncio.wait(
                    {waiter, stopper, producer}, return_when=asyncio.FIRST_COMPLETED
                )
                waiter.cancel()
                stopper.cancel()
                if producer in done:
                    if not stop.is_set() and producer.exception() is not None:
                        log.error("content watcher failed: %r", producer.exception())
                    return
                if stop.is_set():
                    return
                first = time.monotonic()
                while True:
                    now = time.monotonic()
                    quiet = now - last_change[0]
                    if quiet >= debounce or now - first >= debounce * MAX_DEBOUNCE_FACTOR:
                        break
                    await asyncio.sleep(max(0.01, debounce - quiet))
                dirty.clear()
                await self.reload("file change")
        finally:
            producer.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await producer


def _content_filter(root: Path) -> Callable[[Any, str], bool]:
    """Changes the loader would see: not editor swap files, nor names starting `.`/`_`."""
    from watchfiles import DefaultFilter

    default = DefaultFilter()
    base = root.resolve()

    def accept(change: Any, path: str) -> bool:
        if not default(change, path):
            return False
        try:
            parts = Path(path).resolve().relative_to(base).parts
        except ValueError:
            parts = Path(path).parts[-1:]
        return not any(p.startswith((".", "_")) for p in parts)

    return accept


# -- rendering ---------------------------------------------------------------------------


def _escape(text: str) -> str:
    """Keep a file name like `__init__` or `*draft*` from turning into Markdown."""
    out = []
    for ch in text:
        if ch in "\\*_`~|>#[]()":
            out.append("\\" + ch)
        else:
            out.append(ch)
    return "".join(out)


def _code_line(text: str) -> str:
    return clip(text.replace("```", "`\u200b``"), MAX_LINE_CHARS)


def _fit_block(
    header: list[str], lines: list[str], noun: str, budget: int
) -> tuple[list[str], int]:
    """As many `lines` as fit in a code block within `budget`, then `… and N more <noun>`."""
    out: list[str] = []
    used = 8 + sum(len(h) + 1 for h in header)  # the header and the ``` fences
    reserve = len(f"\n{ELLIPSIS} and {len(lines)} more {noun}")
    for line in lines:
        if used + len(line) + 1 + reserve > budget:
            break
        out.append(line)
        used += len(line) + 1
    shown = len(out)
    text_lines = header[:]
    if out:
        text_lines.append("```\n" + "\n".join(out) + "\n```")
    if shown < len(lines):
        text_lines.append(f"{ELLIPSIS} and {len(lines) - shown} more {noun}")
    return text_lines, shown


def _id_list(label: str, ids: tuple[str, ...], budget: int) -> str:
    if not ids:
        return ""
    head = f"**{label}** ({len(ids)}): "
    parts: list[str] = []
    used = len(head)
    for i, item in enumerate(ids):
        piece = f"`{item.replace('`', '')}`"
        tail = f", {ELLIPSIS} and {len(ids) - i} more"
        if used + len(piece) + 2 + len(tail) > budget:
            return head + ", ".join(parts) + (", " if parts else "") + tail[2:]
        parts.append(piece)
        used += len(piece) + 2
    return head + ", ".join(parts)


def _with_warnings(text: str, warnings: tuple[str, ...], limit: int) -> str:
    """`text` and, room permitting, the warnings block: warnings never push out errors or
    the diff, so they take only what is left."""
    rest = limit - len(text) - 1
    if not warnings or rest <= 60:
        return text
    warn, _ = _fit_block(
        [f"Warnings ({len(warnings)}):"], [_code_line(w) for w in warnings], "warnings", rest
    )
    return text + "\n" + "\n".join(warn)


def render_report(report: ReloadReport, limit: int = EMBED_DESCRIPTION) -> str:
    """The report as an embed description of at most `limit` characters.

    Errors come first and each is shown whole (up to MAX_LINE_CHARS) while they fit, then
    `… and N more errors`; the editor fixes the first ones and reloads.
    """
    short_old = report.old_hash[:12] if report.old_hash else "nothing"
    if not report.ok:
        head = [
            f"**Reload refused**: {len(report.errors)} error"
            f"{'' if len(report.errors) == 1 else 's'}; still serving `{short_old}`.",
        ]
        lines = [_code_line(e) for e in report.errors]
        body, _ = _fit_block(head, lines, "errors", limit - 40)
        return clip(_with_warnings("\n".join(body), report.warnings, limit), limit)
    short_new = report.new_hash[:12] if report.new_hash else "?"
    diff = report.diff or SnapshotDiff()
    lines = [
        f"**Reloaded** in {report.elapsed_s:.2f} s (trigger: {_escape(report.trigger)}).",
        f"Content hash: `{short_old}` → `{short_new}`" + ("" if report.changed else " (unchanged)"),
        f"Changes: {diff.summary()}",
    ]
    text = "\n".join(lines)
    kinds = (("Documents", diff.documents), ("Sections", diff.sections), ("Facts", diff.facts))
    for kind, changes in kinds:
        for what, ids in (
            ("added", changes.added),
            ("removed", changes.removed),
            ("changed", changes.changed),
        ):
            rest = limit - len(text) - 1 - (400 if report.warnings else 0)
            if not ids or rest < 80:
                continue
            text += "\n" + _id_list(f"{kind} {what}", ids, min(rest, 1500))
    return clip(_with_warnings(text, report.warnings, limit), limit)
