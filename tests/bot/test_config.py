from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import ConfigError, TokenError, load_config, resolve_token
from tests.support.paths import CONTENT_DIR, REPO


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults_run_on_bundled_content() -> None:
    cfg = load_config(None)
    # "or content_path.is_dir()" made this pass for any existing folder; the default must
    # be the bundled content itself.
    assert cfg.content_path.resolve() == CONTENT_DIR.resolve()
    assert (cfg.content_path / "bluebook-2020-russia").is_dir()
    assert cfg.database_path == cfg.data_dir / "briefing.sqlite3"
    assert cfg.health.host == "127.0.0.1"


def test_example_config_is_valid_and_documents_every_key() -> None:
    cfg = load_config(REPO / "config.example.yaml")
    text = (REPO / "config.example.yaml").read_text(encoding="utf-8")
    for section in ("discord", "content", "storage", "briefings", "admin", "health", "logging"):
        for key in getattr(cfg, section).__dataclass_fields__:
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
    assert "discord.colour: unknown key" in text
    assert "briefings.catch_up_hours: expected a number" in text
    assert str(path) in text


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
