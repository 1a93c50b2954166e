"""The playground's page and its JSON API (aiohttp), with live updates as server-sent events.

The page is plain HTML, CSS and JavaScript shipped in the package (bot/playground/static),
served by name from a fixed list: nothing is read from a path the browser sends. The events
are a dozen lines on aiohttp's StreamResponse, so no SSE package is added. JSON-only
POSTs, a Host check while bound to loopback and a strict Content-Security-Policy keep other
web pages (and DNS rebinding) from driving the playground through the browser.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aiohttp import web

from bot.app.client import BriefingBot
from bot.playground import sections
from bot.playground.actions import ActionError, Actions
from bot.playground.timeline import Timeline

log = logging.getLogger(__name__)

STATIC = Path(__file__).parent / "static"
FILES = {  # URL path -> (file in static/, content type)
    "/": ("index.html", "text/html"),
    "/app.js": ("app.js", "text/javascript"),
    "/markdown.js": ("markdown.js", "text/javascript"),
    "/style.css": ("style.css", "text/css"),
}
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}
KEEPALIVE_S = 15.0
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "[::1]")
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@dataclass
class Page:
    """Everything the page's routes read: the actions, the timeline, the bot, the content."""

    actions: Actions
    timeline: Timeline
    bot: BriefingBot
    content_root: Path
    loopback_port: int | None = None  # set: only Host headers naming loopback are served
    closing: bool = False


_PAGE: web.AppKey[Page] = web.AppKey("page", Page)


def _page(request: web.Request) -> Page:
    return request.app[_PAGE]


def _error(status: int, message: str) -> web.Response:
    return web.json_response({"error": message}, status=status)


@web.middleware
async def guard(request: web.Request, handler: Handler) -> web.StreamResponse:
    page = _page(request)
    if page.loopback_port is not None:
        allowed = {f"{h}:{page.loopback_port}" for h in LOOPBACK_HOSTS}
        if request.host not in allowed:
            return _error(421, "this playground answers only on loopback addresses")
    if request.method in ("POST", "PUT") and request.content_type != "application/json":
        return _error(415, "JSON only")
    try:
        response = await handler(request)
    except ActionError as exc:
        response = _error(400, str(exc))
    except sections.SectionEditError as exc:
        response = _error(400, str(exc))
    if not response.prepared:
        response.headers.update(SECURITY_HEADERS)
    return response


async def _json(request: web.Request) -> dict[str, Any]:
    try:
        body = await request.json()
    except ValueError:
        raise ActionError("the request is not JSON") from None
    if not isinstance(body, dict):
        raise ActionError("the request must be a JSON object")
    return body


# -- the page itself ----------------------------------------------------------------------------


async def static_file(request: web.Request) -> web.Response:
    name, content_type = FILES[request.path]
    body = (STATIC / name).read_bytes()
    return web.Response(body=body, content_type=content_type, charset="utf-8")


async def no_icon(request: web.Request) -> web.Response:
    return web.Response(status=204)


async def state(request: web.Request) -> web.Response:
    page = _page(request)
    actions = page.actions
    viewer = actions.viewer(request.query.get("viewer", "member"))
    guild = actions.emulator.guild
    world = actions.emulator.state
    return web.json_response(
        {
            "guild": {"id": str(guild.id), "name": guild.name},
            "channels": [{"id": cid, "name": c.name} for cid, c in actions.channels().items()],
            "viewers": [
                {**v.payload(), "permissions": str(guild.base_permissions(v.user_id))}
                for v in actions.viewers.values()
            ],
            "viewer": viewer.key,
            "bot": {"id": str(world.bot.id), "name": world.app_name},
            "users": {str(m.user.id): m.user.username.title() for m in guild.members.values()}
            | {str(world.bot.id): world.app_name},
            "roles": {str(r.id): r.name for r in guild.roles.values()},
            "commands": actions.commands(),
            "messages": page.timeline.for_viewer(str(viewer.user_id)),
            "clock": await actions.clock_state(),
        }
    )


async def events(request: web.Request) -> web.StreamResponse:
    """Server-sent events for one viewer; ends when the page goes or the playground stops."""
    page = _page(request)
    viewer = page.actions.viewer(request.query.get("viewer", "member"))
    response = web.StreamResponse(headers={"Content-Type": "text/event-stream", **SECURITY_HEADERS})
    await response.prepare(request)
    subscriber = page.timeline.subscribe(str(viewer.user_id))
    try:
        await response.write(b"retry: 1000\n\n")
        while not page.closing:  # one round per event or keep-alive, until the stop
            try:
                event = await asyncio.wait_for(subscriber.queue.get(), timeout=KEEPALIVE_S)
            except TimeoutError:
                await response.write(b": keep-alive\n\n")
                continue
            if subscriber.overflowed:
                await response.write(b"event: reload\ndata: {}\n\n")
                break
            if event.get("type") == "closing":
                break
            await response.write(f"data: {json.dumps(event)}\n\n".encode())
    except (ConnectionResetError, asyncio.CancelledError):
        pass
    finally:
        page.timeline.unsubscribe(subscriber)
    return response


# -- actions ----------------------------------------------------------------------------------


async def command(request: web.Request) -> web.Response:
    body = await _json(request)
    result = await _page(request).actions.command(
        body.get("viewer"), body.get("channel_id"), str(body.get("name") or ""), body.get("options")
    )
    return web.json_response(result)


async def autocomplete(request: web.Request) -> web.Response:
    body = await _json(request)
    choices = await _page(request).actions.autocomplete(
        body.get("viewer"),
        body.get("channel_id"),
        str(body.get("name") or ""),
        body.get("options"),
        str(body.get("focused") or ""),
    )
    return web.json_response({"choices": choices})


async def component(request: web.Request) -> web.Response:
    body = await _json(request)
    result = await _page(request).actions.click(
        body.get("viewer"), body.get("message_id"), body.get("custom_id"), body.get("values")
    )
    return web.json_response(result)


async def clock(request: web.Request) -> web.Response:
    return web.json_response(await _page(request).actions.clock_state())


async def clock_next(request: web.Request) -> web.Response:
    actions = _page(request).actions
    due = await actions.advance()
    return web.json_response(
        {"jumped_to": due.isoformat() if due else None, "clock": await actions.clock_state()}
    )


# -- the content editor -------------------------------------------------------------------------


async def section_list(request: web.Request) -> web.Response:
    return web.json_response({"sections": sections.list_sections(_page(request).bot.snapshot)})


async def section_read(request: web.Request) -> web.Response:
    page = _page(request)
    key = request.query.get("key", "")
    path = sections.section_file(page.bot.snapshot, key, page.content_root)
    return web.json_response({"key": key, "text": sections.read_text(path)})


async def section_write(request: web.Request) -> web.Response:
    page = _page(request)
    body = await _json(request)
    key, text = str(body.get("key") or ""), body.get("text")
    if not isinstance(text, str):
        raise ActionError("text must be a string")
    path = sections.section_file(page.bot.snapshot, key, page.content_root)
    sections.write_text(path, text)
    log.info("playground: section %s edited in the content copy", key)
    return web.json_response({"key": key, "saved": True})


def build_app(page: Page) -> web.Application:
    app = web.Application(middlewares=[guard], client_max_size=1024 * 1024)
    app[_PAGE] = page
    r = app.router
    for path in FILES:
        r.add_get(path, static_file)
    r.add_get("/favicon.ico", no_icon)
    r.add_get("/api/state", state)
    r.add_get("/api/events", events)
    r.add_post("/api/command", command)
    r.add_post("/api/autocomplete", autocomplete)
    r.add_post("/api/component", component)
    r.add_get("/api/clock", clock)
    r.add_post("/api/clock/next", clock_next)
    r.add_get("/api/sections", section_list)
    r.add_get("/api/section", section_read)
    r.add_put("/api/section", section_write)
    return app


def close_streams(page: Page) -> None:
    """End every open event stream (the pages reconnect to nothing and show it)."""
    page.closing = True
    for subscriber in list(page.timeline.subscribers):
        with contextlib.suppress(asyncio.QueueFull):
            subscriber.queue.put_nowait({"type": "closing"})
