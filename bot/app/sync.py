"""Command sync only when the command tree changed.

Discord rate-limits command registration hard (and a global sync takes a while to reach
every client), so `run` must not sync on every start. We hash the exact payload discord.py
would send (`to_dict` of each command, canonical JSON, plus the application id) and keep
the last synced hash per scope (global or a guild id) in the data folder; a fresh data
folder therefore syncs on first start.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import discord
from discord import app_commands

log = logging.getLogger(__name__)

GLOBAL_SCOPE = "global"


@dataclass(frozen=True)
class SyncResult:
    scope: str  # "global" or a guild id
    synced: bool  # False: the stored hash matched, nothing sent
    commands: list[str] = field(default_factory=list)  # names registered (or unchanged)
    digest: str = ""


def tree_payload(
    tree: app_commands.CommandTree, guild: discord.abc.Snowflake | None = None
) -> list[dict[str, Any]]:
    """The commands of one scope exactly as `tree.sync` sends them, in a stable order."""
    payload = [cmd.to_dict(tree) for cmd in tree.get_commands(guild=guild)]
    return sorted(payload, key=lambda c: (int(c.get("type", 1)), str(c.get("name"))))


def tree_digest(payload: list[dict[str, Any]], application_id: int | None) -> str:
    material = {"application_id": str(application_id), "commands": payload}
    canonical = json.dumps(material, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def collisions(payload: list[dict[str, Any]]) -> list[str]:
    """Names registered twice with the same type in one scope (Discord rejects the batch)."""
    counts = Counter((int(c.get("type", 1)), str(c.get("name"))) for c in payload)
    return sorted(name for (_, name), n in counts.items() if n > 1)


def hash_file(data_dir: Path, scope: str) -> Path:
    return data_dir / f"command-tree.{scope}.sha256"


def stored_digest(data_dir: Path, scope: str) -> str | None:
    try:
        return hash_file(data_dir, scope).read_text(encoding="ascii").strip() or None
    except (OSError, UnicodeDecodeError):
        return None


def store_digest(data_dir: Path, scope: str, digest: str) -> None:
    data_dir.mkdir(parents=True, exist_ok=True)
    path = hash_file(data_dir, scope)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(digest + "\n", encoding="ascii")
    tmp.replace(path)


async def sync_commands(
    tree: app_commands.CommandTree,
    data_dir: Path,
    *,
    guild_ids: list[int] | None = None,
    force: bool = False,
) -> list[SyncResult]:
    """Sync each scope whose payload hash differs from the stored one (all when `force`).

    With `guild_ids`, the global commands are copied into each guild and synced there
    (instant, for development) instead of globally.
    """
    application_id = tree.client.application_id
    scopes: list[discord.Object | None]
    if guild_ids:
        scopes = [discord.Object(id=gid) for gid in guild_ids]
        for scope in scopes:
            tree.copy_global_to(guild=scope)  # type: ignore[arg-type]
    else:
        scopes = [None]
    results = []
    for guild in scopes:
        name = GLOBAL_SCOPE if guild is None else str(guild.id)
        payload = tree_payload(tree, guild)
        dupes = collisions(payload)
        if dupes:
            raise ValueError(f"commands registered twice in scope {name}: {', '.join(dupes)}")
        digest = tree_digest(payload, application_id)
        names = [str(c["name"]) for c in payload]
        if not force and stored_digest(data_dir, name) == digest:
            log.info("Command tree unchanged for %s (%d commands); not syncing", name, len(names))
            results.append(SyncResult(name, False, names, digest))
            continue
        registered = await tree.sync(guild=guild)
        store_digest(data_dir, name, digest)
        log.info("Synced %d commands to %s", len(registered), name)
        results.append(SyncResult(name, True, [c.name for c in registered], digest))
    return results
