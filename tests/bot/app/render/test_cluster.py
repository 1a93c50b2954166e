"""The processes in /admin replies fit one embed field, whole lines first."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.app.cluster import ClusterReload, ReloadAck
from bot.app.render.cluster import nodes_text, reload_text
from bot.app.render.limits import EMBED_FIELD_VALUE
from bot.content.manager import ReloadReport
from bot.storage.cluster import NodeInfo

AT = datetime(2031, 3, 4, 9, 0, tzinfo=UTC)


def node(i: int, *, alive: bool = True, role: str = "active") -> NodeInfo:
    return NodeInfo(
        id=i, owner=f"o{i}", host=f"host-{i:03d}.example", pid=1000 + i, role=role,
        shard_count=400, shards=(2 * i, 2 * i + 1), owned=(2 * i, 2 * i + 1) if alive else (),
        content_hash="ab" * 32, sent=i, started_at=AT, beat_at=AT, alive=alive,
    )  # fmt: skip


def test_nodes_fit_a_field_with_the_rest_counted() -> None:
    text = nodes_text([node(i) for i in range(200)], me="o0")
    assert len(text) <= EMBED_FIELD_VALUE
    lines = text.splitlines()
    assert lines[0].startswith("`host-000.example:1000` active, this process: shards 0-1 of 400")
    assert "content `abababababab`" in lines[0] and "0 sent" in lines[0]
    shown = len(lines) - 1
    assert lines[-1] == f"… and {200 - shown} more"


def test_a_gone_process_says_so_and_waits_for_nothing() -> None:
    text = nodes_text([node(1, alive=False)], me="o0")
    assert text.startswith("`host-001.example:1001` gone: shards 2-3 of 400")
    assert nodes_text([], me="o0") == "none"


def test_reload_lists_this_process_then_the_answers_then_the_silent() -> None:
    report = ReloadReport(ok=True, trigger="t", old_hash="0" * 64, new_hash="1" * 64)
    result = ClusterReload(peers=[node(1), node(2)])
    result.acks.append(ReloadAck("o1", "b:2", "shards 2-3 of 4", False, "2" * 64, 3))
    text = reload_text("a:1", "shards 0-1 of 4", report, result, 20.0)
    assert text.splitlines() == [
        "`a:1` (shards 0-1 of 4, this process): reloaded → `111111111111`",
        "`b:2` (shards 2-3 of 4): refused (3 errors), still `222222222222`",
        "`host-002.example:1002` (shards 4-5 of 400): no answer within 20 s",
    ]
