"""The search core per query in a tight loop: what an answer adds to discord.py's own work.

    python bench/core.py

On the content bench/e2e.py serves (the bundled document plus the raw samples), with every
/search and /section text of the public and held-out evaluation sets, prints the CPU time
per query (best of 7 passes, each pass every query once) of

  search          `bot.search.ask.search`: everything per query is worked out afresh (the
                  bot's reply cache serves a repeated query); what the index derives from
                  the content (analysed passages, term sets, word concepts) stays, as it
                  does in the bot
  find_section    `bot.search.ask.find_section`, the same way
  search embed    rendering an answer (`bot.app.render.embeds.search_embed`)

In the running bot the same calls cost about 1.5-3 times as much (`python bench/e2e.py
--time-core` measures them there): between two calls discord.py runs and the interpreter's
caches are cold again. `--code DIR` runs another checkout's `bot/` (e.g. a `git worktree` of
an older commit) on the same content and queries, to compare two versions on one machine; a
core that kept answers per query has those emptied before each query.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent

PASSES = 7


def per_query_us(
    fn: Callable[[str], object], queries: Sequence[str], passes: int = PASSES
) -> float:
    """Best pass's CPU time per query, in microseconds."""
    best = float("inf")
    for _ in range(passes):
        started = time.process_time()
        for q in queries:
            fn(q)
        best = min(best, time.process_time() - started)
    return best / len(queries) * 1e6


def forget_queries(index: Any) -> None:
    """Empty what an older core kept per query (plans, concept scores): the reply cache in
    front of the core serves repeats, so every query the core sees is new."""
    for name in ("query_cache", "alt_scores"):
        cache = getattr(index, name, None)
        if cache is not None:
            cache.clear()


def documents_of(index: Any, doc_ids: Sequence[str]) -> list[Any]:
    docs = (index.snapshot.document(d) for d in dict.fromkeys(doc_ids))
    return [d for d in docs if d is not None]


def _entry_points() -> tuple[Callable[..., Any], Callable[..., Any], Callable[..., Any]]:
    """(search_embed, find_section, search) of the checkout on the path: the feature layout,
    or the one before it (`bot/commands`, `bot/render`; 4910523 and older)."""
    try:
        from bot.app.render.embeds import search_embed
        from bot.search.ask import find_section, search
    except ImportError:
        from bot.commands.search import search  # type: ignore[no-redef]
        from bot.commands.section import find_section  # type: ignore[no-redef]
        from bot.render.embeds import search_embed  # type: ignore[no-redef]
    return search_embed, find_section, search


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--passes", type=int, default=PASSES, help="best of this many passes")
    parser.add_argument("--code", default=None, help="the checkout whose bot/ to time")
    args = parser.parse_args(argv)
    code = Path(args.code).resolve() if args.code else REPO
    if not (code / "bot").is_dir():
        parser.error(f"{code} has no bot/ folder")
    sys.path.insert(0, str(REPO))
    from bench.inputs import build_content, load_queries  # the content and queries: ours

    sys.path.insert(0, str(code))  # bot: from the checkout being timed
    search_embed, find_section, search = _entry_points()
    from bot.content.loader import load_content
    from bot.search import build_index

    passes = max(1, min(args.passes, 50))
    queries = load_queries()
    with tempfile.TemporaryDirectory() as tmp:
        snapshot = load_content(build_content(Path(tmp) / "content")).snapshot
    if snapshot is None:
        print("the content did not load", file=sys.stderr)
        return 1
    index = build_index(snapshot)
    texts, titles = queries["search"], queries["section"]
    answers = [search(index, q) for q in texts]
    shown = {
        str(i): (a, documents_of(index, [r.document for r in a.results]))
        for i, a in enumerate(answers)
        if a.results
    }

    def new_search(q: str) -> object:
        forget_queries(index)
        return search(index, q)

    def new_section(q: str) -> object:
        forget_queries(index)
        return find_section(index, q)

    rows = [
        ("search", per_query_us(new_search, texts, passes)),
        ("find_section", per_query_us(new_section, titles, passes)),
    ]
    embed_us = per_query_us(lambda i: search_embed(*shown[i]), list(shown), passes)
    rows.append(("search embed", embed_us))
    print(
        f"{len(texts)} search and {len(titles)} section texts, {index.n_units} passages; "
        f"CPU time per query, best of {passes} passes"
    )
    for name, us in rows:
        print(f"  {name:<20}{us:8.1f} us")
    return 0


if __name__ == "__main__":
    sys.exit(main())
