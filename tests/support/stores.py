"""The store under test, once per backend (SQLite and PostgreSQL).

`store_target` is a SQLite file path or the URL of a fresh PostgreSQL database of the test's
own (tests/support/postgres.py); `bot.storage.open_store(store_target)` opens it, as often as
the test likes (reopening is how "survives a restart" is checked). `store` is one open store.
The PostgreSQL half carries the `postgresql` marker: `-m "not postgresql"` deselects it.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.storage import Store, open_store

BACKENDS = ("sqlite", pytest.param("postgresql", marks=pytest.mark.postgresql))


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "postgresql: runs against the test PostgreSQL server (tests/support/postgres)"
    )


@pytest.fixture(params=BACKENDS)
def store_target(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return str(tmp_path / "data" / "bot.sqlite3")
    return str(request.getfixturevalue("postgres_url"))


@pytest.fixture
async def store(store_target: str) -> AsyncIterator[Store]:
    opened = await open_store(store_target)
    try:
        yield opened
    finally:
        await opened.close()
