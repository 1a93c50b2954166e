"""Scoring the bot against a query file (schema in the header of eval/queries-public.yaml).

The evaluation goes through the same command functions as the Discord cog, and judges only
what a user would see: the top result's section and the excerpt shown for it.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from bot.content.model import Snapshot
from bot.ingest import parse_bluebook
from bot.search.answer import Answer
from bot.search.ask import TEXT_COMMANDS, answer
from bot.search.build import build_index
from bot.search.index import SearchIndex

_BOLD = re.compile(r"\*\*")


class EvalFileError(ValueError):
    """The query file is unreadable or does not follow the schema; message names the place."""


@dataclass(frozen=True, slots=True)
class EvalQuery:
    id: str
    scope: str
    command: str
    query: str
    kind: str
    expect: str  # "sections" or "none"
    targets: tuple[str, ...]
    must_contain: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class EvalSet:
    path: Path
    documents: dict[str, Path]  # doc id -> raw text file
    scopes: dict[str, tuple[str, ...]]
    queries: tuple[EvalQuery, ...]


@dataclass(frozen=True, slots=True)
class Outcome:
    query: EvalQuery
    answer: Answer
    passed: bool
    rank: int | None  # 1-based rank of the first result in targets, within the top 5
    contains: bool  # every must_contain string in the top excerpt
    elapsed_ms: float


@dataclass(frozen=True, slots=True)
class Metrics:
    n: int
    passed: int
    hit1: float
    hit3: float
    mrr5: float
    must_contain: float
    none_accuracy: float | None
    false_none: float | None
    pass_rate: float

    def to_json(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in self.__dataclass_fields__}


@dataclass(frozen=True)
class Report:
    total: Metrics
    by_kind: dict[str, Metrics]
    outcomes: tuple[Outcome, ...] = field(repr=False)

    @property
    def failures(self) -> list[Outcome]:
        return [o for o in self.outcomes if not o.passed]


def _need(mapping: Any, key: str, where: str) -> Any:
    if not isinstance(mapping, dict) or key not in mapping:
        raise EvalFileError(f"{where}: missing '{key}'")
    return mapping[key]


def load_eval(path: Path) -> EvalSet:
    try:
        raw = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise EvalFileError(f"{path}: cannot read: {exc}") from None
    except yaml.YAMLError as exc:
        raise EvalFileError(f"{path}: not valid YAML: {exc}") from None
    if not isinstance(raw, dict):
        raise EvalFileError(f"{path}: expected a mapping at the top level")
    if raw.get("version") != 1:
        raise EvalFileError(f"{path}: unsupported version {raw.get('version')!r} (expected 1)")
    base = Path(path).resolve().parent.parent
    documents: dict[str, Path] = {}
    for i, d in enumerate(raw.get("documents") or []):
        where = f"{path}: documents[{i}]"
        documents[str(_need(d, "doc", where))] = base / str(_need(d, "file", where))
    scopes = {str(k): tuple(str(x) for x in v or ()) for k, v in (raw.get("scopes") or {}).items()}
    for name, docs in scopes.items():
        for d in docs:
            if d not in documents:
                raise EvalFileError(f"{path}: scope '{name}' names unknown document '{d}'")
    queries = []
    for i, q in enumerate(raw.get("queries") or []):
        where = f"{path}: queries[{i}]"
        item = EvalQuery(
            id=str(_need(q, "id", where)),
            scope=str(_need(q, "scope", where)),
            command=str(q.get("command", "search")),
            query=str(_need(q, "query", where)),
            kind=str(q.get("kind", "")),
            expect=str(q.get("expect", "sections")),
            targets=tuple(str(t) for t in q.get("targets") or ()),
            must_contain=tuple(str(m) for m in q.get("must_contain") or ()),
        )
        if item.scope not in scopes:
            raise EvalFileError(f"{where} ({item.id}): unknown scope '{item.scope}'")
        if item.command not in TEXT_COMMANDS:
            raise EvalFileError(f"{where} ({item.id}): unknown command '{item.command}'")
        queries.append(item)
    return EvalSet(Path(path), documents, scopes, tuple(queries))


def scope_indexes(evalset: EvalSet) -> dict[str, SearchIndex]:
    """One index per scope, from the raw text files ingested on the fly."""
    parsed: dict[str, Any] = {}
    out: dict[str, SearchIndex] = {}
    for name, doc_ids in evalset.scopes.items():
        docs = []
        for d in doc_ids:
            if d not in parsed:
                file = evalset.documents[d]
                try:
                    text = file.read_text(encoding="utf-8")
                except OSError as exc:
                    raise EvalFileError(f"{file}: cannot read: {exc}") from None
                parsed[d] = parse_bluebook(text, d)
            docs.append(parsed[d])
        out[name] = build_index(Snapshot.build(tuple(docs)))
    return out


def clean(text: str) -> str:
    """Compare as the schema says: case-insensitive, whitespace collapsed, no bold markers."""
    return " ".join(_BOLD.sub("", text).lower().split())


def _in_targets(key: str, targets: tuple[str, ...]) -> bool:
    return any(key == t or key.startswith(t + "/") for t in targets)


def judge(q: EvalQuery, ans: Answer, elapsed_ms: float) -> Outcome:
    if q.expect == "none":
        return Outcome(q, ans, ans.status == "none", None, True, elapsed_ms)
    rank = None
    if ans.status in ("ok", "choices"):
        for i, r in enumerate(ans.results[:5], start=1):
            if _in_targets(r.key, q.targets):
                rank = i
                break
    top = ans.results[0] if ans.status in ("ok", "choices") and ans.results else None
    contains = top is not None and all(clean(m) in clean(top.excerpt) for m in q.must_contain)
    passed = top is not None and _in_targets(top.key, q.targets) and contains
    return Outcome(q, ans, passed, rank, contains, elapsed_ms)


def _rate(items: list[Outcome], pred: Callable[[Outcome], bool]) -> float:
    return sum(1 for o in items if pred(o)) / len(items) if items else 0.0


def _metrics(outcomes: list[Outcome]) -> Metrics:
    answerable = [o for o in outcomes if o.query.expect != "none"]
    unanswerable = [o for o in outcomes if o.query.expect == "none"]
    na = len(answerable) or 1
    return Metrics(
        n=len(outcomes),
        passed=sum(1 for o in outcomes if o.passed),
        hit1=_rate(answerable, lambda o: o.rank == 1),
        hit3=_rate(answerable, lambda o: o.rank is not None and o.rank <= 3),
        mrr5=sum(1.0 / o.rank for o in answerable if o.rank) / na if answerable else 0.0,
        must_contain=_rate(answerable, lambda o: o.contains),
        none_accuracy=_rate(unanswerable, lambda o: o.passed) if unanswerable else None,
        false_none=_rate(answerable, lambda o: o.answer.status == "none") if answerable else None,
        pass_rate=_rate(outcomes, lambda o: o.passed),
    )


def run_eval(evalset: EvalSet, indexes: dict[str, SearchIndex]) -> Report:
    outcomes = []
    for q in evalset.queries:
        index = indexes[q.scope]
        started = time.perf_counter()
        ans = answer(index, q.command, q.query)
        outcomes.append(judge(q, ans, (time.perf_counter() - started) * 1000))
    kinds: dict[str, list[Outcome]] = {}
    for o in outcomes:
        kinds.setdefault(o.query.kind or "-", []).append(o)
    return Report(
        total=_metrics(outcomes),
        by_kind={k: _metrics(v) for k, v in sorted(kinds.items())},
        outcomes=tuple(outcomes),
    )


def _pct(v: float | None) -> str:
    return "   -  " if v is None else f"{100 * v:5.1f}%"


def format_report(report: Report) -> str:
    lines = [
        f"{'':14} {'n':>3} {'pass':>7} {'hit@1':>7} {'hit@3':>7} {'MRR@5':>6} "
        f"{'must':>7} {'none-acc':>8} {'false-none':>10}"
    ]
    rows = [("TOTAL", report.total), *report.by_kind.items()]
    for name, m in rows:
        lines.append(
            f"{name:14} {m.n:3d} {_pct(m.pass_rate):>7} {_pct(m.hit1):>7} {_pct(m.hit3):>7} "
            f"{m.mrr5:6.3f} {_pct(m.must_contain):>7} {_pct(m.none_accuracy):>8} "
            f"{_pct(m.false_none):>10}"
        )
    fails = report.failures
    lines.append("")
    lines.append(f"{len(fails)} failing quer{'y' if len(fails) == 1 else 'ies'}")
    for o in fails:
        top = o.answer.results[0].key if o.answer.results else "-"
        lines.append(
            f"  {o.query.id} [{o.query.kind}] /{o.query.command} {o.query.query!r}: "
            f"status {o.answer.status}, top {top}, expected "
            f"{'none' if o.query.expect == 'none' else ', '.join(o.query.targets[:2])}"
            f"{'' if o.contains else ' (excerpt lacks a must_contain string)'}"
        )
    return "\n".join(lines)


def report_json(report: Report) -> dict[str, Any]:
    return {
        "total": report.total.to_json(),
        "by_kind": {k: m.to_json() for k, m in report.by_kind.items()},
        "failures": [
            {
                "id": o.query.id,
                "query": o.query.query,
                "status": o.answer.status,
                "top": o.answer.results[0].key if o.answer.results else None,
                "targets": list(o.query.targets),
            }
            for o in report.failures
        ],
        "queries": [
            {
                "id": o.query.id,
                "passed": o.passed,
                "rank": o.rank,
                "status": o.answer.status,
                "elapsed_ms": round(o.elapsed_ms, 3),
            }
            for o in report.outcomes
        ],
    }
