"""`briefing-bot run`: start the bot; bad config, a missing or rejected token exit 2 with one line.

Tracebacks are for bugs; a wrong token or config is the operator's input, so it gets a
clear sentence instead. SIGINT/SIGTERM close the Discord connection cleanly.

`--shard-count N --shards A-B` runs shards A to B of N (docs/scaling.md): the process joins
the cluster on its PostgreSQL database and holds those shards; if another process owns one,
it exits 3 with one line, or with `--standby` waits and takes over when the owner dies.
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
from typing import TYPE_CHECKING, Any

import discord
from pydantic import ValidationError

from bot.app.logs import setup_logging
from bot.config import ClusterConfig, Config, ConfigError, TokenError, load_config, resolve_token
from bot.config.problems import problems_of
from bot.content.memory import GC_THRESHOLD
from bot.search import lexicon

if TYPE_CHECKING:
    from bot.app.cluster import ClusterRuntime

log = logging.getLogger("bot.run")

PLAYGROUND_HINT = "to try the bot without Discord, run: briefing-bot playground"
REJECTED = "Discord rejected the token (401): check DISCORD_TOKEN"
REVOKED = "Discord closed the connection: the token is no longer valid (4004); check DISCORD_TOKEN"
AUTHENTICATION_FAILED = 4004  # the gateway's close code for a token it no longer accepts
SHUTDOWN_TIMEOUT_S = 15.0
SHARD_OWNED = 3  # exit code: another process owns one of the shards asked for
NEEDS_POSTGRES = (
    "briefing-bot: a shard range or a standby needs PostgreSQL, shared by every process: "
    "set DATABASE_URL=postgresql://... (docs/scaling.md)"
)


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser("run", help="run the bot (token from DISCORD_TOKEN)")
    parser.add_argument("--config", default=None, help="path to config.yaml")
    parser.add_argument(
        "--shard-count", type=int, default=None, help="total number of shards (cluster.shard_count)"
    )
    parser.add_argument(
        "--shards", default=None, help="the shards this process runs, A-B (cluster.shards)"
    )
    parser.add_argument(
        "--standby",
        action="store_true",
        default=None,
        help="wait for the shards while another process owns them (cluster.standby)",
    )
    parser.set_defaults(handler=run)


def load(args: argparse.Namespace) -> tuple[Config, str] | int:
    """Config and token, or the exit code after printing what is wrong."""
    try:
        cfg = with_cluster_flags(load_config(args.config), args)
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


def with_cluster_flags(cfg: Config, args: argparse.Namespace) -> Config:
    """`cfg` with --shard-count, --shards and --standby in place of the file's values."""
    names = ("shard_count", "shards", "standby")  # `sync` shares load() and has none
    given = {k: v for k in names if (v := getattr(args, k, None)) is not None}
    if not given:
        return cfg
    try:
        cluster = ClusterConfig.model_validate({**cfg.cluster.model_dump(), **given})
    except ValidationError as exc:
        problems = problems_of(exc, ClusterConfig)  # "shards: ..." or "config: ..."
        raise ConfigError(
            [
                "cluster" + p.removeprefix("config") if p.startswith("config:") else f"cluster.{p}"
                for p in problems
            ]
        ) from None
    return cfg.model_copy(update={"cluster": cluster})


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
    lexicon.warm()  # before the event loop: see its docstring
    return _event_loop_runner()(_serve(cfg, token))


async def _serve(cfg: Config, token: str) -> int:
    from bot.app.sharded import make_bot

    gc.set_threshold(*GC_THRESHOLD)

    joined = await _join_cluster(cfg)
    if isinstance(joined, int):
        return joined
    cluster = joined
    bot = make_bot(cfg, cluster=cluster, auto_sync=True)
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    if cluster is not None:
        cluster.start()
    runner = asyncio.create_task(bot.start(token), name="bot")
    stopper = asyncio.create_task(stop.wait(), name="signals")
    lost = asyncio.create_task(cluster.lost.wait() if cluster else asyncio.Event().wait())
    try:
        await asyncio.wait({runner, stopper, lost}, return_when=asyncio.FIRST_COMPLETED)
        if stopper.done() or lost.done():
            log.info("Signal received; shutting down" if stopper.done() else "Shutting down")
            await asyncio.wait_for(bot.close(), timeout=SHUTDOWN_TIMEOUT_S)
            with contextlib.suppress(Exception):
                await asyncio.wait_for(runner, timeout=SHUTDOWN_TIMEOUT_S)
            if lost.done() and cluster is not None:
                print(f"briefing-bot: stopped: {cluster.lost_reason}", file=sys.stderr)
                return 1
            return 0
        return _exit_code(runner)
    finally:
        stopper.cancel()
        lost.cancel()
        if not bot.is_closed():
            with contextlib.suppress(Exception):
                await asyncio.wait_for(bot.close(), timeout=SHUTDOWN_TIMEOUT_S)
        if cluster is not None:  # after the gateway closed: a standby may take over now
            with contextlib.suppress(Exception):
                await asyncio.wait_for(cluster.stop(), timeout=SHUTDOWN_TIMEOUT_S)


async def _join_cluster(cfg: Config) -> ClusterRuntime | int | None:
    """The cluster node of this process (None without PostgreSQL), holding its shards unless
    it is a standby; or the exit code after one line saying why not."""
    from bot.app.cluster import ClusterRuntime, shard_text
    from bot.storage import StoreError, is_postgres, store_target
    from bot.storage.cluster import ClusterNode

    settings = cfg.cluster
    if not is_postgres(cfg):
        if settings.owns_a_range:
            print(NEEDS_POSTGRES, file=sys.stderr)
            return 2
        return None
    ids = settings.shard_ids or ()
    role = "standby" if settings.standby else ("active" if ids else "single")
    try:
        node = await ClusterNode.join(
            store_target(cfg), role=role, shard_count=settings.shard_count, shards=ids
        )
        others = [n for n in await node.nodes() if n.alive and n.owner != node.owner]
        conflict = None
        if not _same_shard_count(others, settings.shard_count, node.name):
            await node.close()
            return 2
        if ids and not settings.standby:
            conflict = await node.hold_shards()
    except StoreError as exc:
        if ids:  # ownership cannot be proven without the database
            print(f"briefing-bot: cannot join the cluster: {exc}", file=sys.stderr)
            return 1
        log.warning("Running without the cluster (reload reaches this process only): %s", exc)
        return None
    if conflict is not None:
        await node.close()
        wanted = shard_text(list(ids), settings.shard_count)
        print(
            f"briefing-bot: {wanted}: {conflict.describe()}; run with --standby to wait for them",
            file=sys.stderr,
        )
        return SHARD_OWNED
    return ClusterRuntime(node, cfg, alive=1 + len(others))


def _same_shard_count(others: list[Any], shard_count: int | None, me: str) -> bool:
    """Shard locks are keyed by shard id, so every live process of a database must count
    shards alike (an unsharded one counts as 1 session for every guild); else one line."""
    for other in others:
        if other.shard_count != shard_count:
            theirs = f"shard_count {other.shard_count}" if other.shard_count else "no shards"
            mine = f"shard_count {shard_count}" if shard_count else "no shards"
            print(
                f"briefing-bot: process {other.name} runs with {theirs} on this database; "
                f"every process of a cluster needs the same (this one: {mine})",
                file=sys.stderr,
            )
            return False
    return True


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
