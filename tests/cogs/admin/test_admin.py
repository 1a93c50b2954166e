"""/admin reload, sync and status end to end: real discord.py against the emulator.

Every broken folder must be refused with its file and line while the old content keeps
answering /section; a good edit is served with its diff; only operators may reload; SIGHUP
reloads; the token never shows in any log record or reply.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import shutil
import signal
import time
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest

from bot.content.manager import ContentManager
from bot.emulator import Emulator
from tests.support.broken_content import CASES, DOC, ECONOMY
from tests.support.harness import RunningBot
from tests.support.paths import CONTENT_DIR

MANAGE_GUILD = 1 << 5
VIEW_AND_USE = (1 << 10) | (1 << 11) | (1 << 31)
EPHEMERAL = 1 << 6
ECONOMY_KEY = f"{DOC}#russia/situation-in-russia/russian-economy"
ECONOMY_WORDS = "The Russian economy, which had been sluggish since 2014"


def fresh_content(root: Path) -> Path:
    if root.is_symlink() or root.is_file():
        root.unlink()
    elif root.exists():
        shutil.rmtree(root)
    shutil.copytree(CONTENT_DIR, root)
    return root


def manager_of(running: RunningBot) -> ContentManager:
    manager = running.bot.content_manager
    assert isinstance(manager, ContentManager)
    return manager


async def admin(running: RunningBot, sub: str, timeout: float = 10.0, **kw: Any) -> dict[str, Any]:
    """The visible answer, with `_ephemeral` telling whether the first callback was."""
    handle = await running.command(f"admin {sub}", **kw)
    message = await handle.final_message(timeout=timeout)
    callback = await handle.response(timeout=timeout)
    flags = int((callback.get("data") or {}).get("flags") or 0)
    return {**message, "_ephemeral": bool(flags & EPHEMERAL)}


def embed_text(message: dict[str, Any]) -> str:
    embed = message["embeds"][0]
    parts = [embed.get("title", ""), embed.get("description", "")]
    parts += [f"{f['name']}\n{f['value']}" for f in embed.get("fields", [])]
    return "\n".join(parts)


def assert_quiet(message: dict[str, Any]) -> None:
    """Ephemeral and pinging no one."""
    assert message["_ephemeral"]
    assert message.get("allowed_mentions") == {"parse": []}


async def section_text(running: RunningBot) -> str:
    answer = await running.ask("section", {"query": ECONOMY_KEY}, timeout=10)
    return json.dumps(answer, ensure_ascii=False)


@pytest.fixture
async def admin_bot(bot_starter: Any, tmp_path: Path) -> RunningBot:
    content = fresh_content(tmp_path / "content")
    running: RunningBot = await bot_starter(content_dir=content)
    return running


async def test_every_broken_folder_is_refused_with_path_and_line(
    admin_bot: RunningBot, tmp_path: Path
) -> None:
    content = tmp_path / "content"
    manager = manager_of(admin_bot)
    served = manager.loaded
    assert served is not None
    assert ECONOMY_WORDS in await section_text(admin_bot)
    assert len(CASES) >= 15
    for case in CASES:
        fresh_content(content)
        case.mutate(content)
        reply = await admin(admin_bot, "reload")
        assert_quiet(reply)
        text = embed_text(reply)
        where = f"{case.where}:{case.line}:" if case.where else f"{content}:{case.line}:"
        assert "Reload refused" in text, (case.name, text)
        lines = [ln for ln in text.splitlines() if where in ln]
        assert lines, (case.name, where, text)
        assert any(case.words in ln.lower() for ln in lines), (case.name, lines)
        assert manager.loaded is served, case.name  # the very same version is served
        assert ECONOMY_WORDS in await section_text(admin_bot), case.name
    assert manager.last_report is not None and not manager.last_report.ok


async def test_good_change_gives_its_diff_and_is_served(
    admin_bot: RunningBot, tmp_path: Path
) -> None:
    path = tmp_path / "content" / DOC / "sections" / ECONOMY
    path.write_text(
        path.read_text("utf-8") + "\nA freshly reloaded sentence about rouble stability.\n",
        encoding="utf-8",
    )
    reply = await admin(admin_bot, "reload")
    assert_quiet(reply)
    text = embed_text(reply)
    assert "Content reloaded" in text
    assert "sections +0 −0 ~1" in text
    assert "russia/situation-in-russia/russian-economy" in text
    assert "freshly reloaded sentence" in await section_text(admin_bot)
    loaded = manager_of(admin_bot).loaded
    assert loaded is not None and admin_bot.bot.search_index is loaded.index


async def test_non_operators_are_refused(admin_bot: RunningBot, emulator: Emulator) -> None:
    mod = emulator.state.add_member(emulator.guild, "moderator")
    before = manager_of(admin_bot).loaded
    report_before = manager_of(admin_bot).last_report
    for sub in ("reload", "sync"):
        reply = await admin(admin_bot, sub, member=mod, permissions=MANAGE_GUILD | VIEW_AND_USE)
        assert "operators" in reply.get("content", ""), reply
        assert_quiet(reply)
    assert manager_of(admin_bot).loaded is before
    assert manager_of(admin_bot).last_report is report_before
    # Manage Server is enough for status, nothing less is.
    status = await admin(admin_bot, "status", member=mod, permissions=MANAGE_GUILD | VIEW_AND_USE)
    text = embed_text(status)
    assert "Briefing Bot status" in text and "Recent deliveries (this server)" in text
    # the dispatcher's counters and errors cover every server: operators only
    assert "sent 0, failed 0" not in text and "Servers" not in text
    assert "sent 0, failed 0" in embed_text(await admin(admin_bot, "status"))
    plain = await admin(admin_bot, "status", member=mod, permissions=VIEW_AND_USE)
    assert "Manage Server" in plain.get("content", "")


async def test_config_owner_ids_may_reload(
    bot_starter: Any, emulator: Emulator, tmp_path: Path
) -> None:
    operator = emulator.state.add_member(emulator.guild, "operator")
    content = fresh_content(tmp_path / "content")
    running: RunningBot = await bot_starter(
        content_dir=content, extra={"admin": {"owner_ids": [operator.user.id]}}
    )
    reply = await admin(running, "reload", member=operator, permissions=VIEW_AND_USE)
    assert "Content reloaded" in embed_text(reply)
    assert f"user {operator.user.id}" in manager_of(running).last_report.trigger  # type: ignore[union-attr]


async def test_status_and_sync(admin_bot: RunningBot, emulator: Emulator) -> None:
    await admin(admin_bot, "reload")
    status = embed_text(await admin(admin_bot, "status"))
    import bot

    assert bot.__version__ in status
    assert manager_of(admin_bot).snapshot.short_hash in status  # type: ignore[union-attr]
    assert "Last reload" in status and "ok" in status
    assert "Servers\n1" in status
    # "Briefings" alone is the field's name and always there; the dispatcher must be running
    assert "dispatcher alive" in status and "**not running**" not in status
    before = len(emulator.state.requests_to("PUT", "/applications/{application_id}/commands"))
    reply = await admin(admin_bot, "sync")
    assert_quiet(reply)
    assert "/admin" in embed_text(reply)
    after = len(emulator.state.requests_to("PUT", "/applications/{application_id}/commands"))
    assert after == before + 1


async def test_status_escapes_and_clips_delivery_details(
    admin_bot: RunningBot, emulator: Emulator
) -> None:
    runtime = admin_bot.bot.briefings
    assert runtime is not None
    channel = emulator.state.first_channel()
    sub = await runtime.store.upsert_subscription(
        emulator.guild.id, channel.id, "09:00", "UTC", "daily", None
    )
    delivery = await runtime.store.claim_delivery(
        sub.id, date(2026, 1, 2), datetime(2026, 1, 2, 9, tzinfo=UTC), "1"
    )
    assert delivery is not None
    detail = "403 50001: **Missing** @everyone " + "z" * 500
    await runtime.store.mark_failed(delivery.id, detail)
    status = embed_text(await admin(admin_bot, "status"))
    line = next(x for x in status.splitlines() if x.startswith("2026-01-02"))
    assert line.startswith("2026-01-02 — failed (403 50001: \\*\\*Missing\\*\\* @\u200beveryone")
    assert line.endswith("…)") and len(line) < 120


@pytest.mark.skipif(not hasattr(signal, "SIGHUP"), reason="POSIX only")
async def test_sighup_reloads(admin_bot: RunningBot, tmp_path: Path) -> None:
    path = tmp_path / "content" / DOC / "sections" / ECONOMY
    path.write_text(path.read_text("utf-8") + "\nSignalled words arrive.\n", encoding="utf-8")
    manager = manager_of(admin_bot)
    report_before = manager.last_report
    os.kill(os.getpid(), signal.SIGHUP)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and manager.last_report is report_before:
        await asyncio.sleep(0.05)
    assert manager.last_report is not None and manager.last_report.trigger == "SIGHUP"
    assert "Signalled words arrive." in await section_text(admin_bot)


async def test_token_never_logged_or_replied(
    admin_bot: RunningBot, emulator: Emulator, caplog: pytest.LogCaptureFixture, tmp_path: Path
) -> None:
    caplog.set_level(logging.DEBUG)
    replies = [await admin(admin_bot, "reload")]
    (tmp_path / "content" / DOC / "facts.yaml").write_text("facts: [\n", encoding="utf-8")
    replies.append(await admin(admin_bot, "reload"))
    replies.append(await admin(admin_bot, "status"))
    replies.append(await admin(admin_bot, "sync"))
    mod = emulator.state.add_member(emulator.guild, "someone")
    replies.append(await admin(admin_bot, "reload", member=mod, permissions=VIEW_AND_USE))
    token = emulator.token
    assert len(token) >= 8
    assert caplog.records, "nothing was logged at DEBUG"
    assert any("admin reload" in r.getMessage() for r in caplog.records)
    for record in caplog.records:
        assert token not in record.getMessage()
        assert token not in (record.exc_text or "")
    assert token not in caplog.text
    assert all(token not in json.dumps(r) for r in replies)


async def test_interactions_during_a_50k_section_reload_are_all_answered(
    bot_starter: Any, tmp_path: Path
) -> None:
    from bot.content.synthetic import ensure_corpus

    corpus = ensure_corpus(50_000, 1)
    link = tmp_path / "content-link"
    small = fresh_content(tmp_path / "content")
    link.symlink_to(small, target_is_directory=True)
    running: RunningBot = await bot_starter(content_dir=link)
    manager = manager_of(running)
    link.unlink()
    link.symlink_to(corpus, target_is_directory=True)
    reload_task = asyncio.ensure_future(manager.reload("test: 50k"))
    handles = []
    started = time.monotonic()
    for i in range(200):
        command = ("section", {"query": "Russian Economy"}) if i % 2 else ("help", None)
        handles.append(await running.command(*command))
        await asyncio.sleep(0.02)
        assert not reload_task.done() or i > 100, "the reload ended before the load test"
    answers = await asyncio.gather(*(h.final_message(timeout=60) for h in handles))
    report = await asyncio.wait_for(reload_task, 180)
    assert report.ok, report.errors[:3]
    assert len(answers) == 200 and all(a.get("embeds") or a.get("content") for a in answers)
    assert manager.loaded is not None and manager.loaded.sections == 50_000
    assert time.monotonic() - started < 180


async def test_help_follows_reloaded_content_and_added_commands(
    admin_bot: RunningBot, tmp_path: Path
) -> None:
    """/help's embed is built once per content version and command set, never kept stale."""

    def field(answer: dict[str, Any], start: str) -> str:
        return str(
            next(f for f in answer["embeds"][0]["fields"] if f["name"].startswith(start))["value"]
        )

    before = await admin_bot.ask("help")
    assert "Diplomatic Bluebook 2020" in field(before, "Where")
    doc_yaml = tmp_path / "content" / DOC / "document.yaml"
    text = doc_yaml.read_text("utf-8")
    doc_yaml.write_text(
        text.replace("Diplomatic Bluebook 2020", "Diplomatic Bluebook 2020 (rev.)", 1), "utf-8"
    )
    assert "Content reloaded" in embed_text(await admin(admin_bot, "reload"))
    assert "Diplomatic Bluebook 2020 (rev.)" in field(await admin_bot.ask("help"), "Where")

    @admin_bot.bot.tree.command(name="extra", description="added while running")
    async def extra(interaction: Any) -> None:  # pragma: no cover - never invoked
        return None

    assert "`/extra` — added while running" in field(await admin_bot.ask("help"), "Commands")
