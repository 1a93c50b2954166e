"""The config file gets the same YAML refusals as content: anchors, aliases, deep nesting."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bot.config import ConfigError, load_config
from bot.yamlsafe import REFUSED, YamlRefused, safe_load
from tests.bot.content.test_hostile import laughs


def config_error(path: Path, text: str) -> list[str]:
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_config(path, check_paths=False)
    return caught.value.problems


def test_alias_bomb_in_config_is_refused_at_its_line(tmp_path: Path) -> None:
    path = tmp_path / "config.yaml"
    text = "logging:\n  level: INFO\n" + laughs(9) + "content:\n  path: *i\n"
    problems = config_error(path, text)
    assert problems == [f"{path}:3: {REFUSED}"]


def test_merge_keys_are_refused_too(tmp_path: Path) -> None:
    path = tmp_path / "config.yaml"
    text = "briefings: &b\n  time: '09:00'\nadmin:\n  <<: *b\n"
    assert config_error(path, text) == [f"{path}:1: {REFUSED}"]


def test_deeply_nested_config_is_a_config_error(tmp_path: Path) -> None:
    path = tmp_path / "config.yaml"
    [problem] = config_error(path, "a: " + "[" * 100_000 + "]" * 100_000 + "\n")
    assert problem.startswith(f"{path}:1: ") and "depth" in problem


def test_safe_load_reads_plain_yaml_and_refuses_references() -> None:
    assert safe_load("a: 1 & 2\nb: ['*', x*y]\n") == {"a": "1 & 2", "b": ["*", "x*y"]}
    with pytest.raises(YamlRefused) as caught:
        safe_load("a: 1\nb: [x, *y]\n")
    assert caught.value.problem == REFUSED
    assert caught.value.problem_mark is not None and caught.value.problem_mark.line == 1
    with pytest.raises(yaml.YAMLError):
        safe_load("a: [unclosed\n")
