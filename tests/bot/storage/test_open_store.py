"""Choosing the backend: `storage.database` (a SQLite path or a postgresql:// URL), the
DATABASE_URL override, and the SQLite default in the data folder."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import DATABASE_ENV, load_config
from bot.storage import SqliteStore, StoreError, describe_target, open_store, store_target
from bot.storage.postgres import PostgresStore


def config_with(tmp_path: Path, storage: str) -> Path:
    path = tmp_path / "config.yaml"
    path.write_text(f"storage:\n{storage}", encoding="utf-8")
    return path


def test_the_database_is_the_env_url_then_the_setting_then_the_data_folder(
    tmp_path: Path,
) -> None:
    default = config_with(tmp_path, f"  data_dir: {tmp_path}/d\n")
    assert store_target(load_config(default, environ={})) == f"{tmp_path}/d/briefing.sqlite3"
    url = "postgresql://bot:pw@db:5432/briefings"
    assert store_target(load_config(default, environ={DATABASE_ENV: url})) == url
    named = config_with(tmp_path, f"  database: {url}\n")
    assert store_target(load_config(named, environ={})) == url  # as written, not made a path
    other = {DATABASE_ENV: "postgresql://other/x"}
    assert store_target(load_config(named, environ=other)) == "postgresql://other/x"
    assert describe_target(url) == "postgresql://bot:***@db:5432/briefings"


async def test_a_config_opens_sqlite_by_default(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(DATABASE_ENV, raising=False)
    cfg = load_config(config_with(tmp_path, f"  data_dir: {tmp_path}/data\n"))
    store = await open_store(cfg)
    try:
        assert isinstance(store, SqliteStore)
        assert store.path == tmp_path / "data" / "briefing.sqlite3"
    finally:
        await store.close()


@pytest.mark.postgresql
async def test_a_postgresql_url_opens_postgres_from_the_setting_or_the_env(
    tmp_path: Path, postgres_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(DATABASE_ENV, raising=False)
    cfg = load_config(config_with(tmp_path, f"  database: {postgres_url}\n"))
    store = await open_store(cfg)
    await store.close()
    assert isinstance(store, PostgresStore) and store.url == postgres_url

    monkeypatch.setenv(DATABASE_ENV, postgres_url)
    store = await open_store(load_config(config_with(tmp_path, f"  data_dir: {tmp_path}\n")))
    await store.close()
    assert isinstance(store, PostgresStore)
    assert not (tmp_path / "briefing.sqlite3").exists()


async def test_an_unknown_url_scheme_is_a_store_error(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="unsupported database URL scheme 'mysql'"):
        await open_store("mysql://bot@db/briefings")
