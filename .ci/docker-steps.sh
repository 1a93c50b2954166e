#!/usr/bin/env bash
# The Dockerfile's install steps, run outside Docker (CI has no Docker daemon):
# build the wheel from the same files the builder stage copies, install it into a fresh
# virtual environment, lay out /app as the runtime stage does, and check that the installed
# command runs and finds the bundled content (and a mounted content folder).
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# builder stage: COPY pyproject.toml README.md bot cogs; pip wheel; pip install
mkdir -p "$work/src"
cp "$repo/pyproject.toml" "$repo/README.md" "$work/src/"
cp -r "$repo/bot" "$repo/cogs" "$work/src/"
find "$work/src" -name '__pycache__' -type d -prune -exec rm -rf {} +
python3 -m venv "$work/venv"
"$work/venv/bin/pip" install --quiet --upgrade pip
"$work/venv/bin/pip" wheel --quiet --no-deps --wheel-dir "$work/wheels" "$work/src"
"$work/venv/bin/pip" install --quiet "$work"/wheels/*.whl

# runtime stage: WORKDIR /app, COPY content, mkdir data
mkdir -p "$work/app/data"
cp -r "$repo/content" "$work/app/content"
export PATH="$work/venv/bin:$PATH"
cd "$work/app"

briefing-bot --help >/dev/null
echo "docker-steps: briefing-bot --help works"

# The installed package (not the repository) must be what runs.
python - <<'PY'
import bot, cogs, pathlib, sys
for module in (bot, cogs):
    path = pathlib.Path(module.__file__).resolve()
    if "site-packages" not in str(path):
        sys.exit(f"docker-steps: {module.__name__} imported from {path}, not the installed wheel")
print("docker-steps: package installed from the wheel")
PY

# The playground's page ships in the wheel (package data), nothing fetched at run time.
python - <<'PY'
import pathlib, sys
import bot.playground
static = pathlib.Path(bot.playground.__file__).parent / "static"
missing = [n for n in ("index.html", "app.js", "markdown.js", "style.css") if not (static / n).is_file()]
if missing:
    sys.exit(f"docker-steps: the wheel lacks the playground page: {missing}")
print("docker-steps: the playground page is in the wheel")
PY

# The content the image serves: ./content in /app, and a folder mounted elsewhere.
python - "$work/mounted" <<'PY'
import asyncio, shutil, sys
from pathlib import Path
from bot.config import load_config
from bot.content.manager import ContentManager
from bot.search import build_index


def load(root):
    manager = ContentManager(root, build_index)
    report = asyncio.run(manager.reload("docker-steps"))
    assert report.ok, report.errors[:3]
    return manager.loaded


cfg = load_config(None)
assert Path(cfg.content.path).resolve() == (Path.cwd() / "content").resolve(), cfg.content.path
loaded = load(cfg.content_path)
print(f"docker-steps: bundled content {loaded.snapshot.short_hash}, {loaded.sections} sections")

mounted = Path(sys.argv[1])
shutil.copytree("content", mounted)
loaded = load(mounted)
print(f"docker-steps: mounted content {loaded.snapshot.short_hash}, {loaded.sections} sections")
PY

# Without a token, `run` must refuse clearly (no traceback, the token is never printed).
set +e
DISCORD_TOKEN= briefing-bot run >"$work/run.out" 2>&1
code=$?
set -e
if [ "$code" -eq 0 ] || grep -q "Traceback" "$work/run.out"; then
  cat "$work/run.out"
  echo "docker-steps: 'briefing-bot run' without a token should fail with a message" >&2
  exit 1
fi
echo "docker-steps: run without DISCORD_TOKEN refuses: $(head -n1 "$work/run.out")"
echo "docker-steps: ok"
