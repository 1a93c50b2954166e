"""`briefing-bot validate [CONTENT_DIR]`: check content before the bot ever serves it.

Editors run this after touching content, so it prints every problem at once as
`path:line: message` (a format editors and CI annotators can jump to) and exits 1 on any
error; warnings alone exit 0.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from bot.config import ConfigError, load_config
from bot.content import load_content


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "validate",
        help="check a content folder and report every problem as path:line: message",
        description="Check a content folder (or one document folder) and report every problem.",
    )
    parser.add_argument(
        "content_dir",
        nargs="?",
        default=None,
        metavar="CONTENT_DIR",
        help="content folder (default: content.path from the config, else ./content)",
    )
    parser.add_argument("--config", default=None, help="path to config.yaml")
    parser.set_defaults(handler=run)


def _content_dir(args: argparse.Namespace) -> Path | None:
    if args.content_dir:
        return Path(args.content_dir)
    try:
        return Path(load_config(args.config, check_paths=False).content.path)
    except ConfigError as exc:
        for problem in exc.problems:
            print(f"briefing-bot validate: {problem}", file=sys.stderr)
        return None


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def run(args: argparse.Namespace) -> int:
    root = _content_dir(args)
    if root is None:
        return 2
    if not root.is_dir():
        what = "is not a folder" if root.exists() else "not found"
        print(f"briefing-bot validate: content folder {what}: {root}", file=sys.stderr)
        return 2
    result = load_content(root)
    for problem in result.errors:
        print(problem)
    for problem in result.warnings:
        print(f"{problem.path}:{problem.line}: warning: {problem.message}")
    if result.snapshot is None:
        print(
            f"{_plural(len(result.errors), 'error')}, {_plural(len(result.warnings), 'warning')}",
            file=sys.stderr,
        )
        return 1
    snap = result.snapshot
    sections = sum(len(d.sections) for d in snap.documents)
    facts = sum(len(d.facts) for d in snap.documents)
    print(
        f"ok: {_plural(len(snap.documents), 'document')}, {_plural(sections, 'section')}, "
        f"{_plural(facts, 'fact')}, content hash {snap.short_hash}"
    )
    return 0
