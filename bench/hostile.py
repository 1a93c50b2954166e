"""Time and extra memory to refuse hostile content, against loading good content in the same run.

    python bench/hostile.py

Each case runs in its own fresh interpreter (so peak memory is its own): it imports the
loader, notes its resident memory, then times one `load_content` (or `load_config`) and
reports the wall time and the peak resident memory added (VmHWM after minus VmRSS before,
from /proc). Cases:

  good content         the bundled content as shipped (the baseline)
  alias bomb (facts)   the bundled content with a ~350-byte "billion laughs" as facts.yaml
  alias bomb (config)  a config file holding the same bomb
  FIFO as facts.yaml   the bundled content with facts.yaml replaced by a named pipe
  5 MB YAML: parse     `load_yaml` of a 5 MB facts.yaml with '*' in its text (scan included)
  5 MB YAML: scan      the alias scan alone on that text (what refusing aliases adds; a text
                       with neither '&' nor '*' skips it)

Targets: a hostile case refuses in under 1 s with under 50 MB added. Linux only (/proc).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
TIME_TARGET_S = 1.0
MEMORY_TARGET_MB = 50.0

CHILD = r"""
import json, sys, time
from pathlib import Path
sys.path.insert(0, sys.argv[1])
from bot.config import ConfigError, load_config
from bot.content import load_content
from bot.content.yamlpos import load_yaml
from bot.yamlsafe import refuse_references

def status(field):
    for line in open("/proc/self/status"):
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024

kind, path = sys.argv[2], Path(sys.argv[3])
before = status("VmRSS")
started = time.perf_counter()
if kind in ("parse", "scan"):
    text = path.read_text(encoding="utf-8")
    before = status("VmRSS")
    started = time.perf_counter()
    (load_yaml if kind == "parse" else refuse_references)(text)
    first = "ok"
elif kind == "config":
    try:
        load_config(path, check_paths=False)
        first = "ok"
    except ConfigError as exc:
        first = exc.problems[0]
else:
    result = load_content(path)
    first = str(result.errors[0]) if result.errors else "ok"
elapsed = time.perf_counter() - started
print(json.dumps({"s": elapsed, "mb": status("VmHWM") - before, "first": first}))
"""


def laughs(levels: int = 9) -> str:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for level in range(1, levels):
        name, previous = chr(ord("a") + level), chr(ord("a") + level - 1)
        lines.append(f"{name}: &{name} [" + ",".join([f"*{previous}"] * 9) + "]")
    return "\n".join(lines) + "\n"


def big_facts() -> str:
    entry = (
        "  - id: fact-{n}\n    section: russia\n"
        '    text: "Fact {n} * about Russia, with enough words to be realistic."\n'
        '    quote: "Russia"\n'
    )
    parts = ["facts:\n"]
    size, n = 0, 0
    while size < 5 * 1024 * 1024 - 200:
        part = entry.format(n=n)
        parts.append(part)
        size += len(part)
        n += 1
    return "".join(parts)


def run_case(kind: str, path: Path) -> dict[str, float | str]:
    out = subprocess.run(
        [sys.executable, "-c", CHILD, str(REPO), kind, str(path)],
        capture_output=True,
        text=True,
        timeout=600,
        env={**os.environ, "OPENBLAS_NUM_THREADS": "1"},
    )
    if out.returncode != 0:
        return {"s": float("nan"), "mb": float("nan"), "first": out.stderr.strip()[-200:]}
    result: dict[str, float | str] = json.loads(out.stdout)
    return result


def prepare(tmp: Path) -> list[tuple[str, str, Path]]:
    bundled = REPO / "content"
    doc = next(p.name for p in bundled.iterdir() if (p / "document.yaml").is_file())
    cases: list[tuple[str, str, Path]] = [("good content", "content", bundled)]

    def variant(name: str) -> Path:
        root = tmp / name
        shutil.copytree(bundled, root)
        return root / doc / "facts.yaml"

    variant("bomb").write_text(laughs(), encoding="utf-8")
    cases.append(("alias bomb (facts)", "content", tmp / "bomb"))
    config = tmp / "config.yaml"
    config.write_text("logging:\n  level: INFO\n" + laughs(), encoding="utf-8")
    cases.append(("alias bomb (config)", "config", config))
    fifo = variant("fifo")
    fifo.unlink()
    os.mkfifo(fifo)
    cases.append(("FIFO as facts.yaml", "content", tmp / "fifo"))
    big = tmp / "big.yaml"
    big.write_text(big_facts(), encoding="utf-8")
    cases.append(("5 MB YAML: parse", "parse", big))
    cases.append(("5 MB YAML: scan", "scan", big))
    return cases


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp_name:
        cases = prepare(Path(tmp_name))
        results = [(name, run_case(kind, path)) for name, kind, path in cases]
    base = results[0][1]
    print(f"{'case':<22}{'time':>10}{'x good':>9}{'extra MB':>10}  first error")
    missed = 0
    for name, r in results:
        s, mb = float(r["s"]), float(r["mb"])
        ratio = s / float(base["s"]) if float(base["s"]) > 0 else float("nan")
        print(f"{name:<22}{s * 1000:>8.1f}ms{ratio:>8.1f}x{mb:>10.1f}  {str(r['first'])[:90]}")
        hostile = name.startswith(("alias", "FIFO"))
        if hostile and not (s < TIME_TARGET_S and mb < MEMORY_TARGET_MB):
            missed += 1
    print(f"targets (hostile cases): < {TIME_TARGET_S:.0f} s, < {MEMORY_TARGET_MB:.0f} MB added;")
    print("all met" if not missed else f"{missed} case(s) missed")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
