"""REST routes under /api/v10, with Discord's error bodies and rate-limit headers.

discord.py only retries a 429 when the response carries a `Via` header (without it, it
assumes a Cloudflare ban and raises) and reads `retry_after` from the JSON body; normal
answers carry X-RateLimit-* headers so its bucket bookkeeping runs as against Discord.
"""

from __future__ import annotations

import functools
import hashlib
import time
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from .codec import dumps, loads
from .gateway import Gateway
from .interactions import (
    CHANNEL_MESSAGE,
    DEFERRED_CHANNEL_MESSAGE,
    DEFERRED_UPDATE_MESSAGE,
    EPHEMERAL,
    UPDATE_MESSAGE,
    InteractionEvent,
    InteractionFactory,
    InteractionHandle,
)
from .ratelimit import GlobalLimit
from .state import (
    READ_MESSAGE_HISTORY,
    SEND_MESSAGES,
    VIEW_CHANNEL,
    Channel,
    Fault,
    RecordedRequest,
    World,
    snowflake,
)
from .validate import FormErrors, check_callback, check_message

API_PREFIX = "/api/v10"
NONCE_WINDOW_S = 300.0
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

_WORLD: web.AppKey[World] = web.AppKey("world", World)
_FACTORY: web.AppKey[InteractionFactory] = web.AppKey("factory", InteractionFactory)
_FAULTS: web.AppKey[dict[tuple[str, str], list[Fault]]] = web.AppKey("faults", dict)
_GATEWAY_URL: web.AppKey[list[str]] = web.AppKey("gateway_url", list)
_OPTIONS: web.AppKey[dict[str, float]] = web.AppKey("options", dict)
_GATEWAY: web.AppKey[Gateway] = web.AppKey("gateway", Gateway)
_LIMIT: web.AppKey[GlobalLimit] = web.AppKey("global_limit", GlobalLimit)
SESSION_STARTS_PER_DAY = 1000


_BODY: web.RequestKey[Any] = web.RequestKey("json", object)
_RECEIVED: web.RequestKey[float] = web.RequestKey("received", float)


def json_response(
    data: Any, *, status: int = 200, headers: dict[str, str] | None = None
) -> web.Response:
    """Exactly `Content-Type: application/json`: discord.py compares the header verbatim
    (Discord sends no charset) and treats anything else as text."""
    all_headers = {"Content-Type": "application/json", **(headers or {})}
    return web.Response(body=dumps(data), status=status, headers=all_headers)


def error(status: int, code: int, message: str) -> web.Response:
    return json_response({"message": message, "code": code}, status=status)


def invalid_form_body(errors: FormErrors) -> web.Response:
    return json_response(errors.body(), status=400)


def _refused_message(body: Any) -> web.Response | None:
    """Discord's 400 for a message body over its limits, None when it passes."""
    errors = check_message(body, FormErrors())
    return invalid_form_body(errors) if errors else None


def _route_of(request: web.Request) -> str:
    info = request.match_info.route.resource
    canonical = info.canonical if info is not None else request.path
    return canonical.removeprefix(API_PREFIX)


@functools.lru_cache(maxsize=256)
def _bucket(route: str) -> str:
    return hashlib.sha1(route.encode()).hexdigest()[:16]


def _ratelimit_headers(route: str, remaining: int, reset_after: float) -> dict[str, str]:
    return {
        "X-RateLimit-Limit": "50",
        "X-RateLimit-Remaining": str(remaining),
        "X-RateLimit-Reset": f"{time.time() + reset_after:.3f}",
        "X-RateLimit-Reset-After": f"{reset_after:.3f}",
        "X-RateLimit-Bucket": _bucket(route),
        "Via": "1.1 google",
    }


async def _read_body(request: web.Request) -> Any:
    if not request.can_read_body:
        return None
    ctype = request.content_type
    if ctype.startswith("multipart/"):
        form = await request.post()
        payload = form.get("payload_json")
        body = loads(str(payload)) if payload is not None else {}
        body["_files"] = [k for k in form if k != "payload_json"]
        return body
    raw = await request.read()
    if not raw:
        return None
    try:
        return loads(raw)
    except ValueError:
        return raw.decode(errors="replace")


@web.middleware
async def middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    path = request.path
    if not path.startswith(API_PREFIX):
        return await handler(request)
    request[_RECEIVED] = time.monotonic()  # before the body: when the request arrived
    world = request.app[_WORLD]
    route = _route_of(request)
    body = await _read_body(request)
    request[_BODY] = body
    path = path.removeprefix(API_PREFIX)
    record: RecordedRequest | None = None
    if world.record_requests:  # off only in a benchmark (serve.py --bench)
        headers = {k: v for k, v in request.headers.items() if k.lower() != "authorization"}
        record = RecordedRequest(
            method=request.method,
            path=path,
            route=route,
            query=dict(request.query),
            json=body,
            headers=headers,
        )
        world.requests.append(record)
    response = await _answer(request, handler, world, route, path)
    if record is not None:
        record.status = response.status
    return response


async def _answer(
    request: web.Request, handler: Handler, world: World, route: str, path: str
) -> web.StreamResponse:
    faults = request.app[_FAULTS]
    if faults:
        for key in ((request.method, route), (request.method, path)):
            queue = faults.get(key)
            if queue:
                fault = queue[0]
                fault.remaining -= 1
                if fault.remaining <= 0:
                    queue.pop(0)
                return _fault_response(fault, route)
    token_free = route.startswith(("/interactions/", "/webhooks/{application_id}/{token}"))
    auth = request.headers.get("Authorization", "")
    if not token_free and auth != f"Bot {world.token}":
        return json_response({"message": "401: Unauthorized", "code": 0}, status=401)
    if not token_free:
        wait = request.app[_LIMIT].admit()
        if wait is not None:
            return _fault_response(
                Fault(status=429, remaining=0, retry_after=wait, is_global=True), route
            )
    response = await handler(request)
    for name, value in _ratelimit_headers(route, 49, 1.0).items():
        response.headers.setdefault(name, value)
    return response


def _fault_response(fault: Fault, route: str) -> web.Response:
    if fault.status == 429:
        headers = _ratelimit_headers(route, 0, fault.retry_after)
        headers["Retry-After"] = f"{fault.retry_after:.3f}"
        headers["X-RateLimit-Scope"] = "global" if fault.is_global else "user"
        if fault.is_global:
            headers["X-RateLimit-Global"] = "true"
        return json_response(
            {
                "message": "You are being rate limited.",
                "retry_after": fault.retry_after,
                "global": fault.is_global,
                "code": 0,
            },
            status=429,
            headers=headers,
        )
    return json_response(
        {"message": fault.message or f"{fault.status}", "code": fault.code}, status=fault.status
    )


# -- helpers --------------------------------------------------------------------------------


def _world(request: web.Request) -> World:
    return request.app[_WORLD]


def _snowflake_arg(request: web.Request, name: str) -> int | None:
    try:
        return int(request.match_info[name])
    except (KeyError, ValueError):
        return None


def _channel_or_error(
    request: web.Request, needed: int = VIEW_CHANNEL
) -> tuple[Channel | None, web.Response | None]:
    world = _world(request)
    cid = _snowflake_arg(request, "channel_id")
    channel = world.channel(cid) if cid is not None else None
    if channel is None or channel.deleted:
        return None, error(404, 10003, "Unknown Channel")
    perms = world.bot_permissions_in(channel)
    if not perms & VIEW_CHANNEL:
        return None, error(403, 50001, "Missing Access")
    if perms & needed != needed:
        return None, error(403, 50013, "Missing Permissions")
    return channel, None


# -- users, application, gateway ------------------------------------------------------------


async def get_gateway(request: web.Request) -> web.Response:
    return json_response({"url": request.app[_GATEWAY_URL][0]})


async def get_gateway_bot(request: web.Request) -> web.Response:
    gateway = request.app[_GATEWAY]
    used = len(gateway.identify_payloads)
    return json_response(
        {
            "url": request.app[_GATEWAY_URL][0],
            "shards": gateway.shards,
            "session_start_limit": {
                "total": SESSION_STARTS_PER_DAY,
                "remaining": max(0, SESSION_STARTS_PER_DAY - used),
                "reset_after": 14400000,
                "max_concurrency": gateway.max_concurrency,
            },
        }
    )


async def get_me(request: web.Request) -> web.Response:
    return json_response(_world(request).bot.payload())


async def get_user(request: web.Request) -> web.Response:
    world = _world(request)
    uid = _snowflake_arg(request, "user_id")
    for user in (world.bot, world.owner, *world.team_members, *world.users.values()):
        if user.id == uid:
            return json_response(user.payload())
    return error(404, 10013, "Unknown User")


async def get_application(request: web.Request) -> web.Response:
    return json_response(_world(request).application_payload())


# -- application commands ---------------------------------------------------------------------


def _command_list(request: web.Request) -> list[dict[str, Any]] | None:
    world = _world(request)
    if str(world.application_id) != request.match_info["application_id"]:
        return None
    gid = _snowflake_arg(request, "guild_id")
    if gid is None:
        return world.global_commands
    return world.guild_commands.setdefault(gid, [])


def _stored_command(request: web.Request, body: dict[str, Any], existing: Any) -> dict[str, Any]:
    world = _world(request)
    gid = _snowflake_arg(request, "guild_id")
    cmd = dict(body)
    cmd.setdefault("type", 1)
    cmd.setdefault("description", "")
    cmd.setdefault("options", [])
    cmd.setdefault("default_member_permissions", None)
    cmd.setdefault("nsfw", False)
    cmd["id"] = existing["id"] if existing else str(snowflake())
    cmd["application_id"] = str(world.application_id)
    cmd["version"] = str(snowflake())
    if gid is not None:
        cmd["guild_id"] = str(gid)
    else:
        cmd.setdefault("contexts", None)
        cmd.setdefault("integration_types", [0])
    cmd.setdefault("dm_permission", gid is None)
    return cmd


async def get_commands(request: web.Request) -> web.Response:
    commands = _command_list(request)
    if commands is None:
        return error(403, 50001, "Missing Access")
    return json_response(commands)


async def put_commands(request: web.Request) -> web.Response:
    commands = _command_list(request)
    body = request[_BODY]
    if commands is None:
        return error(403, 50001, "Missing Access")
    if not isinstance(body, list):
        return error(400, 50035, "Invalid Form Body")
    seen: set[tuple[int, str]] = set()
    for cmd in body:
        key = (int(cmd.get("type", 1)), cmd.get("name", ""))
        if key in seen:
            return error(400, 50035, f"Invalid Form Body: duplicate command name {key[1]!r}")
        seen.add(key)
    old = {(c["type"], c["name"]): c for c in commands}
    new = [_stored_command(request, c, old.get((c.get("type", 1), c["name"]))) for c in body]
    commands[:] = new
    return json_response(new)


async def post_command(request: web.Request) -> web.Response:
    commands = _command_list(request)
    body = request[_BODY]
    if commands is None or not isinstance(body, dict):
        return error(400, 50035, "Invalid Form Body")
    existing = next((c for c in commands if c["name"] == body.get("name")), None)
    cmd = _stored_command(request, body, existing)
    if existing:
        commands[commands.index(existing)] = cmd
        return json_response(cmd, status=200)
    commands.append(cmd)
    return json_response(cmd, status=201)


async def delete_command(request: web.Request) -> web.Response:
    commands = _command_list(request) or []
    cid = request.match_info["command_id"]
    for cmd in list(commands):
        if cmd["id"] == cid:
            commands.remove(cmd)
            return web.Response(status=204)
    return error(404, 10063, "Unknown application command")


# -- interactions and webhooks ------------------------------------------------------------------


def _handle(request: web.Request) -> InteractionHandle | None:
    factory = request.app[_FACTORY]
    handle = factory.by_token.get(request.match_info["token"])
    app_id = request.match_info.get("application_id")
    if app_id is not None and app_id != str(_world(request).application_id):
        return None
    return handle


def _store_interaction_message(
    request: web.Request, handle: InteractionHandle, data: dict[str, Any]
) -> dict[str, Any]:
    world = _world(request)
    channel_id = int(handle.payload["channel_id"])
    msg = world.message_payload(channel_id, data, message_type=20, webhook_id=world.application_id)
    msg["interaction_metadata"] = {
        "id": str(handle.id),
        "type": handle.payload["type"],
        "user": handle.payload["member"]["user"],
        "authorizing_integration_owners": handle.payload["authorizing_integration_owners"],
    }
    if int(msg["flags"]) & EPHEMERAL:
        world.publish("create", msg)  # shown to its user only, never in the history
    elif world.record_requests:
        world.store_message(msg)
    return msg


async def interaction_callback(request: web.Request) -> web.Response:
    factory = request.app[_FACTORY]
    iid = _snowflake_arg(request, "interaction_id")
    handle = factory.by_id.get(iid or 0)
    body = request[_BODY]
    if handle is None or handle.token != request.match_info["token"]:
        return error(404, 10062, "Unknown interaction")
    deadline = request.app[_OPTIONS]["interaction_deadline"]
    if time.monotonic() - handle.dispatched_at > deadline:
        return error(404, 10062, "Unknown interaction")
    if handle.acknowledged:
        return error(400, 40060, "Interaction has already been acknowledged.")
    if not isinstance(body, dict) or "type" not in body:
        return error(400, 50035, "Invalid Form Body")
    errors = check_callback(body)
    if errors:
        return invalid_form_body(errors)
    kind = int(body["type"])
    data = body.get("data") or {}
    message: dict[str, Any] | None = None
    if kind == CHANNEL_MESSAGE:
        message = _store_interaction_message(request, handle, data)
        handle.original = message
    elif kind == DEFERRED_CHANNEL_MESSAGE:
        loading = dict(data)
        loading["flags"] = int(data.get("flags") or 0) | 128  # LOADING
        message = _store_interaction_message(request, handle, loading)
        handle.original = message
    elif kind == UPDATE_MESSAGE and "message" in handle.payload:
        world = _world(request)
        message = {**handle.payload["message"], **data, "edited_timestamp": world.iso_now()}
        handle.original = message
        world.replace_message(message)
    elif kind == DEFERRED_UPDATE_MESSAGE and "message" in handle.payload:
        handle.original = handle.payload["message"]  # @original now edits the clicked message
    handle.record(InteractionEvent("callback", body, at=request[_RECEIVED]))
    if request.query.get("with_response") not in ("1", "true", "True"):
        return web.Response(status=204)
    interaction: dict[str, Any] = {
        "id": str(handle.id),
        "type": handle.payload["type"],
        "response_message_loading": kind == DEFERRED_CHANNEL_MESSAGE,
        "response_message_ephemeral": bool(int(data.get("flags") or 0) & EPHEMERAL),
    }
    resource: dict[str, Any] = {"type": kind}
    if message is not None:
        interaction["response_message_id"] = message["id"]
        if kind != DEFERRED_UPDATE_MESSAGE:
            resource["message"] = message
    return json_response({"interaction": interaction, "resource": resource})


async def webhook_execute(request: web.Request) -> web.Response:
    handle = _handle(request)
    if handle is None:
        return error(404, 10015, "Unknown Webhook")
    body = request[_BODY] or {}
    refused = _refused_message(body)
    if refused is not None:
        return refused
    msg = _store_interaction_message(request, handle, body)
    handle.messages[msg["id"]] = msg
    handle.record(InteractionEvent("followup", body, msg["id"]))
    if request.query.get("wait") in ("true", "1", "True"):
        return json_response(msg)
    return web.Response(status=204)


def _webhook_message(
    handle: InteractionHandle, message_id: str
) -> tuple[dict[str, Any] | None, str]:
    if message_id == "@original":
        return handle.original, "@original"
    if handle.original is not None and handle.original["id"] == message_id:
        return handle.original, "@original"
    return handle.messages.get(message_id), message_id


async def webhook_message(request: web.Request) -> web.Response:
    handle = _handle(request)
    if handle is None:
        return error(404, 10015, "Unknown Webhook")
    msg, key = _webhook_message(handle, request.match_info["message_id"])
    if request.method == "GET":
        return json_response(msg) if msg else error(404, 10008, "Unknown Message")
    if msg is None:
        return error(404, 10008, "Unknown Message")
    if request.method == "DELETE":
        handle.record(InteractionEvent("delete", {}, key))
        _world(request).remove_message(msg)
        if key == "@original":
            handle.original = None
        else:
            handle.messages.pop(key, None)
        return web.Response(status=204)
    body = request[_BODY] or {}
    refused = _refused_message(body)
    if refused is not None:
        return refused
    merged = {**msg, **{k: v for k, v in body.items() if k != "allowed_mentions"}}
    merged["flags"] = int(msg.get("flags") or 0) & ~128
    merged["edited_timestamp"] = _world(request).iso_now()
    _world(request).replace_message(merged)
    if key == "@original":
        handle.original = merged
    else:
        handle.messages[key] = merged
    handle.record(InteractionEvent("edit", body, key, at=request[_RECEIVED]))
    return json_response(merged)


# -- channels, messages, guilds ---------------------------------------------------------------


async def get_channel(request: web.Request) -> web.Response:
    channel, err = _channel_or_error(request)
    if err:
        return err
    assert channel is not None
    return json_response(channel.payload())


async def post_message(request: web.Request) -> web.Response:
    channel, err = _channel_or_error(request, VIEW_CHANNEL | SEND_MESSAGES)
    if err:
        return err
    assert channel is not None
    world = _world(request)
    body = request[_BODY] or {}
    nonce = body.get("nonce")
    now = time.monotonic()
    if nonce is not None and body.get("enforce_nonce"):
        seen = world.nonces.get((channel.id, str(nonce)))
        if seen and now - seen[0] < NONCE_WINDOW_S:
            return json_response(seen[1])
    if not (
        body.get("content") or body.get("embeds") or body.get("components") or body.get("_files")
    ):
        return error(400, 50006, "Cannot send an empty message")
    refused = _refused_message(body)
    if refused is not None:
        return refused
    msg = world.message_payload(channel.id, body)
    world.store_message(msg)
    if nonce is not None:
        world.nonces[(channel.id, str(nonce))] = (now, msg)
    return json_response(msg)


async def get_messages(request: web.Request) -> web.Response:
    channel, err = _channel_or_error(request, VIEW_CHANNEL | READ_MESSAGE_HISTORY)
    if err:
        return err
    assert channel is not None
    msgs = _world(request).messages.get(channel.id, [])
    try:
        limit = max(1, min(100, int(request.query.get("limit", 50))))
        before = int(request.query["before"]) if "before" in request.query else None
        after = int(request.query["after"]) if "after" in request.query else None
    except ValueError:
        return error(400, 50035, "Invalid Form Body")
    ordered = sorted(msgs, key=lambda m: int(m["id"]))
    # As Discord: `after` gives the `limit` messages right after that id, every page newest
    # first (discord.py pages on with the first item's id).
    if after is not None:
        picked = [m for m in ordered if int(m["id"]) > after][:limit]
    else:
        if before is not None:
            ordered = [m for m in ordered if int(m["id"]) < before]
        picked = ordered[-limit:]
    return json_response(sorted(picked, key=lambda m: int(m["id"]), reverse=True))


async def channel_message(request: web.Request) -> web.Response:
    channel, err = _channel_or_error(request, VIEW_CHANNEL | READ_MESSAGE_HISTORY)
    if err:
        return err
    assert channel is not None
    msgs = _world(request).messages.get(channel.id, [])
    mid = request.match_info["message_id"]
    msg = next((m for m in msgs if m["id"] == mid), None)
    if msg is None:
        return error(404, 10008, "Unknown Message")
    world = _world(request)
    if request.method == "DELETE":
        world.remove_message(msg)
        return web.Response(status=204)
    if request.method == "PATCH":
        body = request[_BODY] or {}
        refused = _refused_message(body)
        if refused is not None:
            return refused
        msg.update({k: v for k, v in body.items() if k != "allowed_mentions"})
        msg["edited_timestamp"] = world.iso_now()
        world.publish("update", msg)
    return json_response(msg)


async def get_guild(request: web.Request) -> web.Response:
    world = _world(request)
    guild = world.guilds.get(_snowflake_arg(request, "guild_id") or 0)
    if guild is None:
        return error(404, 10004, "Unknown Guild")
    return json_response(guild.payload(world.bot.id, full=False))


async def get_guild_channels(request: web.Request) -> web.Response:
    world = _world(request)
    guild = world.guilds.get(_snowflake_arg(request, "guild_id") or 0)
    if guild is None:
        return error(404, 10004, "Unknown Guild")
    return json_response([c.payload() for c in guild.channels.values() if not c.deleted])


async def get_member(request: web.Request) -> web.Response:
    world = _world(request)
    guild = world.guilds.get(_snowflake_arg(request, "guild_id") or 0)
    if guild is None:
        return error(404, 10004, "Unknown Guild")
    member = guild.members.get(_snowflake_arg(request, "user_id") or 0)
    if member is None:
        return error(404, 10007, "Unknown Member")
    return json_response(member.payload())


async def not_found(request: web.Request) -> web.Response:
    return json_response({"message": "404: Not Found", "code": 0}, status=404)


def add_routes(
    app: web.Application,
    world: World,
    factory: InteractionFactory,
    faults: dict[tuple[str, str], list[Fault]],
    gateway_url: list[str],
    options: dict[str, float],
    gateway: Gateway,
    limit: GlobalLimit,
) -> None:
    app[_WORLD] = world
    app[_GATEWAY] = gateway
    app[_LIMIT] = limit
    app[_FACTORY] = factory
    app[_FAULTS] = faults
    app[_GATEWAY_URL] = gateway_url
    app[_OPTIONS] = options
    p = API_PREFIX
    r = app.router
    r.add_get(p + "/gateway", get_gateway)
    r.add_get(p + "/gateway/bot", get_gateway_bot)
    r.add_get(p + "/users/@me", get_me)
    r.add_get(p + "/users/{user_id}", get_user)
    r.add_get(p + "/oauth2/applications/@me", get_application)
    r.add_get(p + "/applications/@me", get_application)
    for base in (
        "/applications/{application_id}",
        "/applications/{application_id}/guilds/{guild_id}",
    ):
        r.add_get(p + base + "/commands", get_commands)
        r.add_put(p + base + "/commands", put_commands)
        r.add_post(p + base + "/commands", post_command)
        r.add_delete(p + base + "/commands/{command_id}", delete_command)
    r.add_post(p + "/interactions/{interaction_id}/{token}/callback", interaction_callback)
    r.add_post(p + "/webhooks/{application_id}/{token}", webhook_execute)
    for method in ("GET", "PATCH", "DELETE"):
        r.add_route(
            method, p + "/webhooks/{application_id}/{token}/messages/{message_id}", webhook_message
        )
    r.add_get(p + "/channels/{channel_id}", get_channel)
    r.add_post(p + "/channels/{channel_id}/messages", post_message)
    r.add_get(p + "/channels/{channel_id}/messages", get_messages)
    for method in ("GET", "PATCH", "DELETE"):
        r.add_route(method, p + "/channels/{channel_id}/messages/{message_id}", channel_message)
    r.add_get(p + "/guilds/{guild_id}", get_guild)
    r.add_get(p + "/guilds/{guild_id}/channels", get_guild_channels)
    r.add_get(p + "/guilds/{guild_id}/members/{user_id}", get_member)
    r.add_route("*", p + "/{tail:.*}", not_found)
