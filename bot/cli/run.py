"""`briefing-bot run`: start the bot; bad config, a missing or rejected token exit 2 with one line.

Tracebacks are for bugs; a wrong token or config is the operator's input, so it gets a
clear sentence instead. SIGINT/SIGTERM close the Discord connection cleanly.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import logging
import signal
import sys
from collections.abc import Callable, Coroutine
from typing import Any

import discord

from bot.app.logs import setup_logging
from bot.config import Config, ConfigError, TokenError, load_config, resolve_token

log = logging.getLogger("bot.run")

PLAYGROUND_HINT = "to try the bot without Discord, run: briefing-bot playground"
REJECTED = "Discord rejected the token (401): check DISCORD_TOKEN"
REVOKED = "Discord closed the connection: the token is no longer valid (4004); check DISCORD_TOKEN"
AUTHENTICATION_FAILED = 4004  # the gateway's close code for a token it no longer accepts
SHUTDOWN_TIMEOUT_S = 15.0


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser("run", help="run the bot (token from DISCORD_TOKEN)")
    parser.add_argument("--config", default=None, help="path to config.yaml")
    parser.set_defaults(handler=run)


def load(args: argparse.Namespace) -> tuple[Config, str] | int:
    """Config and token, or the exit code after printing what is wrong."""
    try:
        cfg = load_config(args.config)
    except ConfigError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        return 2
    try:
        token = resolve_token(cfg)
    except TokenError as exc:
        hint = "" if cfg.discord.token_file else f"; {PLAYGROUND_HINT}"
        print(f"briefing-bot: {exc}{hint}", file=sys.stderr)
        return 2
    return cfg, token


def _event_loop_runner() -> Callable[[Coroutine[Any, Any, int]], int]:
    """uvloop when installed (about 10-15 % less CPU per interaction, see docs/discord.md),
    else the standard loop; the bot behaves the same on both."""
    try:
        import uvloop
    except ImportError:
        return asyncio.run
    runner: Callable[[Coroutine[Any, Any, int]], int] = uvloop.run
    return runner


def run(args: argparse.Namespace) -> int:
    loaded = load(args)
    if isinstance(loaded, int):
        return loaded
    cfg, token = loaded
    setup_logging(cfg.logging.level, secrets=[token])
    return _event_loop_runner()(_serve(cfg, token))


# Young-generation GC threshold for the serving process. Every interaction allocates
# thousands of short-lived objects (payload dicts, discord.py models); with Python's default
# (700) the collector ran every few interactions. Measured with bench/e2e.py: 10-13 % less
# bot CPU per interaction and a lower /search p99; the cost is that short-lived reference
# cycles live a little longer. The content itself is frozen out of the GC by the reload.
GC_THRESHOLD = (10_000, 20, 20)


async def _serve(cfg: Config, token: str) -> int:
    from bot.app.client import BriefingBot

    gc.set_threshold(*GC_THRESHOLD)

    bot = BriefingBot(cfg, auto_sync=True)
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    runner = asyncio.create_task(bot.start(token), name="bot")
    stopper = asyncio.create_task(stop.wait(), name="signals")
    try:
        await asyncio.wait({runner, stopper}, return_when=asyncio.FIRST_COMPLETED)
        if stopper.done():
            log.info("Signal received; shutting down")
            await asyncio.wait_for(bot.close(), timeout=SHUTDOWN_TIMEOUT_S)
            with contextlib.suppress(Exception):
                await asyncio.wait_for(runner, timeout=SHUTDOWN_TIMEOUT_S)
            return 0
        return _exit_code(runner)
    finally:
        stopper.cancel()
        if not bot.is_closed():
            with contextlib.suppress(Exception):
                await asyncio.wait_for(bot.close(), timeout=SHUTDOWN_TIMEOUT_S)


def _exit_code(runner: asyncio.Task[None]) -> int:
    exc = runner.exception()
    if exc is None:
        return 0
    if isinstance(exc, discord.LoginFailure):
        print(REJECTED, file=sys.stderr)
        return 2
    if isinstance(exc, discord.ConnectionClosed) and exc.code == AUTHENTICATION_FAILED:
        print(REVOKED, file=sys.stderr)  # the token was revoked while the bot ran
        return 2
    if isinstance(exc, discord.PrivilegedIntentsRequired):
        print(
            "Discord refused the requested intents; check the application settings", file=sys.stderr
        )
        return 2
    if isinstance(exc, discord.HTTPException | discord.GatewayNotFound | OSError):
        print(f"briefing-bot: cannot reach Discord: {exc}", file=sys.stderr)
        return 1
    log.error("The bot stopped on an unexpected error", exc_info=exc)
    return 1
