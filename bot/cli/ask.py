"""`briefing-bot ask`: put one question (or a stream of them) to the bot without Discord."""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from pathlib import Path
from typing import Any

from bot.search.ask import answer, fact_lookup, summit_timeline, trade_figures
from bot.search.factview import FactView
from bot.search.index import SearchIndex
from bot.search.loading import default_content_dir, load_index

COMMANDS = ("section", "search", "summit", "trade", "fact")


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser("ask", help="answer a query from the command line")
    parser.add_argument("--config", default=None, help="path to config.yaml")
    parser.add_argument("--content", default=None, help="content folder (default: config)")
    parser.add_argument("--command", choices=COMMANDS, default="search")
    parser.add_argument("--json", action="store_true", help="print JSON (one object a line)")
    parser.add_argument("query", help="the query; '-' reads one query per line from stdin")
    parser.set_defaults(handler=run)


def _fact_result(f: FactView, excerpt: str | None = None) -> dict[str, Any]:
    return {
        "document": f.document,
        "section_id": f.section_id,
        "title": f.text,
        "breadcrumb": f.breadcrumb,
        "score": 1.0,
        "excerpt": excerpt if excerpt is not None else f.quote,
        "date": f.date,
        "place": f.place,
        "figure": f.figure,
    }


def respond(index: SearchIndex, command: str, query: str) -> dict[str, Any]:
    """The JSON object for one query (fields documented in docs/search.md)."""
    started = time.perf_counter()
    out: dict[str, Any]
    if command in ("search", "section"):
        out = answer(index, command, query).to_json()
    elif command == "summit":
        t = summit_timeline(index, query)
        out = {
            "status": t.status,
            "message": t.message,
            "results": [_fact_result(e) for e in t.events],
        }
    elif command == "trade":
        tr = trade_figures(index, query)
        out = {
            "status": tr.status,
            "message": tr.message,
            "results": [_fact_result(f.fact, f.excerpt) for f in tr.figures],
        }
    else:
        fa = fact_lookup(index, query, random.Random() if not query.strip() else None)
        facts = [fa.fact, *fa.alternatives] if fa.fact else []
        out = {
            "status": fa.status,
            "message": fa.message,
            "results": [_fact_result(f) for f in facts],
        }
    out["query"] = query
    out["command"] = command
    out["elapsed_ms"] = round((time.perf_counter() - started) * 1000, 3)
    keys = ("query", "command", "status", "results", "message", "elapsed_ms")
    return {k: out.get(k) for k in keys} | {k: v for k, v in out.items() if k not in keys}


def render(obj: dict[str, Any]) -> str:
    """Roughly what a Discord user would see, for a terminal."""
    lines = []
    status = obj["status"]
    if status == "error":
        return f"⚠ {obj['message']}"
    if status == "none":
        lines.append(f"Nothing relevant found for “{obj['query']}”.")
        if obj.get("message"):
            lines.append(obj["message"])
        if obj.get("suggestions"):
            lines.append("Did you mean: " + " · ".join(obj["suggestions"]))
        return "\n".join(lines)
    if status == "choices":
        lines.append("Several close matches (best first):")
    for i, r in enumerate(obj["results"], start=1):
        head = r["breadcrumb"] if obj["command"] in ("search", "section") else r["title"]
        lines.append(f"{i}. {head}")
        extra = ", ".join(str(r[k]) for k in ("date", "place", "figure") if r.get(k))
        if extra:
            lines.append(f"   ({extra})")
        if r.get("excerpt"):
            lines.extend("   " + line for line in r["excerpt"].splitlines())
        lines.append("")
    return "\n".join(lines).rstrip()


def run(args: argparse.Namespace) -> int:
    try:
        content = Path(args.content) if args.content else default_content_dir(args.config)
    except Exception as exc:  # the config module reports every problem in its message
        print(f"briefing-bot ask: bad config: {exc}", file=sys.stderr)
        return 1
    index, problems = load_index(content)
    if index is None:
        for line in problems:
            print(line, file=sys.stderr)
        return 1
    if args.query == "-":
        for line in sys.stdin:
            query = line.rstrip("\n")
            if not query.strip():
                continue
            print(json.dumps(respond(index, args.command, query), ensure_ascii=False), flush=True)
        return 0
    obj = respond(index, args.command, args.query)
    if args.json:
        print(json.dumps(obj, ensure_ascii=False, indent=2))
    else:
        print(render(obj))
    return 0
