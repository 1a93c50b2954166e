from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import Config, ConfigError, TokenError, load_config, resolve_token
from bot.config.problems import known_keys
from tests.support.paths import CONTENT_DIR, REPO


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults_run_on_bundled_content() -> None:
    cfg = load_config(None, environ={})
    # "or content_path.is_dir()" made this pass for any existing folder; the default must
    # be the bundled content itself.
    assert cfg.content_path.resolve() == CONTENT_DIR.resolve()
    assert (cfg.content_path / "bluebook-2020-russia").is_dir()
    assert cfg.database_path == cfg.data_dir / "briefing.sqlite3"
    assert cfg.health.host == "127.0.0.1"
    assert cfg.storage.database is None and cfg.source is None


def test_example_config_is_valid_and_documents_every_key() -> None:
    cfg = load_config(REPO / "config.example.yaml")
    text = (REPO / "config.example.yaml").read_text(encoding="utf-8")
    sections = ("discord", "content", "storage", "briefings", "admin", "health", "logging")
    for section in (*sections, "cluster"):
        for key in known_keys(type(getattr(cfg, section))):
            assert f"  {key}:" in text, f"config.example.yaml does not document {section}.{key}"


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "discord:\n  gateway_url: http://x\n  colour: red\n"
        "briefings:\n  default_timezone: Mars/Olympus\n  catch_up_hours: soon\n"
        "content:\n  path: /nonexistent/content\n",
    )
    with pytest.raises(ConfigError) as info:
        load_config(path)
    text = str(info.value)
    assert info.value.problems == [
        f"{path}: discord.gateway_url: must start with ws:// or wss://",
        f"{path}: discord.colour: unknown key "
        "(known: api_base_url, dev_guild_ids, gateway_url, token_file)",
        f"{path}: content.path: folder '/nonexistent/content' does not exist",
        f"{path}: briefings.default_timezone: 'Mars/Olympus' is not an IANA time zone "
        "(such as Asia/Tokyo or Europe/London)",
        f"{path}: briefings.catch_up_hours: expected a number, got 'soon'",
    ]
    assert text == "\n".join(info.value.problems)


def test_bad_timezone_and_gateway_and_missing_content(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "discord:\n  gateway_url: http://x\n"
        "briefings:\n  default_timezone: Mars/Olympus\n"
        "content:\n  path: /nonexistent/content\n",
    )
    with pytest.raises(ConfigError) as info:
        load_config(path)
    problems = info.value.problems
    assert any("discord.gateway_url" in p and "ws://" in p for p in problems)
    assert any("'Mars/Olympus' is not an IANA time zone" in p for p in problems)
    assert any("content.path" in p and "does not exist" in p for p in problems)


def test_yaml_syntax_error_names_the_line(tmp_path: Path) -> None:
    path = write(tmp_path, "discord:\n  dev_guild_ids: [1, 2\nstorage: {}\n")
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert str(info.value).startswith(f"{path}:")


def test_quoted_snowflakes_are_accepted(tmp_path: Path) -> None:
    path = write(tmp_path, "admin:\n  owner_ids: ['123456789012345678']\n")
    assert load_config(path).admin.owner_ids == [123456789012345678]


def test_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="config file not found"):
        load_config(tmp_path / "nope.yaml")


def test_token_from_environment_then_file(tmp_path: Path) -> None:
    secret = tmp_path / "token"
    secret.write_text("file-token\n", encoding="utf-8")
    cfg = load_config(write(tmp_path, f"discord:\n  token_file: {secret}\n"))
    assert resolve_token(cfg, {"DISCORD_TOKEN": "env-token"}) == "env-token"
    assert resolve_token(cfg, {}) == "file-token"


def test_missing_token_message_does_not_leak(tmp_path: Path) -> None:
    with pytest.raises(TokenError, match="DISCORD_TOKEN"):
        resolve_token(load_config(None), {})
    empty = tmp_path / "empty"
    empty.write_text("", encoding="utf-8")
    cfg = load_config(write(tmp_path, f"discord:\n  token_file: {empty}\n"))
    with pytest.raises(TokenError, match="is empty"):
        resolve_token(cfg, {})


def test_wrong_types_and_values_read_as_sentences(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "discord:\n  dev_guild_ids: [12, x, true]\n"
        "content:\n  watch: 'yes'\n  watch_debounce_ms: -1\n"
        "storage: [1]\n"
        "briefings:\n  default_time: '8:00'\n  max_sends_per_second: 99\n"
        "health:\n  port: 70000\n  host: 8\n"
        "logging:\n  level: loud\n"
        "colour: red\n",
    )
    with pytest.raises(ConfigError) as info:
        load_config(path, check_paths=False)
    assert info.value.problems == [
        f"{path}: {line}"
        for line in (
            "discord.dev_guild_ids[1]: expected an integer, got 'x'",
            "discord.dev_guild_ids[2]: expected an integer, got True",
            "content.watch: expected true or false, got 'yes'",
            "content.watch_debounce_ms: must not be negative",
            "storage: expected a mapping, got list",
            "briefings.default_time: '8:00' is not a time as HH:MM",
            "briefings.max_sends_per_second: must be above 0 and at most 50",
            "health.host: expected a string, got 8",
            "health.port: must be between 0 and 65535",
            "logging.level: must be one of DEBUG, INFO, WARNING, ERROR, CRITICAL",
            "colour: unknown key "
            "(known: admin, briefings, cluster, content, discord, health, interactions, logging, "
            "storage)",
        )
    ]
    assert "pydantic" not in str(info.value) and "http" not in str(info.value)


def test_a_file_that_is_not_a_mapping(tmp_path: Path) -> None:
    path = write(tmp_path, "- discord\n")
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert info.value.problems == [f"{path}: config: expected a mapping, got list"]


def test_empty_sections_quoted_numbers_and_lower_case_level(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "discord:\nstorage:\n  database: ''\nhealth:\n  port: '9100'\nlogging:\n  level: debug\n",
    )
    cfg = load_config(path, environ={})
    assert cfg.discord.dev_guild_ids == [] and cfg.health.port == 9100
    assert cfg.storage.database is None
    assert cfg.logging.level == "DEBUG"
    assert cfg.source == str(path)


def test_database_url_from_the_environment_overrides_the_file(tmp_path: Path) -> None:
    path = write(tmp_path, "storage:\n  database: local.sqlite3\n")
    assert load_config(path, environ={}).database_path == Path("local.sqlite3")
    url = "postgresql://bot:hunter2@127.0.0.1/briefings"
    cfg = load_config(path, environ={"DATABASE_URL": url})
    assert cfg.storage.database == url
    assert "hunter2" not in repr(cfg) and "hunter2" not in str(cfg)
    assert load_config(path, environ={"DATABASE_URL": " "}).storage.database == "local.sqlite3"


def test_token_never_shown_and_never_read_from_the_file(tmp_path: Path) -> None:
    secret = "MTIz.sekrit-token.value"
    cfg = load_config(None, environ={"DISCORD_TOKEN": secret})
    assert resolve_token(cfg) == secret
    for shown in (repr(cfg), str(cfg), repr(cfg.discord), str(cfg.model_dump())):
        assert secret not in shown
    assert secret not in cfg.model_dump_json()
    assert "token" not in cfg.model_dump()["discord"]
    path = write(tmp_path, f"discord:\n  token: {secret}\n")
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert info.value.problems == [
        f"{path}: discord.token: not read from the config file; "
        "set DISCORD_TOKEN (or discord.token_file)"
    ]
    assert secret not in str(info.value)


def test_blank_token_in_the_environment_falls_back_to_the_file(tmp_path: Path) -> None:
    token_file = tmp_path / "token"
    token_file.write_text("file-token\n", encoding="utf-8")
    path = write(tmp_path, f"discord:\n  token_file: {token_file}\n")
    assert resolve_token(load_config(path, environ={"DISCORD_TOKEN": "  "})) == "file-token"


def test_config_is_immutable_and_defaults_without_a_file() -> None:
    cfg = Config()
    assert cfg.database_path == Path("data") / "briefing.sqlite3"
    with pytest.raises(ValueError):
        cfg.health.port = 1  # type: ignore[misc]


def test_cluster_shard_ranges(tmp_path: Path) -> None:
    cfg = load_config(write(tmp_path, "cluster:\n  shard_count: 4\n  shards: 2-3\n"), environ={})
    assert cfg.cluster.shard_ids == (2, 3) and cfg.cluster.owns_a_range
    one = load_config(write(tmp_path, "cluster:\n  shard_count: 4\n  shards: 3\n"), environ={})
    assert one.cluster.shard_ids == (3,)
    whole = load_config(write(tmp_path, "cluster:\n  shard_count: 4\n"), environ={})
    assert whole.cluster.shard_ids == (0, 1, 2, 3) and not whole.cluster.owns_a_range
    assert load_config(None, environ={}).cluster.shard_ids is None
    for text, problem in (
        ("shards: 0-1", "cluster: shards needs shard_count (the total number of shards)"),
        ("shard_count: 4\n  shards: 2-5", "cluster: shards 2-5 do not exist with shard_count 4"),
        ("shard_count: 4\n  shards: 3-1", "cluster.shards: '3-1': the first shard comes after"),
        ("shard_count: 4\n  shards: x", "cluster.shards: 'x' is not a shard range such as 0-1"),
        ("standby: true", "cluster: standby needs shard_count and shards"),
        ("shard_count: 0", "cluster.shard_count: must be between 1 and 65536"),
    ):
        path = write(tmp_path, f"cluster:\n  {text}\n")
        with pytest.raises(ConfigError) as info:
            load_config(path, environ={})
        [line] = info.value.problems
        assert line.startswith(f"{path}: {problem}"), line
