"""BotMetrics on prometheus_client: the page's names and labels, escaping, histogram buckets,
uptime, one registry per instance and the process collectors on it."""

from __future__ import annotations

import re
import sys

import pytest

from bot.app.metrics import LATENCY_BUCKETS, BotMetrics

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
    metrics = BotMetrics()
    metrics.interaction('say "hi"\\\n', "ok")
    text = metrics.render()
    assert 'interactions_total{command="say \\"hi\\"\\\\\\n",outcome="ok"} 1' in text
    parse(text)


def test_histogram_is_cumulative_with_inf_sum_and_count() -> None:
    metrics = BotMetrics()
    for seconds in (0.004, 0.5, 0.5, 7.0):
        metrics.interaction("search", "ok", seconds)
    samples = parse(metrics.render())
    bucket = 'interaction_latency_seconds_bucket{{command="search",le="{}"}}'
    assert samples[bucket.format("0.005")] == 1
    assert samples[bucket.format("0.5")] == 3
    assert samples[bucket.format("5.0")] == 3
    assert samples[bucket.format("+Inf")] == 4
    assert len([k for k in samples if k.startswith("interaction_latency_seconds_bucket")]) == (
        len(LATENCY_BUCKETS) + 1
    )
    assert samples['interaction_latency_seconds_count{command="search"}'] == 4
    assert samples['interaction_latency_seconds_sum{command="search"}'] == pytest.approx(8.004)


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
    assert samples['briefings_total{result="skipped"}'] == 0
    assert samples['reloads_total{result="ok"}'] == 1
    assert samples['reloads_total{result="failed"}'] == 1
    assert samples["content_sections"] == 12
    assert samples["content_facts"] == 78
    assert samples["gateway_reconnects_total"] == 1
    assert samples["process_uptime_seconds"] == 42.5
    assert not [k for k in samples if k.endswith("_created") or "_created{" in k]
    assert metrics.value("reloads_total", result="failed") == 1
    assert metrics.value("interactions_total", command="help", outcome="ok") == 0
    with pytest.raises(ValueError):
        metrics.briefing("lost")


def test_each_instance_has_its_own_registry() -> None:
    first, second = BotMetrics(), BotMetrics()
    first.reload(True)
    assert first.value("reloads_total", result="ok") == 1
    assert second.value("reloads_total", result="ok") == 0
    assert 'reloads_total{result="ok"} 0' in second.render()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="process metrics read /proc")
def test_process_platform_and_gc_collectors_are_on_the_page() -> None:
    samples = parse(BotMetrics().render())
    assert samples["process_resident_memory_bytes"] > 0
    assert samples["process_open_fds"] > 0
    assert "process_cpu_seconds_total" in samples
    assert any(k.startswith("python_info{") for k in samples)
    assert any(k.startswith("python_gc_collections_total{") for k in samples)
