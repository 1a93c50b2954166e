"""`briefing-bot playground` as a person runs it: no token, a URL printed, the page served
from its own data folder, Ctrl-C stops everything; bad folders and busy ports get a line."""

from __future__ import annotations

import re
import signal
import socket
from pathlib import Path

import aiohttp
import pytest

from bot.cli.playground import host_warning
from tests.support.harness import spawn_bot, wait_for

URL = re.compile(r"Briefing Bot playground: (http://127\.0\.0\.1:\d+/)")


async def test_starts_without_a_token_and_stops_on_ctrl_c(tmp_path: Path) -> None:
    data = tmp_path / "pg"
    proc = await spawn_bot(
        ["playground", "--port", "0", "--data", str(data)], tmp_path / "out.log", token=None
    )
    try:
        found = await wait_for(lambda: URL.search(proc.output()), timeout=60)
        url = found.group(1)
        assert "no connection to Discord" in proc.output()
        async with aiohttp.ClientSession() as session, session.get(url + "api/state") as response:
            assert response.status == 200
            state = await response.json()
        assert "section" in {c["name"] for c in state["commands"]}
        assert (data / "content" / "bluebook-2020-russia" / "document.yaml").is_file()
        assert list((data / "state").iterdir()), "the bot's state lives in the data folder"
    finally:
        code = await proc.stop(signal.SIGINT)
    out = proc.output()
    assert code == 0, out
    assert "Stopping the playground" in out and "Traceback" not in out


async def test_a_folder_that_is_not_the_playgrounds_is_refused(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    (data / "briefing.sqlite3").write_text("production", encoding="utf-8")
    proc = await spawn_bot(
        ["playground", "--port", "0", "--data", str(data)], tmp_path / "out.log", token=None
    )
    assert await proc.wait(timeout=60) == 2
    [line] = proc.output().strip().splitlines()
    assert "not a playground data folder" in line
    assert (data / "briefing.sqlite3").read_text(encoding="utf-8") == "production"


async def test_a_busy_port_is_reported_in_one_line(tmp_path: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        proc = await spawn_bot(
            ["playground", "--port", str(port), "--data", str(tmp_path / "pg")],
            tmp_path / "out.log",
            token=None,
        )
        assert await proc.wait(timeout=60) == 2
    out = proc.output()
    assert "cannot listen there" in out and "Traceback" not in out, out


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "::1", "127.0.0.2"])
def test_loopback_hosts_need_no_warning(host: str) -> None:
    assert host_warning(host) is None


@pytest.mark.parametrize("host", ["0.0.0.0", "192.168.1.10", "example.org"])
def test_other_hosts_get_a_warning(host: str) -> None:
    warning = host_warning(host)
    assert warning is not None and "not a loopback address" in warning
