"""Registers the test support package (tests/support) as pytest plugins for every test."""

from __future__ import annotations

import os

import pytest

from bot.config import DATABASE_ENV
from tests.support.paths import SEED

pytest_plugins = [
    "tests.support.harness",
    "tests.support.postgres",
    "tests.support.stores",
    "tests.support.playground",
]

# A developer's DATABASE_URL must not send the tests' bots to a real database; tests that
# want PostgreSQL get a database of their own (tests/support/postgres.py).
os.environ.pop(DATABASE_ENV, None)


@pytest.fixture(scope="session")
def seed_text() -> str:
    return SEED.read_text(encoding="utf-8")
