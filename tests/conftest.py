"""Registers the test support package (tests/support) as a pytest plugin for every test."""

from __future__ import annotations

import pytest

from tests.support.paths import SEED

pytest_plugins = ["tests.support.harness", "tests.support.playground"]


@pytest.fixture(scope="session")
def seed_text() -> str:
    return SEED.read_text(encoding="utf-8")
