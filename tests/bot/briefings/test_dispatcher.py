"""The dispatcher against a real database (SQLite and PostgreSQL: the `store` and
`store_target` fixtures of tests/support/stores.py), a ManualClock and a recording sender.

The recording sender keeps the "channel history" (posted messages by delivery key) that the
recording recover hook searches, as the app searches the messages posted since the claim.
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

import pytest

from bot.briefings.clock import ManualClock
from bot.briefings.compose import Briefing
from bot.briefings.dispatcher import Dispatcher, DispatcherConfig, SendKind, SendResult
from bot.content.model import Document, Fact, Section, Snapshot
from bot.storage import Store, Subscription, delivery_key, open_store
from bot.storage.cluster import ClusterNode

# 08:00 in Tokyo on Tuesday 2025-03-04
T0 = datetime(2025, 3, 3, 23, 0, tzinfo=UTC)
DUE = datetime(2025, 3, 4, 0, 0, tzinfo=UTC)  # 09:00 Tokyo
DAY = date(2025, 3, 4)
TEST_TIMEOUT = 60


def snapshot() -> Snapshot:
    sections = tuple(
        Section(
            id=f"s{i}",
            document_id="doc",
            label=str(i),
            title=f"Part {i}",
            level=1,
            order=i,
            parent_id=None,
            paragraphs=(f"Text of part {i}. More text.",),
        )
        for i in range(3)
    )
    facts = (Fact(id="f", document_id="doc", section_id="s0", text="A fact.", quote="Text"),)
    doc = Document("doc", "Book", 2020, "", "", "", "en", sections=sections, facts=facts)
    return Snapshot.build((doc,))


@dataclass
class Post:
    channel_id: int
    key: str
    nonce: str
    at: datetime
    message_id: int
    briefing: Briefing


@dataclass
class RecordingSender:
    """Implements the Sender protocol; `script` holds results to return per channel first."""

    clock: ManualClock
    script: dict[int, list[SendResult]] = field(default_factory=dict)
    posts: list[Post] = field(default_factory=list)
    calls: list[tuple[int, str, datetime]] = field(default_factory=list)
    history: dict[str, int] = field(default_factory=dict)  # what the channels show
    hang_after_post: bool = False
    hang_before_post: bool = False  # the process "dies" with the delivery claimed only
    ids: itertools.count[int] = field(default_factory=lambda: itertools.count(10_000))

    async def send(
        self, subscription: Subscription, briefing: Briefing, delivery_key: str, nonce: str
    ) -> SendResult:
        self.calls.append((subscription.channel_id, delivery_key, self.clock.now()))
        if self.hang_before_post:
            await asyncio.Event().wait()
        queued = self.script.get(subscription.channel_id)
        if queued:
            result = queued.pop(0)
            if result.kind is not SendKind.SENT:
                return result
        message_id = next(self.ids)
        self.history[delivery_key] = message_id
        self.posts.append(
            Post(
                subscription.channel_id, delivery_key, nonce, self.clock.now(), message_id, briefing
            )
        )
        if self.hang_after_post:  # the process "dies" before the result is recorded
            await asyncio.Event().wait()
        return SendResult.sent(message_id)


@dataclass
class RecordingRecover:
    history: dict[str, int]
    calls: list[str] = field(default_factory=list)
    claimed_at: list[datetime] = field(default_factory=list)

    async def find_posted(
        self, subscription: Subscription, delivery_key: str, claimed_at: datetime
    ) -> int | None:
        self.calls.append(delivery_key)
        self.claimed_at.append(claimed_at)
        return self.history.get(delivery_key)


def make(
    store: Store,
    clock: ManualClock,
    sender: RecordingSender,
    events: list[str] | None = None,
    **config: object,
) -> Dispatcher:
    metrics: Callable[[str], None] | None = events.append if events is not None else None
    return Dispatcher(
        store,
        clock,
        snapshot,
        sender,
        RecordingRecover(sender.history),
        config=DispatcherConfig(**config),  # type: ignore[arg-type]
        metrics=metrics,
    )


async def run_until(clock: ManualClock, target: datetime, max_steps: int = 200_000) -> None:
    """Autojump: let the loop run, then move time to the next sleeper's deadline (or the
    target), until the target time is reached. Jumping only happens while something
    sleeps on the clock, i.e. while the dispatcher waits for time, not for the database."""
    for _ in range(max_steps):
        if clock.now() >= target:
            return
        for _ in range(5):
            await asyncio.sleep(0)
        deadline = clock.next_deadline()
        if deadline is None:
            await asyncio.sleep(0.001)  # busy with the database (a thread, or the network)
            continue
        clock.set(min(deadline, target))
    raise AssertionError("run_until did not reach its target")


async def wait_for(predicate: Callable[[], bool], clock: ManualClock, limit: float = 20) -> None:
    """Run (with autojump) until predicate() holds."""
    async with asyncio.timeout(limit):
        while not predicate():
            await asyncio.sleep(0.001)
            if clock.next_deadline() is not None and not predicate():
                clock.advance_to_next()


async def subscribe(
    store: Store, channel: int, post_time: str = "09:00", at: datetime = T0
) -> Subscription:
    return await store.upsert_subscription(1, channel, post_time, "Asia/Tokyo", "daily", 42, at=at)


async def test_posts_once_at_its_time_and_again_the_next_day(store: Store) -> None:
    async with asyncio.timeout(TEST_TIMEOUT):
        clock = ManualClock(T0)
        sender = RecordingSender(clock)
        events: list[str] = []
        sub = await subscribe(store, 100)
        d = make(store, clock, sender, events)
        d.start()
        await run_until(clock, DUE - timedelta(seconds=1))
        assert sender.posts == []
        assert d.status().next_due == DUE and d.status().alive
        await run_until(clock, DUE + timedelta(minutes=30))
        assert [p.key for p in sender.posts] == [delivery_key(sub.id, DAY)]
        post = sender.posts[0]
        assert post.at == DUE
        assert post.briefing.date == DAY
        record = await store.get_delivery(sub.id, DAY)
        assert record is not None and record.status == "sent"
        assert record.message_id == post.message_id and record.nonce == post.nonce
        assert record.content_hash == snapshot().content_hash
        assert d.status().next_due == DUE + timedelta(days=1)
        await run_until(clock, DUE + timedelta(days=1, minutes=30))
        assert [p.key for p in sender.posts] == [
            delivery_key(sub.id, DAY),
            delivery_key(sub.id, DAY + timedelta(days=1)),
        ]
        status = d.status()
        assert (status.sent, status.failed, status.skipped) == (2, 0, 0)
        assert events == ["sent", "sent"]
        await d.stop()
        assert not d.status().alive


async def test_not_posted_again_after_restart(store_target: str) -> None:
    async with asyncio.timeout(TEST_TIMEOUT):
        clock = ManualClock(T0)
        sender = RecordingSender(clock)
        store = await open_store(store_target)
        await subscribe(store, 100)
        d = make(store, clock, sender)
        d.start()
        await run_until(clock, DUE + timedelta(minutes=5))
        await d.stop()
        await store.close()
        assert len(sender.posts) == 1

        store = await open_store(store_target)
        recover = RecordingRecover(sender.history)
        d = Dispatcher(store, clock, snapshot, sender, recover)
        d.start()
        await run_until(clock, DUE + timedelta(hours=5))
        await d.stop()
        await store.close()
        assert len(sender.posts) == 1
        assert recover.calls == []  # nothing was pending


async def test_subscribing_after_todays_time_starts_tomorrow(store: Store) -> None:
    async with asyncio.timeout(TEST_TIMEOUT):
        clock = ManualClock(DUE + timedelta(hours=1))
        sender = RecordingSender(clock)
        await subscribe(store, 100, at=clock.now())
        d = make(store, clock, sender)
        d.start()
        await run_until(clock, DUE + timedelta(hours=3))
        assert sender.posts == []
        assert await store.recent_deliveries() == []
        assert d.status().next_due == DUE + timedelta(days=1)
        await d.stop()


@pytest.mark.parametrize(
    ("down_for", "posted"), [(timedelta(hours=5), True), (timedelta(hours=7), False)]
)
async def test_catch_up_within_window_else_skipped(
    store: Store, down_for: timedelta, posted: bool
) -> None:
    async with asyncio.timeout(TEST_TIMEOUT):
        clock = ManualClock(DUE + down_for)  # the bot was down at 09:00
        sender = RecordingSender(clock)
        events: list[str] = []
        sub = await subscribe(store, 100)
        d = make(store, clock, sender, events)
        assert await d.run_once() == 1
        record = await store.get_delivery(sub.id, DAY)
        assert record is not None
        if posted:
            assert len(sender.posts) == 1 and record.status == "sent"
            assert events == ["sent"]
        else:
            assert sender.posts == [] and record.status == "skipped"
            assert record.detail is not None and "catch-up" in record.detail
            assert events == ["skipped"] and d.status().skipped == 1
        assert await d.run_once() == 0  # decided once, not again


async def test_crash_after_post_before_record_is_not_posted_twice(store_target: str) -> None:
    async with asyncio.timeout(TEST_TIMEOUT):
        clock = ManualClock(T0)
        sender = RecordingSender(clock, hang_after_post=True)
        store = await open_store(store_target)
        sub = await subscribe(store, 100)
        d = make(store, clock, sender)
        d.start()
        await wait_for(lambda: len(sender.posts) == 1, clock)
        await d.stop()  # the process dies between the post and its record
        await store.close()

        store = await open_store(store_target)
        pending = await store.pending_deliveries()
        assert [p.delivery_key for p in pending] == [delivery_key(sub.id, DAY)]
        sender.hang_after_post = False
        events: list[str] = []
        d = make(store, clock, sender, events)
        d.start()
        await run_until(clock, clock.now() + timedelta(hours=1))
        await d.stop()
        assert len(sender.posts) == 1
        record = await store.get_delivery(sub.id, DAY)
        assert record is not None and record.status == "sent"
        assert record.message_id == sender.posts[0].message_id
        assert events == ["recovered"] and d.status().recovered == 1
        await store.close()


async def test_crash_after_record_before_send_posts_exactly_once(store: Store) -> None:
    async with asyncio.timeout(TEST_TIMEOUT):
        clock = ManualClock(DUE + timedelta(minutes=3))
        sender = RecordingSender(clock)
        sub = await subscribe(store, 100)
        claimed = await store.claim_delivery(sub.id, DAY, DUE, "12345", at=DUE)
        assert claimed is not None
        d = make(store, clock, sender)
        d.start()
        await run_until(clock, clock.now() + timedelta(hours=2))
        await d.stop()
        assert [(p.key, p.nonce) for p in sender.posts] == [(claimed.delivery_key, "12345")]
        record = await store.get_delivery(sub.id, DAY)
        assert record is not None and record.status == "sent"


async def test_pending_outside_window_is_skipped_not_posted(store: Store) -> None:
    async with asyncio.timeout(TEST_TIMEOUT):
        clock = ManualClock(DUE + timedelta(hours=8))
        sender = RecordingSender(clock)
        sub = await subscribe(store, 100)
        await store.claim_delivery(sub.id, DAY, DUE, "1", at=DUE)
        d = make(store, clock, sender)
        assert await d.recover_pending() == 1
        record = await store.get_delivery(sub.id, DAY)
        assert sender.posts == [] and record is not None and record.status == "skipped"


async def test_recovery_searches_from_the_claim_time(store: Store) -> None:
    async with asyncio.timeout(TEST_TIMEOUT):
        clock = ManualClock(DUE + timedelta(days=1))  # long after the crash
        sender = RecordingSender(clock)
        sub = await subscribe(store, 100)
        claimed_at = DUE + timedelta(seconds=7)
        await store.claim_delivery(sub.id, DAY, DUE, "1", at=claimed_at)
        recover = RecordingRecover(sender.history)
        d = Dispatcher(store, clock, snapshot, sender, recover)
        assert await d.recover_pending() == 1
        assert recover.claimed_at == [claimed_at]  # when the search must start, not now


@pytest.mark.parametrize(
    ("result", "reason"),
    [(SendResult.forbidden(), "missing_access"), (SendResult.not_found(), "unknown_channel")],
)
async def test_403_and_404_disable_the_subscription(
    store: Store, result: SendResult, reason: str
) -> None:
    async with asyncio.timeout(TEST_TIMEOUT):
        clock = ManualClock(T0)
        sender = RecordingSender(clock, script={100: [result]})
        events: list[str] = []
        bad = await subscribe(store, 100)
        good = await subscribe(store, 200)
        d = make(store, clock, sender, events)
        d.start()
        await run_until(clock, DUE + timedelta(days=2, minutes=1))
        await d.stop()
        sub = await store.get_subscription(bad.id)
        assert sub is not None and not sub.enabled
        # disabled when the send failed: at DUE, or a pacing step after it
        assert sub.disabled_reason == reason and sub.disabled_at is not None
        assert DUE <= sub.disabled_at < DUE + timedelta(seconds=5)
        record = await store.get_delivery(bad.id, DAY)
        assert record is not None and record.status == "failed" and reason in (record.detail or "")
        # only one attempt at the broken channel, at DUE or a pacing step after it (the two
        # channels of the tick may go in either order); the good one goes on daily
        calls = [c for c in sender.calls if c[0] == 100]
        assert [(channel, key) for channel, key, _ in calls] == [(100, delivery_key(bad.id, DAY))]
        assert DUE <= calls[0][2] < DUE + timedelta(seconds=5)
        assert sum(1 for p in sender.posts if p.channel_id == 200) == 3
        assert "disabled" in events and d.status().disabled == 1
        # subscribing again re-enables it
        again = await store.upsert_subscription(1, 100, "09:00", "Asia/Tokyo", "daily", 1)
        assert again.id == good.id - 1 and again.enabled


async def test_retry_after_is_respected_then_sent(store: Store) -> None:
    async with asyncio.timeout(TEST_TIMEOUT):
        clock = ManualClock(T0)
        sender = RecordingSender(
            clock, script={100: [SendResult.retry_after(2.5), SendResult.retry_after(4.0)]}
        )
        sub = await subscribe(store, 100)
        d = make(store, clock, sender)
        d.start()
        await run_until(clock, DUE + timedelta(minutes=5))
        await d.stop()
        times = [c[2] for c in sender.calls]
        assert len(times) == 3 and len(sender.posts) == 1
        assert times[1] - times[0] >= timedelta(seconds=2.5)
        assert times[2] - times[1] >= timedelta(seconds=4.0)
        record = await store.get_delivery(sub.id, DAY)
        assert record is not None and record.status == "sent"
        assert d.status().retries == 2


async def test_retry_after_is_bounded(store: Store) -> None:
    async with asyncio.timeout(TEST_TIMEOUT):
        clock = ManualClock(T0)
        sender = RecordingSender(clock, script={100: [SendResult.retry_after(1.0)] * 50})
        sub = await subscribe(store, 100)
        d = make(store, clock, sender, max_attempts=4)
        d.start()
        await run_until(clock, DUE + timedelta(minutes=5))
        await d.stop()
        assert len(sender.calls) == 4 and sender.posts == []
        record = await store.get_delivery(sub.id, DAY)
        assert record is not None and record.status == "failed"
        assert "rate limited" in (record.detail or "")


async def test_failed_and_raising_senders_are_recorded_not_retried(store: Store) -> None:
    async with asyncio.timeout(TEST_TIMEOUT):
        clock = ManualClock(T0)

        class Exploding(RecordingSender):
            async def send(
                self, subscription: Subscription, briefing: Briefing, key: str, nonce: str
            ) -> SendResult:
                self.calls.append((subscription.channel_id, key, self.clock.now()))
                raise RuntimeError("connection reset")

        sender = Exploding(clock)
        sub = await subscribe(store, 100)
        d = make(store, clock, sender)
        assert await d.run_once() == 0  # not due yet
        clock.set(DUE)
        assert await d.run_once() == 1
        record = await store.get_delivery(sub.id, DAY)
        assert record is not None and record.status == "failed"
        assert "connection reset" in (record.detail or "")
        assert len(sender.calls) == 1 and d.status().failed == 1


async def test_thousand_subscriptions_in_one_minute_all_posted_once_and_paced(
    store: Store,
) -> None:
    async with asyncio.timeout(TEST_TIMEOUT):
        clock = ManualClock(T0)
        sender = RecordingSender(clock)
        subs = [await subscribe(store, 1000 + i) for i in range(1000)]
        d = make(store, clock, sender)
        d.start()
        await run_until(clock, DUE + timedelta(minutes=10))
        await d.stop()
        keys = [p.key for p in sender.posts]
        assert len(keys) == 1000 == len(set(keys))
        assert set(keys) == {delivery_key(s.id, DAY) for s in subs}
        counts = await store.delivery_counts(T0)
        assert counts == {"pending": 0, "sent": 1000, "skipped": 0, "failed": 0}
        # paced at 40/s: never Discord's 50 in any one-second window (a send starts a little
        # after its slot when the store is slow, so the bound allows for that jitter)
        times = sorted(p.at for p in sender.posts)
        for i in range(len(times) - 50):
            assert times[i + 50] - times[i] >= timedelta(seconds=1)
        assert times[-1] - times[0] >= timedelta(seconds=999 / 40 - 0.1)
        assert times[-1] - DUE < timedelta(minutes=1)


async def test_notify_recomputes_the_next_wake_up(store: Store) -> None:
    async with asyncio.timeout(TEST_TIMEOUT):
        clock = ManualClock(T0)
        sender = RecordingSender(clock)
        await subscribe(store, 100, post_time="12:00")
        d = make(store, clock, sender)
        d.start()
        await wait_for(lambda: d.status().next_due is not None, clock)
        assert d.status().next_due == DUE + timedelta(hours=3)
        await subscribe(store, 200, post_time="08:30")  # 08:30 Tokyo is in 30 minutes
        d.notify()
        await wait_for(lambda: d.status().next_due == T0 + timedelta(minutes=30), clock)
        await run_until(clock, T0 + timedelta(minutes=31))
        await d.stop()
        assert [p.channel_id for p in sender.posts] == [200]


async def test_supervisor_restarts_after_a_failure(store: Store) -> None:
    async with asyncio.timeout(TEST_TIMEOUT):
        clock = ManualClock(T0)
        sender = RecordingSender(clock)
        events: list[str] = []
        await subscribe(store, 100)

        class FlakyStore:
            """The real store, whose list_enabled fails twice first."""

            failures = 2

            def __getattr__(self, name: str) -> object:
                return getattr(store, name)

            async def list_enabled(self) -> list[Subscription]:
                if self.failures:
                    self.failures -= 1
                    raise OSError("disk hiccup")
                return await store.list_enabled()

        flaky: Store = FlakyStore()  # type: ignore[assignment]
        d = Dispatcher(
            flaky, clock, snapshot, sender, RecordingRecover(sender.history), metrics=events.append
        )
        d.start()
        await run_until(clock, DUE + timedelta(minutes=1))
        status = d.status()
        await d.stop()
        assert events.count("restart") == 2 and status.restarts == 2
        assert status.last_error == "OSError: disk hiccup"
        assert status.alive
        assert len(sender.posts) == 1


async def test_a_failing_metrics_hook_does_not_stop_delivery(store: Store) -> None:
    async with asyncio.timeout(TEST_TIMEOUT):
        clock = ManualClock(DUE)

        def broken(event: str) -> None:
            raise ValueError(event)

        sender = RecordingSender(clock)
        await subscribe(store, 100)
        d = Dispatcher(
            store, clock, snapshot, sender, RecordingRecover(sender.history), metrics=broken
        )
        assert await d.run_once() == 1
        assert len(sender.posts) == 1 and d.status().sent == 1


async def test_manual_clock_sleep_wakes_only_when_advanced() -> None:
    async with asyncio.timeout(TEST_TIMEOUT):
        clock = ManualClock(T0)
        task = asyncio.ensure_future(clock.sleep(10))
        await asyncio.sleep(0)
        assert clock.sleepers == 1 and clock.next_deadline() == T0 + timedelta(seconds=10)
        clock.advance(9.999)
        await asyncio.sleep(0)
        assert not task.done()
        clock.advance(timedelta(milliseconds=1))
        await task
        assert clock.now() == T0 + timedelta(seconds=10) and clock.sleepers == 0
        cancelled = asyncio.ensure_future(clock.sleep(5))
        await asyncio.sleep(0)
        cancelled.cancel()
        await asyncio.gather(cancelled, return_exceptions=True)
        assert clock.next_deadline() is None and not clock.advance_to_next()
        with pytest.raises(ValueError, match="forward"):
            clock.set(T0)
        with pytest.raises(ValueError, match="aware"):
            ManualClock(datetime(2025, 1, 1))


async def test_recovery_leaves_a_delivery_claimed_outside_the_dispatcher_alone(
    store: Store,
) -> None:
    # /briefing now claims the day's delivery and then posts it; a recovery pass (a
    # supervised restart) running meanwhile must not take the pending row for a crash
    # leftover, find nothing in the channel yet, and post the briefing a second time.
    async with asyncio.timeout(TEST_TIMEOUT):
        clock = ManualClock(DUE + timedelta(minutes=3))
        sender = RecordingSender(clock)
        sub = await subscribe(store, 100)
        d = make(store, clock, sender)
        key = delivery_key(sub.id, DAY)
        with d.claiming(key):
            claimed = await store.claim_delivery(sub.id, DAY, DUE, "777", at=clock.now())
            assert claimed is not None
            assert await d.recover_pending() == 0
            assert sender.calls == []
            record = await store.get_delivery(sub.id, DAY)
            assert record is not None and record.status == "pending"
        # Once released, a row still pending really is a leftover: resolved once.
        resolving = asyncio.ensure_future(d.recover_pending())
        await wait_for(resolving.done, clock)  # the pacer sleeps on the clock
        assert resolving.result() == 1
        assert [(p.key, p.nonce) for p in sender.posts] == [(key, "777")]


@pytest.mark.postgresql
@pytest.mark.parametrize("dies", ["after_post", "before_post"])
async def test_a_cluster_peer_takes_over_a_dead_nodes_claims_and_spares_a_live_ones(
    postgres_url: str, dies: str
) -> None:
    # Two processes as two cluster nodes on one database, one shared channel history. The
    # first one's send hangs (after posting, or before: its claim only), then its process
    # "dies" (its session ends). Its peer leaves the claim alone while it lives, then takes
    # it over: found in the history (no second post), or posted with the claim's nonce.
    async with asyncio.timeout(TEST_TIMEOUT):
        clock = ManualClock(T0)
        a_node = await ClusterNode.join(postgres_url, role="single")
        b_node = await ClusterNode.join(postgres_url, role="single")
        a_store = await open_store(postgres_url, owner=a_node.owner)
        b_store = await open_store(postgres_url, owner=b_node.owner)
        try:
            sub = await subscribe(a_store, 100)
            a_sender = RecordingSender(
                clock, hang_after_post=dies == "after_post", hang_before_post=dies == "before_post"
            )
            a = make(a_store, clock, a_sender)
            a.start()
            await wait_for(lambda: bool(a_sender.calls), clock)
            claimed = await a_store.get_delivery(sub.id, DAY)
            assert claimed is not None and claimed.status == "pending"

            b_sender = RecordingSender(clock)
            b_sender.history.update(a_sender.history)  # the channel shows what A posted
            b = make(b_store, clock, b_sender, orphan_scan=30.0)
            b.start()
            await run_until(clock, clock.now() + timedelta(minutes=2))
            assert b_sender.calls == [] and b.status().recovered == 0  # A is alive

            await a.stop()
            await a_node.close()  # A's session ends: its node lock is free
            await wait_for(lambda: b.status().sent + b.status().recovered == 1, clock)
            await b.stop()
            record = await b_store.get_delivery(sub.id, DAY)
            assert record is not None and record.status == "sent"
            if dies == "after_post":
                assert b_sender.posts == [] and b.status().recovered == 1
                assert record.message_id == a_sender.posts[0].message_id
            else:
                assert [(p.key, p.nonce) for p in b_sender.posts] == [
                    (claimed.delivery_key, claimed.nonce)
                ]
        finally:
            for closing in (a_store.close(), b_store.close(), a_node.close(), b_node.close()):
                await closing
