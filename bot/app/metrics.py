"""A small Prometheus registry: counters, gauges and histograms in text format 0.0.4.

Written here rather than taken from prometheus_client because the bot needs six metrics and
one text page, and an extra dependency (with its own global registry and process collectors)
would be more to audit than these hundred lines. Updates take a lock because briefings and
reloads report from worker threads as well as the event loop.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable, Sequence

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"

# Interaction latency: Discord wants an answer within 3 s, so the buckets are dense below it.
LATENCY_BUCKETS: tuple[float, ...] = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 3.0, 5.0)

LabelValues = tuple[str, ...]


def escape_label_value(value: str) -> str:
    """Backslash, double quote and line feed are the three characters 0.0.4 escapes."""
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def escape_help(text: str) -> str:
    """HELP text escapes only backslash and line feed (quotes are literal there)."""
    return text.replace("\\", "\\\\").replace("\n", "\\n")


def format_value(value: float) -> str:
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    if float(value).is_integer() and abs(value) < 2**53:
        return str(int(value))
    return repr(float(value))


def _labels(names: Sequence[str], values: Sequence[str], extra: str = "") -> str:
    parts = [f'{n}="{escape_label_value(v)}"' for n, v in zip(names, values, strict=True)]
    if extra:
        parts.append(extra)
    return "{" + ",".join(parts) + "}" if parts else ""


class _Metric:
    kind = ""

    def __init__(self, name: str, help_text: str, labelnames: Sequence[str] = ()) -> None:
        self.name = name
        self.help = help_text
        self.labelnames = tuple(labelnames)
        self._lock = threading.Lock()

    def _key(self, labels: dict[str, str]) -> LabelValues:
        if set(labels) != set(self.labelnames):
            raise ValueError(
                f"{self.name}: expected labels {sorted(self.labelnames)}, got {sorted(labels)}"
            )
        return tuple(str(labels[n]) for n in self.labelnames)

    def header(self) -> list[str]:
        return [f"# HELP {self.name} {escape_help(self.help)}", f"# TYPE {self.name} {self.kind}"]

    def samples(self) -> list[str]:  # pragma: no cover - abstract
        raise NotImplementedError


class Counter(_Metric):
    kind = "counter"

    def __init__(self, name: str, help_text: str, labelnames: Sequence[str] = ()) -> None:
        super().__init__(name, help_text, labelnames)
        self._values: dict[LabelValues, float] = {}
        if not self.labelnames:
            self._values[()] = 0.0

    def inc(self, amount: float = 1.0, **labels: str) -> None:
        if amount < 0:
            raise ValueError(f"{self.name}: a counter only goes up")
        key = self._key(labels)
        with self._lock:
            self._values[key] = self._values.get(key, 0.0) + amount

    def value(self, **labels: str) -> float:
        return self._values.get(self._key(labels), 0.0)

    def samples(self) -> list[str]:
        with self._lock:
            items = sorted(self._values.items())
        return [f"{self.name}{_labels(self.labelnames, k)} {format_value(v)}" for k, v in items]


class Gauge(_Metric):
    kind = "gauge"

    def __init__(
        self,
        name: str,
        help_text: str,
        labelnames: Sequence[str] = (),
        function: Callable[[], float] | None = None,
    ) -> None:
        super().__init__(name, help_text, labelnames)
        self._values: dict[LabelValues, float] = {}
        self._function = function
        if not self.labelnames:
            self._values[()] = 0.0

    def set(self, value: float, **labels: str) -> None:
        key = self._key(labels)
        with self._lock:
            self._values[key] = float(value)

    def value(self, **labels: str) -> float:
        if self._function is not None:
            return float(self._function())
        return self._values.get(self._key(labels), 0.0)

    def samples(self) -> list[str]:
        if self._function is not None:
            return [f"{self.name} {format_value(self.value())}"]
        with self._lock:
            items = sorted(self._values.items())
        return [f"{self.name}{_labels(self.labelnames, k)} {format_value(v)}" for k, v in items]


class Histogram(_Metric):
    kind = "histogram"

    def __init__(
        self,
        name: str,
        help_text: str,
        labelnames: Sequence[str] = (),
        buckets: Sequence[float] = LATENCY_BUCKETS,
    ) -> None:
        super().__init__(name, help_text, labelnames)
        if "le" in self.labelnames:
            raise ValueError("'le' is reserved for histogram buckets")
        self.buckets = tuple(sorted(float(b) for b in buckets if not math.isinf(b)))
        # per label set: [count per bucket (non-cumulative; last is +Inf), sum]
        self._data: dict[LabelValues, tuple[list[int], list[float]]] = {}

    def observe(self, value: float, **labels: str) -> None:
        key = self._key(labels)
        index = len(self.buckets)
        for i, bound in enumerate(self.buckets):
            if value <= bound:
                index = i
                break
        with self._lock:
            counts, total = self._data.setdefault(key, ([0] * (len(self.buckets) + 1), [0.0]))
            counts[index] += 1
            total[0] += value

    def count(self, **labels: str) -> int:
        data = self._data.get(self._key(labels))
        return sum(data[0]) if data else 0

    def samples(self) -> list[str]:
        with self._lock:
            items = sorted((k, (list(c), s[0])) for k, (c, s) in self._data.items())
        lines: list[str] = []
        bounds = [*(format_value(b) for b in self.buckets), "+Inf"]
        for key, (counts, total) in items:
            running = 0
            for bound, n in zip(bounds, counts, strict=True):
                running += n
                le = f'le="{bound}"'
                lines.append(f"{self.name}_bucket{_labels(self.labelnames, key, le)} {running}")
            lines.append(f"{self.name}_sum{_labels(self.labelnames, key)} {format_value(total)}")
            lines.append(f"{self.name}_count{_labels(self.labelnames, key)} {running}")
        return lines


class Registry:
    def __init__(self) -> None:
        self._metrics: dict[str, _Metric] = {}

    def register(self, metric: _Metric) -> None:
        if metric.name in self._metrics:
            raise ValueError(f"metric {metric.name} registered twice")
        self._metrics[metric.name] = metric

    def render(self) -> str:
        lines: list[str] = []
        for metric in self._metrics.values():
            lines.extend(metric.header())
            lines.extend(metric.samples())
        return "\n".join(lines) + "\n"


class BotMetrics:
    """The bot's metrics, with one method per thing that happens so callers cannot misspell a
    label. `clock` is injectable so uptime can be tested."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self.started = clock()
        self.registry = Registry()
        self.interactions = Counter(
            "interactions_total",
            "Interactions handled, by command and outcome.",
            ("command", "outcome"),
        )
        self.latency = Histogram(
            "interaction_latency_seconds",
            "Time from receiving an interaction to its first response.",
            ("command",),
        )
        self.briefings = Counter("briefings_total", "Briefing deliveries by result.", ("result",))
        self.reloads = Counter("reloads_total", "Content reloads by result.", ("result",))
        self.content_sections = Gauge("content_sections", "Sections in the served content.")
        self.content_facts = Gauge("content_facts", "Facts in the served content.")
        self.gateway_reconnects = Counter(
            "gateway_reconnects_total",
            "Gateway reconnects (resumes or new sessions) after the first.",
        )
        self.uptime = Gauge(
            "process_uptime_seconds",
            "Seconds since the bot process started.",
            function=self.uptime_s,
        )
        for metric in (
            self.interactions,
            self.latency,
            self.briefings,
            self.reloads,
            self.content_sections,
            self.content_facts,
            self.gateway_reconnects,
            self.uptime,
        ):
            self.registry.register(metric)
        for result in ("sent", "failed", "skipped"):
            self.briefings.inc(0, result=result)
        for result in ("ok", "failed"):
            self.reloads.inc(0, result=result)

    def uptime_s(self) -> float:
        return max(0.0, self._clock() - self.started)

    def interaction(self, command: str, outcome: str, seconds: float | None = None) -> None:
        """One interaction: outcome is `ok`, `error`, `refused` or `timeout`, say."""
        self.interactions.inc(command=command, outcome=outcome)
        if seconds is not None:
            self.latency.observe(seconds, command=command)

    def briefing(self, result: str) -> None:
        if result not in ("sent", "failed", "skipped"):
            raise ValueError(f"briefing result must be sent, failed or skipped, not {result!r}")
        self.briefings.inc(result=result)

    def reload(self, ok: bool) -> None:
        self.reloads.inc(result="ok" if ok else "failed")

    def set_content(self, sections: int, facts: int) -> None:
        self.content_sections.set(sections)
        self.content_facts.set(facts)

    def gateway_reconnect(self) -> None:
        self.gateway_reconnects.inc()

    def render(self) -> str:
        return self.registry.render()
