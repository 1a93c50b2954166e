"""What starts a reload besides `/admin reload`: SIGHUP, and (with `content.watch`) changes
to the content folder once it has been quiet for the debounce time."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

# Longest wait for a quiet moment after a file change before reloading anyway.
MAX_DEBOUNCE_FACTOR = 10

Request = Callable[[str], Any]  # starts a reload in the background, given its trigger


class ReloadTriggers:
    """Calls `request(trigger)` on SIGHUP and, when `watch`, after file changes."""

    def __init__(self, root: Path, request: Request, *, watch: bool, debounce_ms: int) -> None:
        self.root = root
        self._request = request
        self.watch = watch
        self.debounce_ms = max(0, debounce_ms)
        self._signal_loop: asyncio.AbstractEventLoop | None = None
        self._watch_task: asyncio.Task[None] | None = None
        self._watch_stop: asyncio.Event | None = None

    async def start(self) -> None:
        """Install the SIGHUP handler (main thread, POSIX) and start the watcher."""
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
            log.info("watching %s for changes (debounce %d ms)", self.root, self.debounce_ms)

    def _on_sighup(self) -> None:
        log.info("SIGHUP received: reloading content")
        self._request("SIGHUP")

    async def stop(self) -> None:
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

    async def _watch_loop(self, stop: asyncio.Event) -> None:
        """Reload after changes once the folder has been quiet for the debounce time.

        Copying a folder in (rsync, git checkout) writes many files over seconds; reloading
        on the first one would report errors for files not written yet.
        """
        dirty = asyncio.Event()
        last_change = [0.0]
        producer = asyncio.get_running_loop().create_task(self._produce(stop, dirty, last_change))
        try:
            while await self._wait_dirty(stop, dirty, producer):
                await self._wait_quiet(last_change)
                dirty.clear()
                self._request("file change")
        finally:
            producer.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await producer

    async def _produce(self, stop: asyncio.Event, dirty: asyncio.Event, last: list[float]) -> None:
        from watchfiles import awatch

        async for changes in awatch(
            self.root,
            watch_filter=content_filter(self.root),
            stop_event=stop,
            debounce=max(50, min(self.debounce_ms, 1600)),
            step=50,
        ):
            log.debug("content changed: %d path(s)", len(changes))
            last[0] = time.monotonic()
            dirty.set()

    @staticmethod
    async def _wait_dirty(
        stop: asyncio.Event, dirty: asyncio.Event, producer: asyncio.Task[None]
    ) -> bool:
        """True once something changed; False when stopping or the watcher died."""
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
            return False
        return not stop.is_set()

    async def _wait_quiet(self, last_change: list[float]) -> None:
        debounce = self.debounce_ms / 1000
        first = time.monotonic()
        for _ in range(10_000):  # bounded: the time limit below ends it long before
            now = time.monotonic()
            quiet = now - last_change[0]
            if quiet >= debounce or now - first >= debounce * MAX_DEBOUNCE_FACTOR:
                return
            await asyncio.sleep(max(0.01, debounce - quiet))


def content_filter(root: Path) -> Callable[[Any, str], bool]:
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
