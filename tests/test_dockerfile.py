"""The Dockerfile's promises, checked by reading it (CI has no Docker daemon).

The install steps themselves are exercised outside Docker by .ci/docker-steps.sh; the
HEALTHCHECK command is run here for real against the health server.
"""

from __future__ import annotations

import asyncio
import json
import re
import sys
from dataclasses import dataclass, field

import pytest

from bot.app.health import HealthServer
from tests.support.paths import REPO

SECRET_WORDS = re.compile(r"TOKEN|SECRET|PASSWORD|PASSWD|API_KEY", re.IGNORECASE)


@dataclass
class Stage:
    base: str
    name: str | None
    instructions: list[tuple[str, str]] = field(default_factory=list)

    def all(self, keyword: str) -> list[str]:
        return [args for kw, args in self.instructions if kw == keyword]

    def index(self, keyword: str, pattern: str = "") -> int:
        for i, (kw, args) in enumerate(self.instructions):
            if kw == keyword and pattern in args:
                return i
        return -1


def parse_dockerfile(text: str) -> list[Stage]:
    """Instructions per stage, continuation lines joined, comments dropped."""
    logical: list[str] = []
    current = ""
    for raw in text.splitlines():
        line = raw.strip()
        if not current and (not line or line.startswith("#")):
            continue
        if line.startswith("#"):
            continue
        if line.endswith("\\"):
            current += line[:-1] + " "
            continue
        logical.append(current + line)
        current = ""
    stages: list[Stage] = []
    for line in logical:
        keyword, _, args = line.partition(" ")
        keyword = keyword.upper()
        if keyword == "FROM":
            parts = args.split()
            name = parts[2] if len(parts) >= 3 and parts[1].upper() == "AS" else None
            stages.append(Stage(parts[0], name))
            continue
        assert stages, f"instruction before FROM: {line}"
        stages[-1].instructions.append((keyword, args.strip()))
    return stages


@pytest.fixture(scope="module")
def stages() -> list[Stage]:
    return parse_dockerfile((REPO / "Dockerfile").read_text(encoding="utf-8"))


def test_multi_stage_on_slim_311(stages: list[Stage]) -> None:
    assert len(stages) >= 2
    assert stages[0].name == "builder"
    assert all(s.base == "python:3.11-slim" for s in stages)
    runtime = stages[-1]
    copies = runtime.all("COPY")
    assert any("--from=builder" in c for c in copies), copies
    assert any("wheel" in r for r in stages[0].all("RUN")), "the builder builds a wheel"


def test_runs_as_non_root_after_install(stages: list[Stage]) -> None:
    runtime = stages[-1]
    users = runtime.all("USER")
    assert users and users[-1].split(":")[0] not in ("root", "0")
    user_at = runtime.index("USER")
    last_root_step = max(
        i for i, (kw, _) in enumerate(runtime.instructions) if kw in ("RUN", "COPY", "ADD")
    )
    assert user_at > last_root_step, "USER must come after every install step"
    assert any("useradd" in r for r in runtime.all("RUN"))


def test_healthcheck_uses_python_urllib_on_healthz(stages: list[Stage]) -> None:
    checks = stages[-1].all("HEALTHCHECK")
    assert len(checks) == 1
    check = checks[0]
    assert "http://127.0.0.1:8080/healthz" in check
    assert "urllib" in check and "curl" not in check and "wget" not in check


def test_volumes_for_content_and_data(stages: list[Stage]) -> None:
    volumes = " ".join(stages[-1].all("VOLUME"))
    assert "/app/content" in volumes and "/app/data" in volumes
    assert "/app" in stages[-1].all("WORKDIR")
    assert any(c.endswith("content ./content") for c in stages[-1].all("COPY"))


def test_no_secret_in_env_or_arg(stages: list[Stage]) -> None:
    for stage in stages:
        for keyword in ("ENV", "ARG", "LABEL"):
            for args in stage.all(keyword):
                names = re.findall(r"([A-Za-z_][A-Za-z0-9_]*)=", args) or [args.split()[0]]
                for name in names:
                    assert not SECRET_WORDS.search(name), f"{keyword} {args}"


def test_cmd_runs_the_bot(stages: list[Stage]) -> None:
    cmd = stages[-1].all("CMD")
    assert len(cmd) == 1
    assert json.loads(cmd[0])[:2] == ["briefing-bot", "run"]
    assert not stages[-1].all("ENTRYPOINT")


def test_dockerignore_keeps_the_context_small() -> None:
    ignored = {
        line.strip()
        for line in (REPO / ".dockerignore").read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    }
    for name in (".venv", ".git", "data", "tests", "__pycache__", ".env", "config.yaml"):
        assert name in ignored, name
    for needed in ("bot", "cogs", "content", "pyproject.toml", "README.md"):
        assert needed not in ignored, needed


def _healthcheck_code(stages: list[Stage]) -> str:
    check = stages[-1].all("HEALTHCHECK")[0]
    exec_form = check[check.index("CMD") + 3 :].strip()
    argv = json.loads(exec_form)
    assert argv[:2] == ["python", "-c"]
    return str(argv[2])


@pytest.mark.parametrize("healthy", [True, False])
async def test_healthcheck_command_follows_healthz(stages: list[Stage], healthy: bool) -> None:
    server = HealthServer(is_connected=lambda: healthy, content_loaded=lambda: True, port=0)
    await server.start()
    try:
        code = _healthcheck_code(stages).replace("127.0.0.1:8080", f"127.0.0.1:{server.port}")
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-c", code, stderr=asyncio.subprocess.PIPE
        )
        _, stderr = await asyncio.wait_for(proc.communicate(), 30)
    finally:
        await server.stop()
    assert (proc.returncode == 0) is healthy, stderr
