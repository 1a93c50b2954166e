"""The Prometheus text format: escaping, histogram buckets, counters and uptime."""

from __future__ import annotations

import re

import pytest

from bot.app.metrics import (
    BotMetrics,
    Counter,
    Histogram,
    Registry,
    escape_label_value,
    format_value,
)

SAMPLE = re.compile(
    r'^[a-zA-Z_:][a-zA-Z0-9_:]*(\{([a-zA-Z_]\w*="([^"\\\n]|\\[\\"n])*",?)*\})? \S+$'
)


def parse(text: str) -> dict[str, float]:
    """A strict reader of the samples (every non-comment line must be well formed)."""
    out: dict[str, float] = {}
    assert text.endswith("\n")
    for line in text.splitlines():
        if line.startswith("#"):
            assert re.match(r"^# (HELP|TYPE) [a-zA-Z_:][a-zA-Z0-9_:]* .+$", line), line
            continue
        assert SAMPLE.match(line), line
        name, _, value = line.rpartition(" ")
        out[name] = float(value)
    return out


def test_label_values_are_escaped() -> None:
    assert escape_label_value('a"b\\c\nd') == 'a\\"b\\\\c\\nd'
    counter = Counter("x_total", "help with \\ and\nnewline", ("command",))
    counter.inc(command='say "hi"\\\n')
    registry = Registry()
    registry.register(counter)
    text = registry.render()
    assert "# HELP x_total help with \\\\ and\\nnewline" in text
    assert 'x_total{command="say \\"hi\\"\\\\\\n"} 1' in text
    parse(text)


def test_values_format() -> None:
    assert format_value(3.0) == "3"
    assert format_value(0.25) == "0.25"
    assert format_value(float("inf")) == "+Inf"
    assert format_value(float("nan")) == "NaN"


def test_histogram_is_cumulative_with_inf_sum_and_count() -> None:
    hist = Histogram("lat_seconds", "latency", ("command",), buckets=(0.1, 1.0))
    for value in (0.05, 0.5, 0.5, 7.0):
        hist.observe(value, command="search")
    registry = Registry()
    registry.register(hist)
    samples = parse(registry.render())
    assert samples['lat_seconds_bucket{command="search",le="0.1"}'] == 1
    assert samples['lat_seconds_bucket{command="search",le="1"}'] == 3
    assert samples['lat_seconds_bucket{command="search",le="+Inf"}'] == 4
    assert samples['lat_seconds_count{command="search"}'] == 4
    assert samples['lat_seconds_sum{command="search"}'] == pytest.approx(8.05)


def test_counter_rejects_wrong_labels_and_decrease() -> None:
    counter = Counter("c_total", "c", ("result",))
    with pytest.raises(ValueError):
        counter.inc(outcome="x")
    with pytest.raises(ValueError):
        counter.inc(-1, result="ok")


def test_bot_metrics_page() -> None:
    now = [100.0]
    metrics = BotMetrics(clock=lambda: now[0])
    metrics.interaction("section", "ok", 0.04)
    metrics.interaction("section", "error", 0.3)
    metrics.briefing("sent")
    metrics.reload(True)
    metrics.reload(False)
    metrics.set_content(12, 78)
    metrics.gateway_reconnect()
    now[0] = 142.5
    samples = parse(metrics.render())
    assert samples['interactions_total{command="section",outcome="ok"}'] == 1
    assert samples['interactions_total{command="section",outcome="error"}'] == 1
    assert samples['interaction_latency_seconds_count{command="section"}'] == 2
    assert samples['briefings_total{result="sent"}'] == 1
    assert samples['briefings_total{result="failed"}'] == 0
    assert samples['reloads_total{result="ok"}'] == 1
    assert samples['reloads_total{result="failed"}'] == 1
    assert samples["content_sections"] == 12
    assert samples["content_facts"] == 78
    assert samples["gateway_reconnects_total"] == 1
    assert samples["process_uptime_seconds"] == 42.5
    with pytest.raises(ValueError):
        metrics.briefing("lost")
