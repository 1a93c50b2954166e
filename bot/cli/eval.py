"""`briefing-bot eval`: score the bot on a query file and list the failures (always exit 0)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from bot.search.evaluation import EvalFileError, format_report, load_eval, report_json, run_eval
from bot.search.index import SearchIndex
from bot.search.loading import load_index


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser("eval", help="score search quality on a query file")
    parser.add_argument("--config", default=None, help="path to config.yaml")
    parser.add_argument("queries", help="the evaluation YAML (e.g. eval/queries-public.yaml)")
    parser.add_argument("--content", default=None, help="use this content folder for every scope")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    try:
        evalset = load_eval(Path(args.queries))
        if args.content:
            index, problems = load_index(Path(args.content))
            if index is None:
                for line in problems:
                    print(line, file=sys.stderr)
                return 1
            indexes: dict[str, SearchIndex] = {name: index for name in evalset.scopes}
        else:
            from bot.search.evaluation import scope_indexes

            indexes = scope_indexes(evalset)
    except EvalFileError as exc:
        print(f"briefing-bot eval: {exc}", file=sys.stderr)
        return 1
    report = run_eval(evalset, indexes)
    if args.json:
        print(json.dumps(report_json(report), indent=2))
    else:
        print(format_report(report))
    return 0
