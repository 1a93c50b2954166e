"""`briefing-bot ingest RAW.txt --out content/DOC`: raw Bluebook text -> content folder."""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path
from typing import Any

from bot.ingest.errors import IngestError
from bot.ingest.parse import parse_with_warnings
from bot.ingest.render import render
from bot.ingest.write import RefusedError, write_folder

_DOC_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "ingest",
        help="turn raw Bluebook text into a content folder",
        description="Turn raw Diplomatic Bluebook text into a content folder "
        "(document.yaml, sections/*.md, facts.yaml if missing, .ingest.json).",
    )
    parser.add_argument("raw", metavar="RAW.txt", help="raw text copied from the Bluebook")
    parser.add_argument("--out", required=True, help="content folder to write, e.g. content/DOC")
    parser.add_argument(
        "--id", dest="doc_id", default=None, help="document id (default: --out name)"
    )
    parser.add_argument("--force", action="store_true", help="overwrite files edited by hand")
    parser.add_argument("--source-url", default="", help="URL of the page the text came from")
    parser.add_argument("--config", default=None, help="path to config.yaml (not used by ingest)")
    parser.set_defaults(handler=run)


def _fail(message: str, code: int) -> int:
    print(f"briefing-bot ingest: {message}", file=sys.stderr)
    return code


def run(args: argparse.Namespace) -> int:
    raw_path = Path(args.raw)
    out = Path(args.out)
    doc_id = args.doc_id if args.doc_id is not None else out.resolve().name
    if not _DOC_ID.match(doc_id):
        return _fail(
            f"invalid document id {doc_id!r}: use lower-case letters, digits and '-' (--id)", 2
        )
    try:
        source = raw_path.read_bytes()
    except FileNotFoundError:
        return _fail(f"{raw_path}: no such file", 2)
    except OSError as exc:
        return _fail(f"{raw_path}: cannot read ({exc.strerror or exc})", 2)
    try:
        text = source.decode("utf-8")
    except UnicodeDecodeError as exc:
        return _fail(f"{raw_path}: not UTF-8 text (bad byte at offset {exc.start})", 2)
    try:
        result = parse_with_warnings(text, doc_id, args.source_url)
        removed = write_folder(out, render(result.document), source, force=args.force)
    except RefusedError as exc:
        return _fail(str(exc), 1)
    except IngestError as exc:
        return _fail(f"{raw_path}: {exc}", 1)
    except OSError as exc:
        return _fail(f"cannot write {out}: {exc.strerror or exc}", 1)
    for warning in result.warnings:
        print(f"briefing-bot ingest: warning: {raw_path}: {warning}", file=sys.stderr)
    doc = result.document
    notes = sum(len(s.footnotes) for s in doc.sections)
    photos = sum(len(s.captions) for s in doc.sections)
    extra = f", removed {len(removed)} stale file(s)" if removed else ""
    print(
        f"ingested {doc.id}: {len(doc.sections)} sections, {notes} footnotes, "
        f"{photos} captions -> {out}{extra}"
    )
    return 0
