"""Search benchmark: our index vs SQLite FTS5 bm25() vs a naive rapidfuzz scan.

Builds a seeded synthetic corpus (~50,000 sections, ~30 MB) in memory from the bundled
content, with misspelled and shuffled words and random figures, then reports build time,
p50/p99 latency and peak RSS for search, section lookup and autocomplete, and the same on the
bundled content itself. See docs/search.md.

    python bench/search.py [--sections 50000] [--seed 1] [--queries 300] [--skip-large]
"""

from __future__ import annotations

import argparse
import gc
import random
import resource
import sqlite3
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import psutil
from rapidfuzz import fuzz, process

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.content import load_content  # noqa: E402
from bot.content.memory import (  # noqa: E402
    GC_THRESHOLD,
    no_collection_pauses,
    return_free_memory,
)
from bot.content.model import Document, Section, Snapshot  # noqa: E402
from bot.search import build_index  # noqa: E402
from bot.search.ask import find_section, search  # noqa: E402
from bot.search.autocomplete import section_choices  # noqa: E402

CHOICES = {"limit": 25, "width": 100}  # Discord's autocomplete limits

SECTIONS_PER_DOC = 500


def rss_mb() -> float:
    return psutil.Process().memory_info().rss / 2**20


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def misspell(word: str, rng: random.Random) -> str:
    if len(word) < 4:
        return word
    i = rng.randrange(1, len(word) - 1)
    op = rng.randrange(3)
    if op == 0:
        return word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    if op == 1:
        return word[:i] + word[i + 1 :]
    return word[:i] + rng.choice("aeiourst") + word[i:]


def perturb(text: str, rng: random.Random, rate: float = 0.04) -> str:
    words = text.split(" ")
    for i, w in enumerate(words):
        r = rng.random()
        if r < rate and w.isalpha():
            words[i] = misspell(w, rng)
        elif r < rate * 1.5 and w[:1].isdigit():
            words[i] = str(rng.randrange(1, 2000))
        elif r < rate * 2 and i + 1 < len(words):
            words[i], words[i + 1] = words[i + 1], words[i]
    return " ".join(words)


def synthetic(base: Snapshot, n: int, seed: int) -> Snapshot:
    rng = random.Random(seed)
    sources = [s for s in base.sections() if s.paragraphs]
    vocab = sorted({w for s in sources for w in s.title.split() if w.isalpha()})
    docs = []
    for d in range(0, n, SECTIONS_PER_DOC):
        doc_id = f"synthetic-{d // SECTIONS_PER_DOC:04d}"
        sections = []
        for k in range(min(SECTIONS_PER_DOC, n - d)):
            src = rng.choice(sources)
            title = f"{perturb(src.title, rng, 0.1)} {rng.choice(vocab)} {d + k}"
            sections.append(
                Section(
                    id=f"s{k}",
                    document_id=doc_id,
                    label=str(k + 1),
                    title=title,
                    level=1,
                    order=k,
                    parent_id=None,
                    paragraphs=(perturb(rng.choice(src.paragraphs), rng),),  # ~600 chars a section
                )
            )
        docs.append(Document(doc_id, "Synthetic", 2020, "", "", "", "en", tuple(sections)))
    return Snapshot(tuple(docs), content_hash=f"synthetic-{seed}-{n}")


def make_queries(snapshot: Snapshot, count: int, seed: int) -> tuple[list[str], list[str]]:
    rng = random.Random(seed + 1)
    sections = [s for s in snapshot.sections() if s.paragraphs]
    texts, titles = [], []
    for _ in range(count):
        s = rng.choice(sections)
        words = [w.strip(".,()“”'") for w in rng.choice(s.paragraphs).split()]
        words = [w for w in words if len(w) > 3]
        k = rng.randint(1, 3)
        start = rng.randrange(max(1, len(words) - k))
        q = " ".join(words[start : start + k]) or "russia"
        if rng.random() < 0.3:
            q = misspell(q, rng)
        texts.append(q)
        titles.append(s.title[: rng.randint(3, max(3, min(len(s.title), 20)))])
    return texts, titles


def timed(fn: Callable[[str], object], queries: Sequence[str]) -> tuple[float, float]:
    times = []
    for q in queries:
        t = time.perf_counter()
        fn(q)
        times.append((time.perf_counter() - t) * 1000)
    times.sort()
    p99 = times[min(len(times) - 1, int(len(times) * 0.99))]
    return statistics.median(times), p99


def fts5(snapshot: Snapshot) -> tuple[float, Callable[[str], object], Callable[[str], object]]:
    t = time.perf_counter()
    db = sqlite3.connect(":memory:")
    db.execute("CREATE VIRTUAL TABLE u USING fts5(title, body, key UNINDEXED)")
    db.execute("CREATE VIRTUAL TABLE t USING fts5(title, key UNINDEXED, tokenize='trigram')")
    rows, trows = [], []
    for s in snapshot.sections():
        trows.append((s.title, s.key))
        for p in (*s.paragraphs, *(f.text for f in s.footnotes), *s.captions):
            rows.append((s.title, p, s.key))
    db.executemany("INSERT INTO u VALUES (?, ?, ?)", rows)
    db.executemany("INSERT INTO t VALUES (?, ?)", trows)
    db.commit()
    build = time.perf_counter() - t

    def q_search(q: str) -> object:
        terms = " OR ".join('"' + w.replace('"', "") + '"' for w in q.split() if w)
        sql = "SELECT key, snippet(u, 1, '**', '**', '…', 40) FROM u WHERE u MATCH ? "
        return db.execute(sql + "ORDER BY bm25(u) LIMIT 5", (terms,)).fetchall()

    def q_title(q: str) -> object:
        term = '"' + q.replace('"', "") + '"'
        if len(q) < 3:
            return []
        sql = "SELECT key, title FROM t WHERE t MATCH ? ORDER BY bm25(t) LIMIT 25"
        return db.execute(sql, (term,)).fetchall()

    return build, q_search, q_title


def run(label: str, snapshot: Snapshot, texts: list[str], titles: list[str], scan: int) -> None:
    print(
        f"\n== {label}: {sum(1 for _ in snapshot.sections())} sections, "
        f"{sum(len(s.text) for s in snapshot.sections()) / 2**20:.1f} MB text"
    )
    gc.collect()
    before = rss_mb()
    t = time.perf_counter()
    with no_collection_pauses():  # as the bot builds it: then collections skip the index
        index = build_index(snapshot)
    return_free_memory()  # as the bot does after a build
    build = time.perf_counter() - t
    mem = rss_mb() - before
    ours = {
        "search": timed(lambda q: search(index, q), texts),
        "section": timed(lambda q: find_section(index, q), titles),
        "autocomplete": timed(lambda q: section_choices(index, q, **CHOICES), titles),
    }
    print(f"ours   build {build:6.2f} s  index memory {mem:6.1f} MB  peak RSS {peak_mb():6.1f} MB")
    fbuild, fsearch, ftitle = fts5(snapshot)
    fts = {
        "search": timed(fsearch, texts),
        "section": timed(ftitle, titles),
        "autocomplete": timed(ftitle, titles),
    }
    print(f"fts5   build {fbuild:6.2f} s  peak RSS {peak_mb():6.1f} MB")
    units = [p for s in snapshot.sections() for p in s.paragraphs]
    names = [s.title for s in snapshot.sections()]
    sample = texts[:scan]
    naive = {
        "search": timed(
            lambda q: process.extract(q, units, scorer=fuzz.partial_ratio, limit=5), sample
        ),
        "section": timed(
            lambda q: process.extract(q, names, scorer=fuzz.WRatio, limit=5), titles[:scan]
        ),
        "autocomplete": timed(
            lambda q: process.extract(q, names, scorer=fuzz.WRatio, limit=25), titles[:scan]
        ),
    }
    print(
        f"{'':13} {'ours p50':>9} {'ours p99':>9} {'fts5 p50':>9} {'fts5 p99':>9} "
        f"{'scan p50':>9} {'scan p99':>9} {'p99 ours/fts5':>14} {'p99 ours/scan':>14}"
    )
    for name in ours:
        o, f, n = ours[name], fts[name], naive[name]
        print(
            f"{name:13} {o[0]:8.3f}m {o[1]:8.3f}m {f[0]:8.3f}m {f[1]:8.3f}m "
            f"{n[0]:8.3f}m {n[1]:8.3f}m {o[1] / f[1]:14.2f} {o[1] / n[1]:14.3f}"
        )
    print(f"(latencies in ms; naive scan sampled on {len(sample)} queries)")
    repeats = len(titles) - len(set(titles))
    print(f"(autocomplete caches answers per prefix: {repeats} of {len(titles)} prefixes repeat)")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sections", type=int, default=50_000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--queries", type=int, default=300)
    ap.add_argument("--scan", type=int, default=20, help="queries for the naive scan")
    ap.add_argument("--content", default=str(ROOT / "content"))
    ap.add_argument("--skip-large", action="store_true")
    args = ap.parse_args()
    gc.set_threshold(*GC_THRESHOLD)  # the bot's collector settings (`briefing-bot run`)
    loaded = load_content(Path(args.content))
    if loaded.snapshot is None:
        for p in loaded.errors:
            print(p, file=sys.stderr)
        return 1
    base = loaded.snapshot
    texts, titles = make_queries(base, args.queries, args.seed)
    run("bundled content", base, texts, titles, args.scan)
    if not args.skip_large:
        t = time.perf_counter()
        big = synthetic(base, args.sections, args.seed)
        print(
            f"\n(synthetic corpus generated in {time.perf_counter() - t:.1f} s, seed {args.seed})"
        )
        texts, titles = make_queries(big, args.queries, args.seed)
        run("synthetic", big, texts, titles, args.scan)
    return 0


if __name__ == "__main__":
    sys.exit(main())
