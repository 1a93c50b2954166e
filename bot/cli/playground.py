"""`briefing-bot playground`: try the bot without Discord.

Starts the built-in Discord emulator with a demo server, the real bot connected to it, and
a page at http://127.0.0.1:8765/ that shows the server as Discord would. Needs no token;
nothing is sent to or received from Discord. Its state lives in its own data folder
(`./playground-data` by default), never in the bot's `data/`. Ctrl-C stops everything.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal
import sys
import time
from pathlib import Path
from typing import Any

import yaml

from bot.app.logs import setup_logging
from bot.config import ConfigError, load_config
from bot.playground.datafolder import DataFolderError, prepare
from bot.playground.server import DEFAULT_PORT, Playground, Settings, is_loopback
from bot.search import lexicon

DEFAULT_DATA = "playground-data"
STOP_TIMEOUT_S = 20.0


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "playground",
        help="try the bot without Discord: a simulated server in your browser",
        description=__doc__.split("\n\n")[1] if __doc__ else None,
    )
    parser.add_argument("--port", type=int, default=DEFAULT_PORT, help="page port (8765)")
    parser.add_argument("--host", default="127.0.0.1", help="page address (loopback)")
    parser.add_argument("--content", default=None, help="content folder to copy (content)")
    parser.add_argument("--config", default=None, help="config.yaml for briefings/admin")
    parser.add_argument("--data", default=DEFAULT_DATA, help=f"data folder ({DEFAULT_DATA})")
    parser.add_argument(
        "--reset", action="store_true", help="start afresh: empty the playground data folder"
    )
    parser.set_defaults(handler=run)


def _user_config(path: str | None) -> tuple[dict[str, Any], str, str] | int:
    """(raw settings, content folder, log level) from --config, or the exit code."""
    if path is None:
        return {}, "content", "WARNING"
    try:
        cfg = load_config(path)
    except ConfigError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        return 2
    raw = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    return raw, cfg.content.path, cfg.logging.level


def host_warning(host: str) -> str | None:
    if is_loopback(host):
        return None
    return (
        f"warning: --host {host} is not a loopback address: anyone who can reach this "
        "machine can use the playground (and act as its owner)"
    )


def run(args: argparse.Namespace) -> int:
    started = time.monotonic()
    loaded = _user_config(args.config)
    if isinstance(loaded, int):
        return loaded
    raw, content, level = loaded
    warning = host_warning(args.host)
    if warning:
        print(warning, file=sys.stderr)
    try:
        data = prepare(Path(args.data), Path(args.content or content), reset=args.reset)
    except (DataFolderError, OSError) as exc:
        print(f"briefing-bot playground: {exc}", file=sys.stderr)
        return 2
    setup_logging(level)
    settings = Settings(data=data, host=args.host, port=args.port, user_config=raw)
    lexicon.warm()  # before the event loop (see bot.search.lexicon.warm)
    return asyncio.run(_serve(settings, started))


async def _serve(settings: Settings, started: float) -> int:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    playground = Playground(settings)
    try:
        await playground.start()
    except OSError as exc:
        print(f"briefing-bot playground: cannot listen there: {exc}", file=sys.stderr)
        return 2
    except ConfigError as exc:
        print("\n".join(exc.problems), file=sys.stderr)
        return 2
    print(
        f"Briefing Bot playground: {playground.url}\n"
        f"  simulated Discord on this computer (no connection to Discord); "
        f"ready in {time.monotonic() - started:.1f} s\n"
        f"  data folder: {settings.data.root}\n"
        "  Ctrl-C to stop",
        flush=True,
    )
    try:
        await stop.wait()
    finally:
        print("Stopping the playground…", flush=True)
        await asyncio.wait_for(playground.stop(), timeout=STOP_TIMEOUT_S)
    return 0
