"""`briefing-bot sync`: register the slash commands now, print them, exit.

`run` syncs by itself only when the command tree changed (see bot/sync.py); this command
forces it, e.g. after deleting commands by hand in the developer portal.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from typing import Any

import discord

from bot.app.logs import setup_logging
from bot.cli.run import REJECTED, load


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser("sync", help="register the slash commands with Discord")
    parser.add_argument("--config", default=None, help="path to config.yaml")
    parser.add_argument(
        "--guild",
        type=int,
        action="append",
        default=None,
        metavar="ID",
        help="sync to this guild only (instant); repeatable. Default: discord.dev_guild_ids, "
        "else globally",
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    loaded = load(args)
    if isinstance(loaded, int):
        return loaded
    cfg, token = loaded
    setup_logging(cfg.logging.level, secrets=[token])
    try:
        return asyncio.run(_sync(cfg, token, args.guild))
    except discord.LoginFailure:
        print(REJECTED, file=sys.stderr)
        return 2
    except (discord.HTTPException, OSError) as exc:
        print(f"briefing-bot sync: {exc}", file=sys.stderr)
        return 1


async def _sync(cfg: Any, token: str, guilds: list[int] | None) -> int:
    from bot.app.client import BriefingBot
    from bot.app.sync import sync_commands

    bot = BriefingBot(cfg)
    try:
        await bot.login(token)  # runs setup_hook: content and cogs, no gateway connection
        guild_ids = guilds or list(cfg.discord.dev_guild_ids) or None
        results = await sync_commands(bot.tree, cfg.data_dir, guild_ids=guild_ids, force=True)
    finally:
        await bot.close()
    for result in results:
        where = "globally" if result.scope == "global" else f"in guild {result.scope}"
        print(
            f"Registered {len(result.commands)} commands {where}: "
            + ", ".join(f"/{name}" for name in result.commands)
        )
    return 0
