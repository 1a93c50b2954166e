"""The cluster in /admin replies: which processes reloaded to which content hash, and the
processes of the heartbeat table. One line per process, cut (with "… and N more") to fit an
embed field."""

from __future__ import annotations

from discord.utils import format_dt

from bot.app.cluster import ClusterReload, shard_text
from bot.app.render.limits import ELLIPSIS, EMBED_FIELD_VALUE, clip
from bot.content.manager import ReloadReport
from bot.storage.cluster import NodeInfo


def _short(content_hash: str | None) -> str:
    return f"`{content_hash[:12]}`" if content_hash else "nothing"


def _lines_fit(lines: list[str], limit: int = EMBED_FIELD_VALUE) -> str:
    """As many whole lines as fit in `limit`, then "… and N more"."""
    out: list[str] = []
    used = 0
    for i, line in enumerate(lines):
        left = len(lines) - i - 1
        reserve = len(f"\n{ELLIPSIS} and {left} more") if left else 0
        if used + len(line) + reserve > limit:
            out.append(f"{ELLIPSIS} and {len(lines) - i} more")
            break
        out.append(line)
        used += len(line) + 1
    return clip("\n".join(out), limit)


def _outcome(ok: bool, content_hash: str | None, errors: int) -> str:
    if ok:
        return f"reloaded → {_short(content_hash)}"
    return f"refused ({errors} errors), still {_short(content_hash)}"


def reload_text(
    name: str, shards: str, report: ReloadReport, result: ClusterReload, wait_s: float
) -> str:
    """This process first, then each other live process: its outcome and content hash."""
    mine = report.new_hash if report.ok else report.old_hash
    lines = [f"`{name}` ({shards}, this process): {_outcome(report.ok, mine, len(report.errors))}"]
    lines += [
        f"`{ack.name}` ({ack.shards}): {_outcome(ack.ok, ack.content_hash, ack.errors)}"
        for ack in result.acks
    ]
    for node in result.missing():
        shards_of = shard_text(node.shards, node.shard_count)
        lines.append(f"`{node.name}` ({shards_of}): no answer within {wait_s:g} s")
    return _lines_fit(lines)


def nodes_text(nodes: list[NodeInfo], me: str) -> str:
    """The heartbeat table: role, shards, content hash, last beat and deliveries of each."""
    lines = []
    for node in nodes:
        role = node.role if node.alive else "gone"
        here = ", this process" if node.owner == me else ""
        shards = shard_text(node.owned or node.shards, node.shard_count)
        lines.append(
            f"`{node.name}` {role}{here}: {shards}, content {_short(node.content_hash)}, "
            f"beat {format_dt(node.beat_at, 'R')}, {node.sent} sent"
        )
    return _lines_fit(lines) or "none"


def live_count(nodes: list[NodeInfo]) -> int:
    return sum(1 for n in nodes if n.alive)
