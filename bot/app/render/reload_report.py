"""A reload report as an embed description: errors first, each whole while they fit, then
the diff and, room permitting, the warnings."""

from __future__ import annotations

from discord.utils import escape_markdown

from bot.app.render.limits import ELLIPSIS, EMBED_DESCRIPTION, clip
from bot.content.diff import SnapshotDiff
from bot.content.manager import ReloadReport

# A single error line longer than this is cut so that one message cannot hide the others.
MAX_LINE_CHARS = 600


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
        f"**Reloaded** in {report.elapsed_s:.2f} s (trigger: {escape_markdown(report.trigger)}).",
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
