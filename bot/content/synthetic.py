"""A large, valid, synthetic content folder (default 50,000 sections), seeded and cached.

For load tests of loading, indexing and reload (bench/reload.py and the reload tests): the
same seed always gives the same files, and a finished folder is kept under the temporary
directory (a `.complete` marker, which the loader ignores like every dot-file) so only the
first run pays for writing 50,000 files.

    python -m bot.content.synthetic [--sections 50000] [--seed 1] [--out DIR]
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import sys
import tempfile
from pathlib import Path

# Bump when the generated files change shape, so stale caches are not reused.
CORPUS_VERSION = 2
SECTIONS_PER_DOCUMENT = 10_000
CHILDREN_PER_ROOT = 99  # each top-level section has this many children
FACTS_PER_ROOT = 4

_WORDS = [
    "japan",
    "russia",
    "cooperation",
    "summit",
    "economic",
    "energy",
    "security",
    "dialogue",
    "maritime",
    "trade",
    "investment",
    "fisheries",
    "territory",
    "treaty",
    "minister",
    "president",
    "leaders",
    "visit",
    "agreement",
    "exchange",
    "region",
    "development",
    "arctic",
    "culture",
    "youth",
    "medical",
    "urban",
    "environment",
    "talks",
    "defense",
    "strategic",
    "partnership",
    "sanctions",
    "growth",
    "stability",
    "negotiation",
    "islands",
    "joint",
    "project",
    "people",
    "tourism",
    "technology",
    "infrastructure",
    "agriculture",
    "industry",
    "health",
    "science",
    "digital",
    "port",
    "railway",
    "airport",
    "customs",
    "border",
    "council",
    "forum",
]


def _sentence(rng: random.Random, words: int) -> str:
    picked = [rng.choice(_WORDS) for _ in range(words)]
    return " ".join(picked).capitalize() + "."


def _paragraph(rng: random.Random) -> str:
    return " ".join(_sentence(rng, rng.randint(8, 18)) for _ in range(rng.randint(2, 5)))


def _write(path: Path, text: str) -> None:
    path.write_text(text, encoding="utf-8")


def _section_file(
    rng: random.Random, section_id: str, title: str, label: str, order: int
) -> tuple[str, str]:
    """The Markdown of one section and a sentence from it (for a fact's quote)."""
    paragraphs = [_paragraph(rng) for _ in range(rng.randint(1, 3))]
    quote = paragraphs[0].split(". ")[0].rstrip(".")
    footnote = ""
    if order % 7 == 0:
        paragraphs[-1] += "[^1]"
        footnote = f"\n\n[^1]: Note {order}: {_sentence(rng, 8)}"
    caption = f"\n\n> Photo: {_sentence(rng, 6)}" if order % 11 == 0 else ""
    tags = rng.sample(["trade", "security", "economy", "culture", "energy"], 2)
    text = (
        "---\n"
        f"id: {section_id}\n"
        f"title: {title}\n"
        f"label: {label!s}\n"
        f"order: {order}\n"
        f"aliases: [{title} alias]\n"
        f"tags: [{', '.join(tags)}]\n"
        "---\n" + "\n\n".join(paragraphs) + caption + footnote + "\n"
    )
    return text, quote


def generate(out: Path, sections: int = 50_000, seed: int = 1) -> Path:
    """Write a content folder with `sections` sections into `out` (must not exist)."""
    rng = random.Random(seed)
    out.mkdir(parents=True)
    remaining = sections
    doc_number = 0
    while remaining > 0:
        doc_number += 1
        count = min(remaining, SECTIONS_PER_DOCUMENT)
        remaining -= count
        doc_id = f"corpus-{doc_number:02d}"
        folder = out / doc_id
        (folder / "sections").mkdir(parents=True)
        _write(
            folder / "document.yaml",
            f"id: {doc_id}\ntitle: Generated Corpus {doc_number}\nedition: 2020\n"
            f"chapter: Chapter {doc_number}\nsection: Generated\n"
            "source_url: https://example.invalid/corpus\nlanguage: en\n",
        )
        facts = ["facts:"]
        root_id = ""
        for i in range(count):
            order = i + 1
            if i % (CHILDREN_PER_ROOT + 1) == 0:
                word = rng.choice(_WORDS)
                number = i // (CHILDREN_PER_ROOT + 1) + 1
                title = f"Topic {number:03d} {word.capitalize()}"
                root_id = f"topic-{number:03d}-{word}"
                section_id, label, roots_child = root_id, str(number), 0
            else:
                roots_child = i % (CHILDREN_PER_ROOT + 1)
                word = rng.choice(_WORDS)
                title = f"Item {roots_child:03d} {word.capitalize()}"
                section_id = f"{root_id}/item-{roots_child:03d}-{word}"
                label = f"({roots_child})"
            text, quote = _section_file(rng, section_id, title, label, order)
            _write(folder / "sections" / f"{order:05d}.md", text)
            if roots_child < FACTS_PER_ROOT:
                facts.append(
                    f"  - id: fact-{order:05d}\n"
                    f"    section: {section_id}\n"
                    f"    text: Generated fact {order} about {word}.\n"
                    f'    quote: "{quote}"\n'
                    f"    date: 2019-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}\n"
                    f"    tags: [{rng.choice(['trade', 'security', 'economy'])}]"
                )
        _write(folder / "facts.yaml", "\n".join(facts) + "\n")
    return out


def cache_root() -> Path:
    return Path(os.environ.get("BRIEFING_CORPUS_CACHE", tempfile.gettempdir())) / (
        "briefing-bot-corpus"
    )


def ensure_corpus(sections: int = 50_000, seed: int = 1, cache: Path | None = None) -> Path:
    """The cached folder for (sections, seed), generating it on first use.

    Written to a temporary sibling and renamed, so a run killed half-way never leaves a
    folder that looks finished.
    """
    base = cache or cache_root()
    target = base / f"v{CORPUS_VERSION}-{sections}-s{seed}"
    if (target / ".complete").exists():
        return target
    base.mkdir(parents=True, exist_ok=True)
    if target.exists():
        shutil.rmtree(target)
    work = Path(tempfile.mkdtemp(prefix=f".{target.name}-", dir=base))
    try:
        generate(work / "content", sections, seed)
        (work / "content" / ".complete").write_text("ok\n", encoding="utf-8")
        os.replace(work / "content", target)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return target


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sections", type=int, default=50_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, default=None, help="write here instead of the cache")
    args = parser.parse_args(argv)
    if args.out is not None:
        path = generate(args.out, args.sections, args.seed)
    else:
        path = ensure_corpus(args.sections, args.seed)
    print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
