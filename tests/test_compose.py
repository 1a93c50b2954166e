"""compose.yaml's promises, checked by reading it: CI has no container engine to run it.

PostgreSQL with a healthcheck; bot processes that wait for it, share one DATABASE_URL on the
postgres service, run `briefing-bot run` with shard ranges that cover every shard exactly
once under one shard count, keep a data volume each, check /healthz as the image does, and
take every secret from the environment.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml

from bot.config import ClusterConfig
from tests.support.paths import REPO
from tests.test_dockerfile import _healthcheck_code, parse_dockerfile

SECRET_VALUE = re.compile(r"^\$\{[A-Z_]+(:\?[^}]*)?\}$")  # ${NAME} or ${NAME:?message}


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    data = yaml.safe_load((REPO / "compose.yaml").read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def bots(compose: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {k: v for k, v in compose["services"].items() if "briefing-bot" in v.get("command", [])}


def flag(command: list[str], name: str) -> str:
    return command[command.index(name) + 1]


def test_postgres_service_is_healthchecked_and_keeps_its_data(compose: dict[str, Any]) -> None:
    postgres = compose["services"]["postgres"]
    assert postgres["image"].startswith("postgres:")
    test = postgres["healthcheck"]["test"]
    assert "pg_isready" in " ".join(test)
    assert any(v.endswith(":/var/lib/postgresql/data") for v in postgres["volumes"])
    assert SECRET_VALUE.match(postgres["environment"]["POSTGRES_PASSWORD"])


def test_two_bots_run_every_shard_once_under_one_count(compose: dict[str, Any]) -> None:
    found = bots(compose)
    assert len(found) >= 2
    counts: set[int] = set()
    owned: list[int] = []
    for service in found.values():
        command = service["command"]
        assert command[:2] == ["briefing-bot", "run"] and "--standby" not in command
        cluster = ClusterConfig.model_validate(
            {
                "shard_count": int(flag(command, "--shard-count")),
                "shards": flag(command, "--shards"),
            }
        )
        assert cluster.shard_count is not None and cluster.shard_ids is not None
        counts.add(cluster.shard_count)
        owned.extend(cluster.shard_ids)
    [count] = counts
    assert sorted(owned) == list(range(count))


def test_bots_share_one_database_on_the_postgres_service(compose: dict[str, Any]) -> None:
    urls = set()
    for service in bots(compose).values():
        env = service["environment"]
        url = env["DATABASE_URL"]
        parts = urlsplit(re.sub(r"\$\{[^}]*\}", "from-the-environment", url))
        assert parts.scheme == "postgresql" and parts.hostname == "postgres"
        assert parts.password == "from-the-environment"
        assert "${POSTGRES_PASSWORD" in url  # the password comes from the environment
        assert SECRET_VALUE.match(env["DISCORD_TOKEN"])
        assert service["depends_on"]["postgres"]["condition"] == "service_healthy"
        urls.add(url)
    assert len(urls) == 1


def test_bots_check_healthz_as_the_image_does_and_keep_their_own_data(
    compose: dict[str, Any],
) -> None:
    image_check = _healthcheck_code(parse_dockerfile((REPO / "Dockerfile").read_text()))
    data_volumes = []
    for service in bots(compose).values():
        test = service["healthcheck"]["test"]
        assert test[:3] == ["CMD", "python", "-c"] and test[3] == image_check
        assert service["restart"] == "unless-stopped"
        data_volumes += [v.split(":")[0] for v in service["volumes"] if v.endswith(":/app/data")]
        assert any(v.endswith(":/app/content:ro") for v in service["volumes"])
    assert len(data_volumes) == len(set(data_volumes)) == len(bots(compose))
    assert set(data_volumes) <= set(compose["volumes"])
