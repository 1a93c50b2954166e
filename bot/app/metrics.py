"""The bot's Prometheus metrics on prometheus_client, one registry per BotMetrics.

A registry per instance (not the library's global one) so several bots can live in one
process, as the tests run them; the process, platform and GC collectors are registered on it
too. prometheus_client's metrics are thread-safe, which matters because briefings and reloads
report from worker threads as well as the event loop.

Scale-out: each bot process serves its own `/metrics` (see docs/operations.md); pass a
`registry` to put the metrics somewhere else (a registry with `target_info`, say).
"""

from __future__ import annotations

import time
from collections.abc import Callable

import prometheus_client
from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    GCCollector,
    Histogram,
    PlatformCollector,
    ProcessCollector,
    generate_latest,
)

# The `_created` timestamp series would double every counter's series for nothing a
# dashboard uses; the page stays as it was before prometheus_client.
prometheus_client.disable_created_metrics()

# Interaction latency: Discord wants an answer within 3 s, so the buckets are dense below it.
LATENCY_BUCKETS: tuple[float, ...] = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 3.0, 5.0)

# "recovered": found already posted after a crash or a takeover, recorded without a resend.
BRIEFING_RESULTS = ("sent", "failed", "skipped", "recovered")
RELOAD_RESULTS = ("ok", "failed")


class BotMetrics:
    """The bot's metrics, with one method per thing that happens so callers cannot misspell a
    label. `clock` is injectable so uptime can be tested; `registry` defaults to a new one
    with the process collectors on it."""

    def __init__(
        self,
        clock: Callable[[], float] = time.monotonic,
        registry: CollectorRegistry | None = None,
    ) -> None:
        self._clock = clock
        self.started = clock()
        if registry is None:
            registry = CollectorRegistry(auto_describe=True)
            ProcessCollector(registry=registry)
            PlatformCollector(registry=registry)
            GCCollector(registry=registry)
        self.registry = registry
        self.interactions = Counter(
            "interactions_total",
            "Interactions handled, by command and outcome.",
            ("command", "outcome"),
            registry=registry,
        )
        self.latency = Histogram(
            "interaction_latency_seconds",
            "Time from receiving an interaction to its first response.",
            ("command",),
            buckets=LATENCY_BUCKETS,
            registry=registry,
        )
        self.briefings = Counter(
            "briefings_total", "Briefing deliveries by result.", ("result",), registry=registry
        )
        self.reloads = Counter(
            "reloads_total", "Content reloads by result.", ("result",), registry=registry
        )
        self.content_sections = Gauge(
            "content_sections", "Sections in the served content.", registry=registry
        )
        self.content_facts = Gauge(
            "content_facts", "Facts in the served content.", registry=registry
        )
        self.gateway_reconnects = Counter(
            "gateway_reconnects_total",
            "Gateway reconnects (resumes or new sessions) after the first.",
            registry=registry,
        )
        self._storage_metrics(registry)
        self.uptime = Gauge(
            "process_uptime_seconds", "Seconds since the bot process started.", registry=registry
        )
        self.uptime.set_function(self.uptime_s)
        # Zero series from the start, so rate() and alerts see them before the first event.
        for result in BRIEFING_RESULTS:
            self.briefings.labels(result=result)
        for result in RELOAD_RESULTS:
            self.reloads.labels(result=result)

    def _storage_metrics(self, registry: CollectorRegistry) -> None:
        self.storage_up = Gauge(
            "storage_up",
            "1 when the briefings store took the last probe write, 0 when it could not.",
            ("backend",),
            registry=registry,
        )
        self.storage_write_errors = Counter(
            "storage_write_errors_total",
            "Writes the briefings store refused or lost (down, read-only, full, replaced).",
            ("reason",),
            registry=registry,
        )

    def uptime_s(self) -> float:
        return max(0.0, self._clock() - self.started)

    def interaction(self, command: str, outcome: str, seconds: float | None = None) -> None:
        """One interaction: outcome is `ok`, `error`, `refused` or `timeout`, say."""
        self.interactions.labels(command=command, outcome=outcome).inc()
        if seconds is not None:
            self.latency.labels(command=command).observe(seconds)

    def briefing(self, result: str) -> None:
        if result not in BRIEFING_RESULTS:
            raise ValueError(f"briefing result must be one of {BRIEFING_RESULTS}, not {result!r}")
        self.briefings.labels(result=result).inc()

    def reload(self, ok: bool) -> None:
        self.reloads.labels(result="ok" if ok else "failed").inc()

    def set_content(self, sections: int, facts: int) -> None:
        self.content_sections.set(sections)
        self.content_facts.set(facts)

    def storage(self, backend: str, up: bool) -> None:
        self.storage_up.labels(backend=backend).set(1 if up else 0)

    def storage_write_error(self, reason: str) -> None:
        self.storage_write_errors.labels(reason=reason).inc()

    def gateway_reconnect(self) -> None:
        self.gateway_reconnects.inc()

    def value(self, name: str, **labels: str) -> float:
        """One sample's current value (0 when it has none yet), by its exposed name:
        `value("reloads_total", result="ok")`."""
        found = self.registry.get_sample_value(name, labels)
        return 0.0 if found is None else found

    def render(self) -> str:
        """The page in Prometheus text format (served as `CONTENT_TYPE_LATEST`)."""
        return generate_latest(self.registry).decode("utf-8")
