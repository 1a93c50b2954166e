"""A real PostgreSQL server for the tests: one per session, a fresh database per test.

pytest-postgresql (10.0) did not fit: its `postgresql_proc` runs `pg_ctl initdb` and
`pg_ctl start` as the current OS user, CI runs as root, and initdb refuses root ("cannot be
run as root") with no option in the plugin to run it as another user; it also brings psycopg,
mirakuru and port-for for what is here ~150 lines. This module runs initdb/pg_ctl as the
`postgres` OS user when we are root (subprocess `user=`), in a temporary folder it owns,
listening on 127.0.0.1 on a free port with its sockets in that folder, and stops only that
server (pg_ctl on its data folder, else a signal to the postmaster pid it wrote).

Environment:
  BRIEFING_TEST_POSTGRES=skip     skip the PostgreSQL half of the store tests (developers
                                  without PostgreSQL); without it a missing server FAILS.
  BRIEFING_TEST_POSTGRES_URL=...  use this running server instead (a role that may CREATE
                                  DATABASE), e.g. postgresql://me@127.0.0.1:5432/postgres
  BRIEFING_TEST_POSTGRES_BIN=...  the folder holding initdb and pg_ctl
"""

from __future__ import annotations

import asyncio
import contextlib
import glob
import itertools
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import pytest

SKIP_ENV = "BRIEFING_TEST_POSTGRES"
URL_ENV = "BRIEFING_TEST_POSTGRES_URL"
BIN_ENV = "BRIEFING_TEST_POSTGRES_BIN"
OS_USER = "postgres"  # initdb refuses root; Debian's package creates this user
SUPERUSER = "postgres"
COMMAND_TIMEOUT = 60.0  # initdb / pg_ctl, each
SERVER_OPTIONS = (
    # Durability against power loss is not what these tests check: no fsync keeps CREATE
    # DATABASE and commits cheap. Commits still reach the OS before returning
    # (synchronous_commit stays on), so a test that kills the server loses nothing.
    "-c fsync=off -c full_page_writes=off -c max_connections=200 -c log_min_messages=warning"
)
INSTALL_HINT = (
    "PostgreSQL server binaries (initdb, pg_ctl) not found: install them "
    "(Debian: apt-get install -y postgresql), point BRIEFING_TEST_POSTGRES_BIN at their "
    "folder or BRIEFING_TEST_POSTGRES_URL at a running server, or set "
    "BRIEFING_TEST_POSTGRES=skip to skip the PostgreSQL store tests"
)


class PostgresUnavailable(RuntimeError):
    """No server can be started or reached; the message says how to get one."""


def _version(name: str) -> tuple[int, ...]:
    return tuple(int(p) for p in name.split(".") if p.isdigit())


def find_bin_dir() -> Path | None:
    """The folder with initdb and pg_ctl: the env setting (only it, when set), else Debian's
    newest version, else the one on PATH."""
    if os.environ.get(BIN_ENV):
        candidates = [os.environ[BIN_ENV]]
    else:
        versions = glob.glob("/usr/lib/postgresql/*/bin")
        candidates = sorted(versions, key=lambda p: _version(Path(p).parent.name), reverse=True)
        on_path = shutil.which("initdb")
        if on_path:
            candidates.append(str(Path(on_path).resolve().parent))
    for folder in candidates:
        if (Path(folder) / "initdb").is_file() and (Path(folder) / "pg_ctl").is_file():
            return Path(folder)
    return None


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def run_admin(url: str, *statements: str) -> None:
    """Run statements (outside a transaction) on a connection of its own, in a thread with its
    own event loop, so sync fixtures can use it while pytest-asyncio owns the test's loop."""

    async def work() -> None:
        con = await asyncpg.connect(url, timeout=10)
        try:
            for statement in statements:
                await con.execute(statement, timeout=30)
        finally:
            await con.close(timeout=10)

    errors: list[BaseException] = []

    def target() -> None:
        try:
            asyncio.run(work())
        except BaseException as exc:
            errors.append(exc)

    thread = threading.Thread(target=target, name="postgres-admin")
    thread.start()
    thread.join(timeout=60)
    if thread.is_alive():
        raise TimeoutError(f"admin statements did not finish in 60 s: {statements}")
    if errors:
        raise errors[0]


def with_database(url: str, dbname: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{dbname}"))


def _server_user() -> pwd.struct_passwd | None:
    """The OS user the server runs as: `postgres` when we are root, else ourselves (None)."""
    if os.geteuid() != 0:
        return None
    try:
        return pwd.getpwnam(OS_USER)
    except KeyError:
        raise PostgresUnavailable(
            f"running as root, the server needs an OS user {OS_USER!r} (initdb refuses root); "
            "Debian's postgresql package creates it"
        ) from None


def _temp_root() -> Path:
    # As root, under /tmp: $TMPDIR may be a folder the postgres user cannot enter.
    parent = "/tmp" if os.geteuid() == 0 and os.path.isdir("/tmp") else None
    return Path(tempfile.mkdtemp(prefix="briefing-pg-", dir=parent))


@dataclass
class PostgresServer:
    """initdb + pg_ctl in a temporary folder; `url(db)` connects over TCP on 127.0.0.1."""

    bin_dir: Path
    root: Path = field(default_factory=_temp_root)
    port: int = 0
    pid: int | None = None
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def data_dir(self) -> Path:
        return self.root / "data"

    @property
    def log_path(self) -> Path:
        return self.root / "server.log"

    def url(self, dbname: str = "postgres") -> str:
        return f"postgresql://{SUPERUSER}@127.0.0.1:{self.port}/{dbname}"

    def _run(self, *args: str) -> subprocess.CompletedProcess[str]:
        owner = _server_user()
        user = owner.pw_name if owner else None
        env = {**os.environ, "LC_ALL": "C", "HOME": str(self.root)}
        return subprocess.run(
            [str(self.bin_dir / args[0]), *args[1:]],
            user=user,
            env=env,
            cwd=self.root,
            capture_output=True,
            text=True,
            timeout=COMMAND_TIMEOUT,
            check=False,
        )

    def _check(self, done: subprocess.CompletedProcess[str], what: str) -> None:
        if done.returncode != 0:
            log = (
                self.log_path.read_text(errors="replace")[-2000:] if self.log_path.exists() else ""
            )
            raise PostgresUnavailable(
                f"{what} failed ({done.returncode}): {done.stderr.strip()[-2000:]}\n{log}"
            )

    def start(self) -> PostgresServer:
        """initdb, then launch on a free port."""
        owner = _server_user()
        if owner is not None:  # the folder must belong to the user the server runs as
            os.chown(self.root, owner.pw_uid, owner.pw_gid)
        began = time.monotonic()
        self._check(
            self._run(
                "initdb", "-D", str(self.data_dir), "-U", SUPERUSER, "-A", "trust",
                "-E", "UTF8", "--no-locale", "--no-sync", "--no-instructions",
            ),
            "initdb",
        )  # fmt: skip
        self.timings["initdb"] = time.monotonic() - began
        for _ in range(3):  # the free port may be taken between probe and bind
            self.port = free_port()
            if self.launch(check=False):
                return self
        self.launch(check=True)
        return self

    def launch(self, *, check: bool = True) -> bool:
        """pg_ctl start on `port` (again, after stop()); True once it accepts connections."""
        began = time.monotonic()
        options = f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.root} "
        done = self._run(
            "pg_ctl", "start", "-D", str(self.data_dir), "-l", str(self.log_path),
            "-w", "-t", "30", "-o", options + SERVER_OPTIONS,
        )  # fmt: skip
        if done.returncode != 0:
            if check:
                self._check(done, "pg_ctl start")
            return False
        self.timings["start"] = time.monotonic() - began
        self.pid = int((self.data_dir / "postmaster.pid").read_text().split()[0])
        return True

    def stop(self, mode: str = "fast") -> None:
        """Stop this server only (pg_ctl on its own data folder, then its pid if need be)."""
        if self.pid is None:
            return
        done = self._run("pg_ctl", "stop", "-D", str(self.data_dir), "-m", mode, "-w", "-t", "30")
        if done.returncode != 0:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.pid, signal.SIGQUIT)
        self.pid = None

    def remove(self) -> None:
        self.stop()
        shutil.rmtree(self.root, ignore_errors=True)


_names = itertools.count(1)


@dataclass
class PostgresCluster:
    """Where the tests' databases are made: our own server, or BRIEFING_TEST_POSTGRES_URL."""

    admin_url: str
    server: PostgresServer | None = None

    def create_database(self) -> str:
        """A new empty database; returns its URL."""
        name = f"briefing_test_{os.getpid()}_{next(_names)}"
        run_admin(self.admin_url, f'CREATE DATABASE "{name}" TEMPLATE template0')
        return with_database(self.admin_url, name)

    def drop_database(self, url: str) -> None:
        name = urlsplit(url).path.lstrip("/")
        run_admin(self.admin_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def start_server() -> PostgresServer:
    bin_dir = find_bin_dir()
    if bin_dir is None:
        raise PostgresUnavailable(INSTALL_HINT)
    server = PostgresServer(bin_dir)
    try:
        return server.start()
    except BaseException:
        server.remove()
        raise


def _skip_or_fail(reason: str) -> Any:
    if os.environ.get(SKIP_ENV, "").lower() == "skip":
        pytest.skip(f"PostgreSQL tests skipped ({SKIP_ENV}=skip)")
    pytest.fail(reason, pytrace=False)


@pytest.fixture(scope="session")
def postgres_cluster() -> Iterator[PostgresCluster]:
    """The session's PostgreSQL (started on first use, stopped at the end of the session)."""
    if os.environ.get(SKIP_ENV, "").lower() == "skip":
        pytest.skip(f"PostgreSQL tests skipped ({SKIP_ENV}=skip)")
    if os.environ.get(URL_ENV):
        yield PostgresCluster(os.environ[URL_ENV])
        return
    try:
        server = start_server()
    except PostgresUnavailable as exc:
        _skip_or_fail(str(exc))
        return
    STARTUPS.append(server.timings)
    try:
        yield PostgresCluster(server.url(), server)
    finally:
        server.remove()


@pytest.fixture
def postgres_url(postgres_cluster: PostgresCluster) -> Iterator[str]:
    """The URL of a new, empty database of its own for this test, dropped afterwards."""
    url = postgres_cluster.create_database()
    try:
        yield url
    finally:
        postgres_cluster.drop_database(url)


@pytest.fixture
def private_postgres() -> Iterator[PostgresServer]:
    """A server of this test's own, which the test may stop or freeze (faults)."""
    if os.environ.get(SKIP_ENV, "").lower() == "skip":
        pytest.skip(f"PostgreSQL tests skipped ({SKIP_ENV}=skip)")
    try:
        server = start_server()
    except PostgresUnavailable as exc:
        _skip_or_fail(str(exc))
        return
    try:
        yield server
    finally:
        server.remove()


STARTUPS: list[dict[str, float]] = []  # initdb/start seconds, shown in the summary


def pytest_terminal_summary(terminalreporter: Any) -> None:
    for timings in STARTUPS:
        figures = ", ".join(f"{k} {v:.2f} s" for k, v in timings.items())
        terminalreporter.write_line(f"PostgreSQL test server: {figures}")
