"""`briefing-bot sync`: not written yet (see the open issues)."""

from __future__ import annotations

import argparse
import sys
from typing import Any


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser("sync", help="(not yet available)")
    parser.add_argument("--config", default=None, help="path to config.yaml")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    print("briefing-bot sync: not available yet", file=sys.stderr)
    return 2
