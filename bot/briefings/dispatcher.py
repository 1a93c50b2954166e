"""The briefing dispatcher: one supervised task that posts every due briefing exactly once.

Discord-independent: the cog supplies a `Sender` (posts a message) and a `Recover` (finds a
message by its delivery key, searching from the claim time). Exactly-once rests on the
delivery record: a pending row is written before the send and completed after, and pending
rows left by a crash are resolved through `Recover` before anything else is sent.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
from collections import Counter
from collections.abc import Callable, Coroutine, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import Enum
from typing import Protocol

from bot.briefings.clock import Clock
from bot.briefings.compose import Briefing, compose_briefing
from bot.briefings.schedule import Due, next_due, previous_due
from bot.content.model import Snapshot
from bot.storage.base import (
    DISABLE_MISSING_ACCESS,
    DISABLE_UNKNOWN_CHANNEL,
    Delivery,
    Store,
    Subscription,
    delivery_key,
)

log = logging.getLogger(__name__)

MetricsHook = Callable[[str], None]
EVENTS = ("sent", "failed", "skipped", "disabled", "retry", "recovered", "restart")


class SendKind(Enum):
    SENT = "sent"
    FORBIDDEN = "forbidden"  # 403
    NOT_FOUND = "not_found"  # 404
    RETRY_AFTER = "retry_after"  # 429
    FAILED = "failed"


@dataclass(frozen=True, slots=True)
class SendResult:
    kind: SendKind
    message_id: int | None = None
    delay: float = 0.0  # seconds, for RETRY_AFTER
    is_global: bool = False  # a global rate limit holds back every send
    detail: str = ""

    @classmethod
    def sent(cls, message_id: int) -> SendResult:
        return cls(SendKind.SENT, message_id=message_id)

    @classmethod
    def forbidden(cls, detail: str = "403 Forbidden") -> SendResult:
        return cls(SendKind.FORBIDDEN, detail=detail)

    @classmethod
    def not_found(cls, detail: str = "404 Not Found") -> SendResult:
        return cls(SendKind.NOT_FOUND, detail=detail)

    @classmethod
    def retry_after(cls, seconds: float, is_global: bool = False) -> SendResult:
        return cls(SendKind.RETRY_AFTER, delay=seconds, is_global=is_global)

    @classmethod
    def failed(cls, detail: str) -> SendResult:
        return cls(SendKind.FAILED, detail=detail)


class Sender(Protocol):
    async def send(
        self, subscription: Subscription, briefing: Briefing, delivery_key: str, nonce: str
    ) -> SendResult: ...


class Recover(Protocol):
    """Finds the message a delivery posted before a crash, searching from its claim time."""

    async def find_posted(
        self, subscription: Subscription, delivery_key: str, claimed_at: datetime
    ) -> int | None: ...


@dataclass(frozen=True, slots=True)
class DispatcherConfig:
    catch_up: timedelta = timedelta(hours=6)
    max_per_second: float = 40.0  # under Discord's global 50/s
    max_concurrency: int = 8
    max_attempts: int = 5  # sends per delivery when rate limited
    max_retry_after: float = 600.0
    idle_cap: float = 300.0  # re-check at least this often (wall clocks jump)
    backoff_initial: float = 1.0
    backoff_max: float = 300.0
    send_timeout: float = 60.0  # real seconds; a hung send counts as an unknown outcome
    # In a cluster, look this often (seconds) for deliveries a dead process left pending;
    # None: only when the dispatcher starts (one process, nobody else can leave any).
    orphan_scan: float | None = None


@dataclass(frozen=True, slots=True)
class DispatcherStatus:
    alive: bool
    next_due: datetime | None
    sent: int
    failed: int
    skipped: int
    disabled: int
    retries: int
    recovered: int
    restarts: int
    last_error: str | None
    started_at: datetime | None


class _Pacer:
    """Spaces send starts at least 1/rate apart across all subscriptions."""

    def __init__(self, clock: Clock, per_second: float) -> None:
        self._clock = clock
        self.per_second = per_second
        self._interval = timedelta(seconds=1.0 / per_second)
        self._next: datetime | None = None
        self._lock = asyncio.Lock()

    def set_rate(self, per_second: float) -> None:
        self.per_second = per_second
        self._interval = timedelta(seconds=1.0 / per_second)

    async def wait(self) -> None:
        async with self._lock:
            now = self._clock.now()
            if self._next is not None and self._next > now:
                await self._clock.sleep((self._next - now).total_seconds())
                now = self._clock.now()
            self._next = max(now, self._next or now) + self._interval

    def hold(self, seconds: float) -> None:
        until = self._clock.now() + timedelta(seconds=seconds)
        self._next = max(until, self._next or until)


def new_nonce() -> str:
    """A Discord message nonce (<= 25 characters) so Discord itself also drops a resend."""
    return str(secrets.randbits(63))


class Dispatcher:
    def __init__(
        self,
        store: Store,
        clock: Clock,
        snapshot_provider: Callable[[], Snapshot],
        sender: Sender,
        recover: Recover,
        config: DispatcherConfig | None = None,
        metrics: MetricsHook | None = None,
    ) -> None:
        self._store = store
        self._clock = clock
        self._snapshot_provider = snapshot_provider
        self._sender = sender
        self._recover = recover
        self.config = config or DispatcherConfig()
        self._metrics = metrics
        self._pacer = _Pacer(clock, self.config.max_per_second)
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._counts: Counter[str] = Counter()
        self._next_due: datetime | None = None
        self._healthy = False
        self._failures = 0
        self._last_error: str | None = None
        self._started_at: datetime | None = None
        self._cache: dict[tuple[str, date], Briefing] = {}
        self._held: Counter[str] = Counter()  # delivery keys being handled, see claiming()

    # public API ----------------------------------------------------------------------

    def start(self) -> None:
        """Start the supervised task (idempotent); needs a running event loop."""
        if self._task is not None and not self._task.done():
            return
        self._started_at = self._clock.now()
        self._task = asyncio.get_running_loop().create_task(
            self._supervise(), name="briefing-dispatcher"
        )

    async def stop(self) -> None:
        task, self._task = self._task, None
        self._healthy = False
        if task is None:
            return
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task

    def notify(self) -> None:
        """Subscriptions changed: recompute the next wake-up now."""
        self._wake.set()

    @property
    def rate(self) -> float:
        """Sends (and recovery look-ups) per second this dispatcher starts at most."""
        return self._pacer.per_second

    def set_rate(self, per_second: float) -> None:
        """Change the pace, e.g. to this process's share of the cluster's budget."""
        if per_second <= 0:
            raise ValueError("the rate must be above 0")
        self._pacer.set_rate(per_second)

    def status(self) -> DispatcherStatus:
        c = self._counts
        return DispatcherStatus(
            alive=self._task is not None and not self._task.done() and self._healthy,
            next_due=self._next_due,
            sent=c["sent"],
            failed=c["failed"],
            skipped=c["skipped"],
            disabled=c["disabled"],
            retries=c["retry"],
            recovered=c["recovered"],
            restarts=c["restart"],
            last_error=self._last_error,
            started_at=self._started_at,
        )

    async def run_once(self) -> int:
        """Post (or skip) everything due now; return how many deliveries were handled."""
        return await self._dispatch_due()

    @contextlib.contextmanager
    def claiming(self, delivery_key: str) -> Iterator[None]:
        """Hold `delivery_key` while this process claims and sends that delivery (the
        dispatcher's own sends, and `/briefing now`). Its row is `pending` meanwhile, and a
        recovery pass (after a supervised restart, or the cluster's periodic one) would
        otherwise take it for a crash leftover, find no message yet and post the briefing a
        second time. Enter it *before* the claim, so no pending row of the key can be read
        while the key is not held."""
        self._held[delivery_key] += 1
        try:
            yield
        finally:
            self._held[delivery_key] -= 1
            if not self._held[delivery_key]:
                del self._held[delivery_key]

    async def recover_pending(self) -> int:
        """Resolve deliveries left pending by a crash (this process's earlier life, or a dead
        process of the cluster); return how many there were."""
        pending = [
            d for d in await self._store.pending_deliveries() if d.delivery_key not in self._held
        ]
        if pending:
            log.info("resolving %d pending briefing deliveries", len(pending))
        await self._pool([self._resolve(d) for d in pending])
        return len(pending)

    # supervision ---------------------------------------------------------------------

    async def _supervise(self) -> None:
        cfg = self.config
        while True:
            try:
                await self._run()
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                self._healthy = False
                self._failures += 1
                self._last_error = f"{type(exc).__name__}: {exc}"
                delay = min(cfg.backoff_initial * 2 ** (self._failures - 1), cfg.backoff_max)
                log.exception("briefing dispatcher failed; restarting in %.1fs", delay)
                self._count("restart")
                await self._clock.sleep(delay)

    async def _run(self) -> None:
        await self.recover_pending()
        self._healthy = True
        if self.config.orphan_scan is None:
            await self._due_loop()
            return
        async with asyncio.TaskGroup() as group:  # an error in either restarts both
            group.create_task(self._due_loop())
            group.create_task(self._orphan_loop(self.config.orphan_scan))

    async def _orphan_loop(self, interval: float) -> None:
        """A process of the cluster died with claims pending: take them over. Only dead
        owners' claims are taken (the store checks their node locks), each resolved through
        the channel history before any resend, the resend keeping the claim's nonce."""
        while True:
            await self._clock.sleep(interval)
            await self.recover_pending()

    async def _due_loop(self) -> None:
        while True:
            self._wake.clear()
            await self._dispatch_due()
            self._failures = 0
            self._healthy = True
            delay = self.config.idle_cap
            if self._next_due is not None:
                delay = min(delay, (self._next_due - self._clock.now()).total_seconds())
            await self._idle(delay)

    async def _idle(self, seconds: float) -> None:
        if seconds <= 0:
            await asyncio.sleep(0)
            return
        sleeper = asyncio.ensure_future(self._clock.sleep(seconds))
        waker = asyncio.ensure_future(self._wake.wait())
        try:
            await asyncio.wait({sleeper, waker}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in (sleeper, waker):
                task.cancel()
            await asyncio.gather(sleeper, waker, return_exceptions=True)

    # scheduling ----------------------------------------------------------------------

    async def _dispatch_due(self) -> int:
        now = self._clock.now()
        subs = await self._store.list_enabled()
        lasts = await self._store.last_deliveries()
        jobs: list[tuple[Subscription, Due]] = []
        soonest: datetime | None = None
        for sub in subs:
            try:
                prev = previous_due(sub.post_time, sub.timezone, sub.days, now)
                upcoming = next_due(sub.post_time, sub.timezone, sub.days, now)
            except ValueError as exc:
                log.warning("subscription %d has an unusable schedule: %s", sub.id, exc)
                continue
            soonest = upcoming.at if soonest is None else min(soonest, upcoming.at)
            # Only instants after the subscription was (re)configured are owed.
            if prev is None or prev.at < sub.updated_at:
                continue
            last = lasts.get(sub.id)
            if last is not None and last.local_date >= prev.local_date:
                continue
            jobs.append((sub, prev))
        self._next_due = soonest
        if jobs:
            log.info("%d briefing deliveries due", len(jobs))
            await self._pool([self._deliver(sub, due) for sub, due in jobs])
        return len(jobs)

    async def _pool(self, jobs: list[Coroutine[object, object, None]]) -> None:
        """Run jobs with at most max_concurrency in flight; an unexpected error (database)
        cancels the rest and propagates to the supervisor."""
        if not jobs:
            return
        queue = list(reversed(jobs))

        async def worker() -> None:
            while queue:
                await queue.pop()

        try:
            async with asyncio.TaskGroup() as group:
                for _ in range(min(self.config.max_concurrency, len(jobs))):
                    group.create_task(worker())
        finally:
            for job in queue:  # never started: close to avoid "never awaited" warnings
                job.close()

    # one delivery --------------------------------------------------------------------

    def _compose(self, local_date: date) -> Briefing:
        snapshot = self._snapshot_provider()
        key = (snapshot.content_hash, local_date)
        briefing = self._cache.get(key)
        if briefing is None:
            if len(self._cache) > 16:
                self._cache.clear()
            briefing = self._cache[key] = compose_briefing(snapshot, local_date)
        return briefing

    async def _deliver(self, sub: Subscription, due: Due) -> None:
        with self.claiming(delivery_key(sub.id, due.local_date)):
            await self._claim_and_deliver(sub, due)

    async def _claim_and_deliver(self, sub: Subscription, due: Due) -> None:
        now = self._clock.now()
        briefing: Briefing | None = None
        problem = ""
        try:
            briefing = self._compose(due.local_date)
        except Exception as exc:
            log.exception("cannot compose the briefing for %s", due.local_date)
            problem = f"compose failed: {type(exc).__name__}: {exc}"
        content_hash = briefing.content_hash if briefing else ""
        delivery = await self._store.claim_delivery(
            sub.id, due.local_date, due.at, new_nonce(), content_hash, at=now
        )
        if delivery is None:
            return  # already handled (another pass, or unsubscribed meanwhile)
        late = now - due.at
        if late > self.config.catch_up:
            await self._skip(delivery, f"missed by {late}; outside the catch-up window")
        elif briefing is None:
            await self._fail(delivery, problem)
        elif briefing.is_empty:
            await self._skip(delivery, "no_content")
        else:
            await self._send(sub, delivery, briefing)

    async def _resolve(self, delivery: Delivery) -> None:
        with self.claiming(delivery.delivery_key):
            await self._resolve_held(delivery)

    async def _resolve_held(self, delivery: Delivery) -> None:
        # Read again now that the key is held: a send of this process may have finished it
        # between the store's answer and here (the record was pending when read).
        current = await self._store.get_delivery(delivery.subscription_id, delivery.local_date)
        if current is None or current.status != "pending":
            return
        sub = await self._store.get_subscription(delivery.subscription_id)
        if sub is None or not sub.enabled:
            await self._skip(delivery, "subscription disabled before the post was confirmed")
            return
        await self._pacer.wait()
        try:
            found = await asyncio.wait_for(
                self._recover.find_posted(sub, delivery.delivery_key, delivery.created_at),
                self.config.send_timeout,
            )
        except Exception as exc:  # unknown: at most once wins over at least once
            log.warning("cannot check %s for %s: %r", sub.channel_id, delivery.delivery_key, exc)
            await self._fail(delivery, f"recovery failed: {type(exc).__name__}: {exc}")
            return
        if found is not None:
            await self._store.complete_delivery(
                delivery.id, found, detail="found after restart", at=self._clock.now()
            )
            self._count("recovered")
            return
        late = self._clock.now() - delivery.due_at
        if late > self.config.catch_up:
            await self._skip(delivery, f"not posted before restart; missed by {late}")
            return
        try:
            briefing = self._compose(delivery.local_date)
        except Exception as exc:
            log.exception("cannot compose the briefing for %s", delivery.local_date)
            await self._fail(delivery, f"compose failed: {type(exc).__name__}: {exc}")
            return
        await self._send(sub, delivery, briefing)

    async def _send(self, sub: Subscription, delivery: Delivery, briefing: Briefing) -> None:
        cfg = self.config
        for attempt in range(1, cfg.max_attempts + 1):
            await self._pacer.wait()
            try:
                result = await asyncio.wait_for(
                    self._sender.send(sub, briefing, delivery.delivery_key, delivery.nonce),
                    cfg.send_timeout,
                )
            except Exception as exc:
                log.warning("send to %d raised %r", sub.channel_id, exc)
                result = SendResult.failed(f"send raised {type(exc).__name__}: {exc}")
            now = self._clock.now()
            if result.kind is SendKind.SENT and result.message_id is not None:
                await self._store.complete_delivery(
                    delivery.id, result.message_id, content_hash=briefing.content_hash, at=now
                )
                self._count("sent")
                return
            if result.kind in (SendKind.FORBIDDEN, SendKind.NOT_FOUND):
                reason = (
                    DISABLE_MISSING_ACCESS
                    if result.kind is SendKind.FORBIDDEN
                    else DISABLE_UNKNOWN_CHANNEL
                )
                await self._store.disable_subscription(sub.id, reason, at=now)
                log.warning("briefings disabled for channel %d: %s", sub.channel_id, reason)
                self._count("disabled")
                await self._fail(delivery, f"{reason}: {result.detail}")
                return
            if result.kind is SendKind.RETRY_AFTER:
                if attempt == cfg.max_attempts:
                    break
                delay = min(max(result.delay, 0.0), cfg.max_retry_after)
                self._count("retry")
                if result.is_global:
                    self._pacer.hold(delay)
                await self._clock.sleep(delay)
                continue
            await self._fail(delivery, result.detail or "send failed")
            return
        await self._fail(delivery, f"still rate limited after {cfg.max_attempts} attempts")

    async def _skip(self, delivery: Delivery, detail: str) -> None:
        await self._store.mark_skipped(delivery.id, detail, at=self._clock.now())
        self._count("skipped")

    async def _fail(self, delivery: Delivery, detail: str) -> None:
        await self._store.mark_failed(delivery.id, detail, at=self._clock.now())
        self._count("failed")

    def _count(self, event: str) -> None:
        self._counts[event] += 1
        if self._metrics is not None:
            try:
                self._metrics(event)
            except Exception:
                log.exception("metrics hook failed for %r", event)
