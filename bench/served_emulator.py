"""Run the emulator as its own process, with an HTTP control endpoint for load generation.

    python -m bench.served_emulator --port 0 --print-port

prints one JSON line (`url`, `api_base_url`, `gateway_url`, `control`, `token`, `pid`) and
serves until SIGTERM/SIGINT, `POST {control}/shutdown`, end of stdin (`--exit-on-eof`: the
parent died) or `--max-seconds`. A benchmark runs the bot in its own process and lets this
one build, dispatch and time the interactions, so the two do not share a CPU or an event
loop and the bot's process CPU time is the bot's alone.

Control routes (JSON, 127.0.0.1 only, never under /api/v10 so they are not recorded):

* `GET  {control}/status`: `{"identified": bool, "commands": [registered global commands]}`
* `POST {control}/run`: `{"command": "search", "options": [{...}, ...], "n": 1000,
  "in_flight": 50, "timeout": 10, "max_seconds": 60}` dispatches `n` slash commands,
  cycling through `options`, at most `in_flight` unanswered, and returns the latency of
  each (dispatch → visible answer: type 4/7 callback or the `@original` edit) in ms, the
  failures, the wall time, this process's CPU time and what the answers were (embed/text).
* `POST {control}/shutdown`
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import cProfile
import json
import os
import signal
import socket
import sys
import time
from typing import Any

from aiohttp import web

from bot.emulator.codec import LIBRARY
from bot.emulator.interactions import APPLICATION_COMMAND, InteractionHandle
from bot.emulator.server import LISTEN_BACKLOG, Emulator

CONTROL_PATH = "/_control"
MAX_RUN = 100_000
MAX_IN_FLIGHT = 1_000
WATCHDOG_S = 0.25


class ServedEmulator(Emulator):
    """An `Emulator` on a chosen port (0: any free one) with the control routes."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.stopping = asyncio.Event()
        self.profiler: cProfile.Profile | None = None
        r = self.app.router
        r.add_get(CONTROL_PATH + "/status", self._status)
        r.add_post(CONTROL_PATH + "/run", self._run)
        r.add_post(CONTROL_PATH + "/burst", self._burst)
        r.add_post(CONTROL_PATH + "/shutdown", self._shutdown)

    async def start_on(self, port: int) -> ServedEmulator:
        if port == 0:
            await self.start()
            return self
        # Same as Emulator.start, on a fixed port.
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", port))
        self.port = port
        self._gateway_url[0] = self.gateway_url
        self.gateway.url = self.gateway_url
        self._runner = web.AppRunner(
            self.app, handle_signals=False, shutdown_timeout=1.0, access_log=None
        )
        await self._runner.setup()
        # Discord's edge never turns a connection away: a long accept queue, so a burst
        # of new connections is not delayed by SYN retransmits (1 s, then 3 s).
        await web.SockSite(self._runner, sock, backlog=LISTEN_BACKLOG).start()
        return self

    @property
    def control_url(self) -> str:
        return f"http://127.0.0.1:{self.port}{CONTROL_PATH}"

    # -- control routes ----------------------------------------------------------------------

    async def _status(self, request: web.Request) -> web.Response:
        return web.json_response(
            {
                "identified": self.gateway.identified.is_set(),
                "commands": self.state.global_commands,
            }
        )

    async def _shutdown(self, request: web.Request) -> web.Response:
        self.stopping.set()
        return web.json_response({"ok": True})

    async def _run(self, request: web.Request) -> web.Response:
        try:
            spec = await request.json()
            command = str(spec["command"])
            options = [dict(o) for o in spec.get("options") or [{}]]
            n = int(spec.get("n", 100))
            in_flight = int(spec.get("in_flight", 50))
            timeout = float(spec.get("timeout", 10.0))
            max_seconds = float(spec.get("max_seconds", 60.0))
        except (ValueError, KeyError, TypeError) as exc:
            return web.json_response({"error": f"bad run request: {exc!r}"}, status=400)
        if not (1 <= n <= MAX_RUN and 1 <= in_flight <= MAX_IN_FLIGHT and options):
            return web.json_response({"error": "n, in_flight or options out of range"}, status=400)
        if self.gateway.current is None:
            return web.json_response({"error": "the bot has not identified"}, status=409)
        if self.profiler is not None:
            self.profiler.enable()
        try:
            result = await self.run_load(command, options, n, in_flight, timeout, max_seconds)
        finally:
            if self.profiler is not None:
                self.profiler.disable()
        return web.json_response(result)

    # -- load --------------------------------------------------------------------------------

    async def run_load(
        self,
        command: str,
        options: list[dict[str, Any]],
        n: int,
        in_flight: int,
        timeout: float,
        max_seconds: float,
    ) -> dict[str, Any]:
        """A closed loop: `in_flight` workers dispatch `n` commands between them, each sending
        the next one as soon as its last one is answered, so exactly `in_flight` are
        unanswered (bar the moment between an answer and the next frame).

        Latency is from the INTERACTION_CREATE frame written to the bot's socket to the
        arrival of the request that carries the visible answer (the type 4/7 callback, or
        the `@original` edit after a defer), both stamped by this process. What this process
        does before a dispatch (building the payload, waiting for its turn on the loop) is
        the load generator's time, not the bot's: it is reported apart, as `queued_ms`.
        The payload is built once per run (`base_payload`) and once per distinct option
        set; each interaction gets only its own id and token.
        """
        loop = asyncio.get_running_loop()
        factory = self.interactions
        gateway = self.gateway
        base = factory.base_payload(APPLICATION_COMMAND)
        datas = [factory.command_data(command, o, None) for o in options]
        latencies: list[float] = []
        queued: list[float] = []
        failures: list[str] = []
        kinds = {"embed": 0, "text": 0}
        pending: dict[InteractionHandle, float] = {}  # handle → when it times out
        next_i = 0
        deadline = time.monotonic() + max_seconds

        async def watchdog() -> None:
            """One timer for all interactions instead of a wait_for (a timer and a
            future) each."""
            while True:
                await asyncio.sleep(min(WATCHDOG_S, timeout))
                now = time.monotonic()
                for handle, expires in list(pending.items()):
                    answer = handle.answer
                    if now > expires and answer is not None and not answer.done():
                        answer.set_exception(TimeoutError())

        async def worker() -> None:
            nonlocal next_i
            while next_i < n:
                i = next_i
                next_i += 1
                started = time.monotonic()
                if started > deadline:
                    failures.append("not run: --max-seconds reached")
                    continue
                handle = factory.build_from(base, datas[i % len(datas)])
                answer = handle.answer = loop.create_future()
                sent = await gateway.dispatch("INTERACTION_CREATE", handle.payload)
                pending[handle] = sent + timeout
                try:
                    at, data = await answer
                except TimeoutError:
                    failures.append(f"no answer in {timeout}s to {options[i % len(options)]}")
                    continue
                finally:  # the bench never looks back: keep memory flat over long runs
                    del pending[handle]
                    factory.by_token.pop(handle.token, None)
                    factory.by_id.pop(handle.id, None)
                latencies.append((at - sent) * 1000)
                queued.append((sent - started) * 1000)
                kinds["embed" if data.get("embeds") else "text"] += 1

        self.state.requests.clear()
        for stored in self.state.messages.values():
            stored.clear()
        timer = asyncio.create_task(watchdog())
        cpu0 = time.process_time()
        t0 = time.monotonic()
        try:
            await asyncio.gather(*(worker() for _ in range(min(in_flight, n))))
        finally:
            timer.cancel()
        wall = time.monotonic() - t0
        return {
            "command": command,
            "n": n,
            "latencies_ms": latencies,
            "queued_ms": queued,
            "failed": len(failures),
            "failures": failures[:5],
            "wall_s": wall,
            "emulator_cpu_s": time.process_time() - cpu0,
            "answers": kinds,
            "emulator": {
                "loop": type(loop).__module__.split(".")[0],
                "json": LIBRARY,
                "recording": self.state.record_requests,
            },
        }

    # -- bursts (bench/overload.py) -----------------------------------------------------------

    async def _burst(self, request: web.Request) -> web.Response:
        """`{"command", "options": [one per interaction], "settle": s}`: dispatch them all at
        once, each from a user of its own, and report each one's fate (see `burst`)."""
        try:
            spec = await request.json()
            command = str(spec["command"])
            options = [dict(o) for o in spec["options"]]
            settle = float(spec.get("settle", 20.0))
        except (ValueError, KeyError, TypeError) as exc:
            return web.json_response({"error": f"bad burst request: {exc!r}"}, status=400)
        if not 1 <= len(options) <= MAX_RUN or not 0 < settle <= 120:
            return web.json_response({"error": "options or settle out of range"}, status=400)
        if self.gateway.current is None:
            return web.json_response({"error": "the bot has not identified"}, status=409)
        return web.json_response(await self.burst(command, options, settle))

    async def burst(
        self, command: str, options: list[dict[str, Any]], settle: float
    ) -> dict[str, Any]:
        """Open loop: every interaction is written to the bot's socket before any answer is
        awaited. For each: when Discord would have seen its first answer (the callback the
        emulator accepted within the interaction window, in ms after dispatch), and what the
        user finally saw (`visible_kind`)."""
        factory = self.interactions
        base = factory.base_payload(APPLICATION_COMMAND)
        handles: list[InteractionHandle] = []
        for i, option in enumerate(options):
            payload = dict(base)
            member = dict(base["member"])
            member["user"] = {**member["user"], "id": str(900_000_000_000_000_000 + i)}
            payload["member"] = member
            handles.append(factory.build_from(payload, factory.command_data(command, option, None)))
        self.state.requests.clear()
        cpu0 = time.process_time()
        for handle in handles:
            await self.gateway.dispatch("INTERACTION_CREATE", handle.payload)
        deadline = time.monotonic() + settle
        while time.monotonic() < deadline and not all(_settled(h) for h in handles):
            await asyncio.sleep(0.05)
        fates = [_fate(h) for h in handles]
        for handle in handles:
            factory.by_token.pop(handle.token, None)
            factory.by_id.pop(handle.id, None)
        for stored in self.state.messages.values():
            stored.clear()
        return {"fates": fates, "emulator_cpu_s": time.process_time() - cpu0}


def _settled(handle: InteractionHandle) -> bool:
    """Answered and, when deferred, filled in; or past the window with no answer."""
    callback = next((e for e in handle.events if e.kind == "callback"), None)
    if callback is None:
        return time.monotonic() - handle.dispatched_at > INTERACTION_WINDOW_S + 0.5
    if callback.body.get("type") == 5:
        return handle.original is not None and bool(
            handle.original.get("embeds") or handle.original.get("content")
        )
    return True


def _fate(handle: InteractionHandle) -> dict[str, Any]:
    callback = next((e for e in handle.events if e.kind == "callback"), None)
    if callback is None:
        return {"answered_ms": None, "callback": None, "visible_kind": "none", "content": ""}
    data = handle.original or callback.body.get("data") or {}
    kind = "embed" if data.get("embeds") else ("text" if data.get("content") else "thinking")
    return {
        "answered_ms": (callback.at - handle.dispatched_at) * 1000,
        "callback": callback.body.get("type"),
        "visible_kind": kind,
        "content": str(data.get("content") or "")[:200],
    }


INTERACTION_WINDOW_S = 3.0


async def serve(args: argparse.Namespace) -> int:
    emulator = await ServedEmulator(interaction_deadline=args.interaction_deadline).start_on(
        args.port
    )
    emulator.state.record_requests = not args.bench
    if args.profile:
        emulator.profiler = cProfile.Profile()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, emulator.stopping.set)
    info = {
        "url": f"http://127.0.0.1:{emulator.port}",
        "api_base_url": emulator.api_base_url,
        "gateway_url": emulator.gateway_url,
        "control": emulator.control_url,
        "token": emulator.token,
        "pid": os.getpid(),
    }
    if args.print_port:
        print(json.dumps(info), flush=True)
    else:
        print(f"emulator on {info['url']} (control {info['control']})", file=sys.stderr)
    eof_task: asyncio.Future[Any] | None = None
    if args.exit_on_eof:
        eof_task = loop.run_in_executor(None, sys.stdin.buffer.read)
        eof_task.add_done_callback(lambda _: emulator.stopping.set())
    try:
        await asyncio.wait_for(emulator.stopping.wait(), timeout=args.max_seconds)
    except TimeoutError:
        print(f"emulator: --max-seconds {args.max_seconds} reached; stopping", file=sys.stderr)
    finally:
        await emulator.stop()
        if emulator.profiler is not None:
            emulator.profiler.dump_stats(args.profile)
    if eof_task is not None and not eof_task.done():
        os._exit(0)  # the stdin reader thread cannot be interrupted; nothing left to clean
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.served_emulator",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--port", type=int, default=0, help="127.0.0.1 port (0: any free one)")
    parser.add_argument(
        "--print-port", action="store_true", help="print the URLs as one JSON line on stdout"
    )
    parser.add_argument(
        "--exit-on-eof", action="store_true", help="stop when stdin closes (the parent died)"
    )
    parser.add_argument(
        "--max-seconds", type=float, default=600.0, help="stop after this long regardless"
    )
    parser.add_argument(
        "--loop",
        choices=("asyncio", "uvloop"),
        default="asyncio",
        help="event loop (uvloop makes the emulator's share of a benchmark smaller)",
    )
    parser.add_argument(
        "--interaction-deadline", type=float, default=3.0, help="callback window in seconds"
    )
    parser.add_argument(
        "--bench",
        action="store_true",
        help="keep no request history or posted messages (state.requests stays empty)",
    )
    parser.add_argument(
        "--profile", default=None, metavar="PATH", help="cProfile the control runs into PATH"
    )
    args = parser.parse_args(argv)
    if not 0 <= args.port <= 65535:
        parser.error("--port must be 0..65535")
    with contextlib.suppress(KeyboardInterrupt):
        if args.loop == "uvloop":
            import uvloop

            return uvloop.run(serve(args))
        return asyncio.run(serve(args))
    return 0


if __name__ == "__main__":
    sys.exit(main())
