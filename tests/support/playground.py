"""pytest fixtures for the playground: the whole thing (emulator, real bot, page server) in
the test's event loop, and a real browser on its page (Debian's chromium via Playwright).

Browser tests need /usr/bin/chromium (`apt-get install chromium`; .ci/run installs it). On
a machine without it they are skipped, except under CI (CI set), where that is a failure.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from bot.playground.datafolder import prepare
from bot.playground.server import Playground, Settings
from tests.support.paths import CONTENT_DIR

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
VIEWPORT = {"width": 1400, "height": 860}


@pytest.fixture
async def playground(tmp_path: Path) -> AsyncIterator[Playground]:
    """A started playground on a free loopback port, its data folder under tmp_path."""
    data = prepare(tmp_path / "playground-data", CONTENT_DIR)
    running = Playground(Settings(data=data, port=0))
    await running.start()
    try:
        yield running
    finally:
        await running.stop()


def _need_chromium() -> None:
    if shutil.which(CHROMIUM) is None:
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is missing: .ci/run should have installed chromium")
        pytest.skip(f"{CHROMIUM} is missing (apt-get install chromium)")


@pytest.fixture
async def browser_page(playground: Playground) -> AsyncIterator[Any]:
    """A Playwright page on the playground, loaded; fails the test on any page error."""
    _need_chromium()
    from playwright.async_api import async_playwright

    errors: list[str] = []
    async with async_playwright() as driver:
        browser = await driver.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = await browser.new_page(viewport=VIEWPORT)
            page.set_default_timeout(10_000)
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            await page.goto(playground.url)
            await page.wait_for_selector("body[data-ready='1']")
            yield page
        finally:
            await browser.close()
    assert errors == [], errors
