"""Time from `briefing-bot playground` to the first /section answer in the page.

    python bench/playground_start.py [--runs 3]

Each run starts `python -m bot playground --port 0` in a fresh data folder, waits for the
URL it prints, loads the page in Debian's chromium (Playwright, headless) and runs
`/section Russian Economy` as a person would: type `/sec`, pick /section, fill the query,
Send, and wait until the embed is on the page. Printed per run (seconds since the process
started): URL printed, page ready, answer shown; and, as the baseline measured in the same
run, `python -m bot --help` (the interpreter and the bot's imports alone), with the ratio.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import signal
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
URL = re.compile(rb"Briefing Bot playground: (http://\S+)")
TIMEOUT_S = 120.0


async def baseline() -> float:
    started = time.monotonic()
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "--help", cwd=REPO, stdout=asyncio.subprocess.DEVNULL
    )
    await asyncio.wait_for(proc.wait(), TIMEOUT_S)
    return time.monotonic() - started


async def read_url(proc: asyncio.subprocess.Process) -> str:
    assert proc.stdout is not None
    for _ in range(200):  # bounded: the URL is in the first few lines
        line = await asyncio.wait_for(proc.stdout.readline(), TIMEOUT_S)
        found = URL.search(line)
        if found:
            return found.group(1).decode()
        if not line:
            break
    raise RuntimeError("the playground printed no URL")


async def one_run(data: Path) -> tuple[float, float, float]:
    from playwright.async_api import async_playwright

    env = {k: v for k, v in os.environ.items() if k != "DISCORD_TOKEN"}
    started = time.monotonic()
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "playground", "--port", "0", "--data", str(data),
        cwd=REPO, env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.DEVNULL,
    )  # fmt: skip
    try:
        url = await read_url(proc)
        printed = time.monotonic() - started
        async with async_playwright() as driver:
            browser = await driver.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            page = await browser.new_page()
            await page.goto(url)
            await page.wait_for_selector("body[data-ready='1']", timeout=TIMEOUT_S * 1000)
            ready = time.monotonic() - started
            await page.fill("#input", "/sec")
            await page.click("#command-list [data-command='section']")
            await page.fill("#option-query", "Russian Economy")
            await page.click("#command-send")
            await page.wait_for_selector(".embed-title", timeout=TIMEOUT_S * 1000)
            answered = time.monotonic() - started
            await browser.close()
    finally:
        if proc.returncode is None:
            proc.send_signal(signal.SIGINT)  # our own child, by its pid
            await asyncio.wait_for(proc.wait(), TIMEOUT_S)
    return printed, ready, answered


async def main(runs: int) -> None:
    rows = []
    for n in range(runs):
        base = await baseline()
        with tempfile.TemporaryDirectory() as tmp:
            printed, ready, answered = await one_run(Path(tmp) / "pg")
        rows.append((base, printed, ready, answered))
        print(
            f"run {n + 1}: --help {base:.2f} s | URL printed {printed:.2f} s | page ready "
            f"{ready:.2f} s | first /section answer {answered:.2f} s "
            f"({answered / base:.1f}x the --help baseline)",
            flush=True,
        )
    medians = [statistics.median(col) for col in zip(*rows, strict=True)]
    print(
        f"median: --help {medians[0]:.2f} s, URL {medians[1]:.2f} s, page ready "
        f"{medians[2]:.2f} s, first /section answer {medians[3]:.2f} s "
        f"({medians[3] / medians[0]:.1f}x)"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    asyncio.run(main(parser.parse_args().runs))
