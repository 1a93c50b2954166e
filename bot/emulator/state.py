"""The emulator's world: guilds, channels, members, messages, commands and requests.

Everything is plain data so tests can set it up and assert on it directly. Payload builders
produce exactly the shapes discord.py parses (with every key it indexes without `.get`),
because a missing key in a gateway payload crashes the whole client rather than one test.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

DISCORD_EPOCH_MS = 1420070400000

# Permission bits used by the bot (https://discord.com/developers/docs/topics/permissions).
ADMINISTRATOR = 1 << 3
VIEW_CHANNEL = 1 << 10
SEND_MESSAGES = 1 << 11
EMBED_LINKS = 1 << 14
ATTACH_FILES = 1 << 15
READ_MESSAGE_HISTORY = 1 << 16
USE_APPLICATION_COMMANDS = 1 << 31
MANAGE_GUILD = 1 << 5
ALL_PERMISSIONS = (1 << 53) - 1

BOT_DEFAULT_PERMISSIONS = VIEW_CHANNEL | SEND_MESSAGES | EMBED_LINKS | READ_MESSAGE_HISTORY
MEMBER_DEFAULT_PERMISSIONS = (
    VIEW_CHANNEL | SEND_MESSAGES | EMBED_LINKS | READ_MESSAGE_HISTORY | USE_APPLICATION_COMMANDS
)

_counter = itertools.count()


def snowflake(at: float | None = None) -> int:
    """A Discord-shaped id: milliseconds since the Discord epoch, then a counter."""
    ms = int((time.time() if at is None else at) * 1000)
    return ((ms - DISCORD_EPOCH_MS) << 22) | (next(_counter) & 0x3FFFFF)


def shard_of(guild_id: int, shard_count: int) -> int:
    """The shard whose session receives a guild's events (Discord's formula)."""
    return (guild_id >> 22) % shard_count


def snowflake_on_shard(shard_id: int, shard_count: int) -> int:
    """A new snowflake that `shard_of` puts on `shard_id` (a few ms ahead at most)."""
    base = snowflake()
    ms = base >> 22
    ms += (shard_id - ms) % shard_count
    return (ms << 22) | (base & 0x3FFFFF)


def iso_now() -> str:
    return datetime.now(UTC).isoformat()


@dataclass
class User:
    id: int
    username: str
    bot: bool = False

    def payload(self) -> dict[str, Any]:
        return {
            "id": str(self.id),
            "username": self.username,
            "discriminator": "0",
            "global_name": None if self.bot else self.username.title(),
            "avatar": None,
            "bot": self.bot,
            "system": False,
            "flags": 0,
            "public_flags": 0,
            "banner": None,
            "accent_color": None,
            "avatar_decoration_data": None,
            "primary_guild": None,
            "collectibles": None,
        }


@dataclass
class Role:
    id: int
    name: str
    permissions: int
    position: int = 0
    managed: bool = False

    def payload(self) -> dict[str, Any]:
        return {
            "id": str(self.id),
            "name": self.name,
            "color": 0,
            "colors": {"primary_color": 0, "secondary_color": None, "tertiary_color": None},
            "hoist": False,
            "icon": None,
            "unicode_emoji": None,
            "position": self.position,
            "permissions": str(self.permissions),
            "managed": self.managed,
            "mentionable": False,
            "flags": 0,
        }


@dataclass
class Member:
    user: User
    roles: list[int] = field(default_factory=list)
    joined_at: str = field(default_factory=iso_now)

    def payload(self, permissions: int | None = None) -> dict[str, Any]:
        data: dict[str, Any] = {
            "user": self.user.payload(),
            "nick": None,
            "avatar": None,
            "banner": None,
            "roles": [str(r) for r in self.roles],
            "joined_at": self.joined_at,
            "premium_since": None,
            "deaf": False,
            "mute": False,
            "flags": 0,
            "pending": False,
            "communication_disabled_until": None,
            "unusual_dm_activity_until": None,
        }
        if permissions is not None:
            data["permissions"] = str(permissions)
        return data


@dataclass
class Overwrite:
    id: int
    type: int  # 0 role, 1 member
    allow: int = 0
    deny: int = 0

    def payload(self) -> dict[str, Any]:
        return {
            "id": str(self.id),
            "type": self.type,
            "allow": str(self.allow),
            "deny": str(self.deny),
        }


@dataclass
class Channel:
    id: int
    guild_id: int
    name: str
    type: int = 0  # GUILD_TEXT
    position: int = 0
    overwrites: list[Overwrite] = field(default_factory=list)
    deleted: bool = False  # the bot gets 404 Unknown Channel

    def payload(self, permissions: int | None = None) -> dict[str, Any]:
        data: dict[str, Any] = {
            "id": str(self.id),
            "type": self.type,
            "guild_id": str(self.guild_id),
            "name": self.name,
            "position": self.position,
            "permission_overwrites": [o.payload() for o in self.overwrites],
            "topic": None,
            "nsfw": False,
            "last_message_id": None,
            "rate_limit_per_user": 0,
            "parent_id": None,
            "flags": 0,
            "default_thread_rate_limit_per_user": 0,
        }
        if permissions is not None:
            data["permissions"] = str(permissions)
        return data


@dataclass
class Guild:
    id: int
    name: str
    owner_id: int
    roles: dict[int, Role] = field(default_factory=dict)
    channels: dict[int, Channel] = field(default_factory=dict)
    members: dict[int, Member] = field(default_factory=dict)
    features: list[str] = field(default_factory=list)
    locale: str = "en-US"

    @property
    def everyone(self) -> Role:
        return self.roles[self.id]

    def base_permissions(self, user_id: int) -> int:
        if user_id == self.owner_id:
            return ALL_PERMISSIONS
        perms = self.everyone.permissions
        member = self.members.get(user_id)
        for role_id in member.roles if member else []:
            role = self.roles.get(role_id)
            if role:
                perms |= role.permissions
        return ALL_PERMISSIONS if perms & ADMINISTRATOR else perms

    def channel_permissions(self, user_id: int, channel: Channel) -> int:
        """Discord's overwrite order: @everyone, then roles together, then the member."""
        perms = self.base_permissions(user_id)
        if perms == ALL_PERMISSIONS:
            return perms
        member = self.members.get(user_id)
        roles = set(member.roles) if member else set()
        by_id = {o.id: o for o in channel.overwrites}
        if self.id in by_id:
            perms = (perms & ~by_id[self.id].deny) | by_id[self.id].allow
        allow = deny = 0
        for o in channel.overwrites:
            if o.type == 0 and o.id in roles:
                allow |= o.allow
                deny |= o.deny
        perms = (perms & ~deny) | allow
        mine = by_id.get(user_id)
        if mine is not None and mine.type == 1:
            perms = (perms & ~mine.deny) | mine.allow
        return perms

    def payload(self, bot_user_id: int, *, full: bool = True) -> dict[str, Any]:
        data: dict[str, Any] = {
            "id": str(self.id),
            "name": self.name,
            "icon": None,
            "splash": None,
            "discovery_splash": None,
            "owner_id": str(self.owner_id),
            "afk_channel_id": None,
            "afk_timeout": 300,
            "verification_level": 0,
            "default_message_notifications": 0,
            "explicit_content_filter": 0,
            "roles": [r.payload() for r in self.roles.values()],
            "emojis": [],
            "stickers": [],
            "features": list(self.features),
            "mfa_level": 0,
            "application_id": None,
            "system_channel_id": None,
            "system_channel_flags": 0,
            "rules_channel_id": None,
            "public_updates_channel_id": None,
            "safety_alerts_channel_id": None,
            "vanity_url_code": None,
            "description": None,
            "banner": None,
            "premium_tier": 0,
            "premium_subscription_count": 0,
            "premium_progress_bar_enabled": False,
            "preferred_locale": self.locale,
            "nsfw_level": 0,
            "max_members": 500000,
            "max_video_channel_users": 25,
            "approximate_member_count": len(self.members),
        }
        if full:
            bot_member = self.members.get(bot_user_id)
            data.update(
                {
                    "joined_at": bot_member.joined_at if bot_member else iso_now(),
                    "large": False,
                    "unavailable": False,
                    "member_count": len(self.members),
                    "voice_states": [],
                    "members": [m.payload() for m in self.members.values()],
                    "channels": [c.payload() for c in self.channels.values() if not c.deleted],
                    "threads": [],
                    "presences": [],
                    "stage_instances": [],
                    "guild_scheduled_events": [],
                    "soundboard_sounds": [],
                }
            )
        return data


@dataclass
class RecordedRequest:
    """One REST request as the bot sent it (Authorization removed)."""

    method: str
    path: str  # without the /api/v10 prefix
    route: str  # the route template, e.g. /channels/{channel_id}/messages
    query: dict[str, str]
    json: Any
    headers: dict[str, str]
    status: int = 0
    at: float = field(default_factory=time.monotonic)


@dataclass
class Fault:
    status: int
    remaining: int
    retry_after: float = 0.05
    code: int = 0
    message: str = ""
    is_global: bool = False


# What a message observer is told: "create", "update" or "delete", and the message as stored.
MessageObserver = Callable[[str, dict[str, Any]], None]


def _utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class World:
    """All mutable emulator state; created by `Emulator` and reachable as `emulator.state`."""

    token: str
    application_id: int
    bot: User
    owner: User
    app_name: str = "Briefing Bot"
    team_members: list[User] = field(default_factory=list)
    guilds: dict[int, Guild] = field(default_factory=dict)
    messages: dict[int, list[dict[str, Any]]] = field(default_factory=dict)
    global_commands: list[dict[str, Any]] = field(default_factory=list)
    guild_commands: dict[int, list[dict[str, Any]]] = field(default_factory=dict)
    requests: list[RecordedRequest] = field(default_factory=list)
    nonces: dict[tuple[int, str], tuple[float, dict[str, Any]]] = field(default_factory=dict)
    users: dict[int, User] = field(default_factory=dict)
    # False only under a benchmark (serve.py --bench): no RecordedRequest per REST call and
    # no copy of interaction answers in `messages`, so a long run keeps counters, not history.
    record_requests: bool = True
    # Told of every message the bot creates, edits or deletes, ephemeral ones included (the
    # playground draws its page from them); called synchronously, so observers must be quick.
    observers: list[MessageObserver] = field(default_factory=list)
    # Message timestamps: the wall clock unless a simulated one is set (the playground's).
    now: Callable[[], datetime] = _utc_now

    # -- messages -----------------------------------------------------------------------------

    def iso_now(self) -> str:
        return self.now().isoformat()

    def publish(self, event: str, message: dict[str, Any]) -> None:
        for observer in self.observers:
            observer(event, message)

    def store_message(self, message: dict[str, Any]) -> None:
        """Keep a public message in its channel's history and tell the observers."""
        self.messages.setdefault(int(message["channel_id"]), []).append(message)
        self.publish("create", message)

    def replace_message(self, message: dict[str, Any]) -> None:
        """An edited message replaces the stored one (same id), as Discord's history shows."""
        stored = self.messages.get(int(message["channel_id"]), [])
        for i, old in enumerate(stored):
            if old["id"] == message["id"]:
                stored[i] = message
                break
        self.publish("update", message)

    def remove_message(self, message: dict[str, Any]) -> None:
        stored = self.messages.get(int(message["channel_id"]), [])
        stored[:] = [m for m in stored if m["id"] != message["id"]]
        self.publish("delete", message)

    # -- set-up helpers -------------------------------------------------------------------

    def add_guild(
        self,
        name: str = "Test Guild",
        *,
        guild_id: int | None = None,
        shard: tuple[int, int] | None = None,
        channels: tuple[str, ...] = ("general", "briefings"),
        bot_permissions: int = BOT_DEFAULT_PERMISSIONS,
        everyone_permissions: int = MEMBER_DEFAULT_PERMISSIONS,
    ) -> Guild:
        """A guild with the bot and the owner as members; `shard=(id, count)` picks an id on
        that shard."""
        gid = guild_id or (snowflake_on_shard(*shard) if shard else snowflake())
        guild = Guild(id=gid, name=name, owner_id=self.owner.id)
        guild.roles[gid] = Role(id=gid, name="@everyone", permissions=everyone_permissions)
        bot_role = Role(
            id=snowflake(),
            name=self.app_name,
            permissions=bot_permissions,
            position=1,
            managed=True,
        )
        guild.roles[bot_role.id] = bot_role
        guild.members[self.bot.id] = Member(self.bot, roles=[bot_role.id])
        guild.members[self.owner.id] = Member(self.owner)
        for position, channel_name in enumerate(channels):
            self.add_channel(guild, channel_name, position=position)
        self.guilds[gid] = guild
        return guild

    def add_channel(self, guild: Guild, name: str, *, position: int = 0) -> Channel:
        channel = Channel(id=snowflake(), guild_id=guild.id, name=name, position=position)
        guild.channels[channel.id] = channel
        self.messages.setdefault(channel.id, [])
        return channel

    def add_member(self, guild: Guild, username: str, *, roles: list[int] | None = None) -> Member:
        user = User(id=snowflake(), username=username)
        self.users[user.id] = user
        member = Member(user, roles=list(roles or []))
        guild.members[user.id] = member
        return member

    def deny_bot(self, channel_id: int, permissions: int = VIEW_CHANNEL) -> None:
        """Add a member overwrite denying the bot `permissions` (VIEW_CHANNEL → 403 50001)."""
        channel = self.channel(channel_id)
        if channel is None:
            raise KeyError(channel_id)
        channel.overwrites = [o for o in channel.overwrites if o.id != self.bot.id]
        channel.overwrites.append(Overwrite(id=self.bot.id, type=1, deny=permissions))

    def delete_channel(self, channel_id: int) -> None:
        """The channel disappears: the bot gets 404 Unknown Channel (10003) from now on."""
        channel = self.channel(channel_id)
        if channel is None:
            raise KeyError(channel_id)
        channel.deleted = True

    def post_as(self, user: User, channel_id: int, content: str) -> dict[str, Any]:
        """A message someone else posts in a channel (no gateway event; it is in the history)."""
        msg = self.message_payload(channel_id, {"content": content})
        msg["author"] = user.payload()
        self.store_message(msg)
        return msg

    # -- look-ups ---------------------------------------------------------------------------

    def channel(self, channel_id: int) -> Channel | None:
        for guild in self.guilds.values():
            if channel_id in guild.channels:
                return guild.channels[channel_id]
        return None

    def guild_of(self, channel: Channel) -> Guild:
        return self.guilds[channel.guild_id]

    def bot_permissions_in(self, channel: Channel) -> int:
        return self.guild_of(channel).channel_permissions(self.bot.id, channel)

    def first_guild(self) -> Guild:
        return next(iter(self.guilds.values()))

    def first_channel(self, guild: Guild | None = None) -> Channel:
        guild = guild or self.first_guild()
        return next(iter(guild.channels.values()))

    def requests_to(self, method: str, route_or_path: str) -> list[RecordedRequest]:
        return [
            r
            for r in self.requests
            if r.method == method.upper() and route_or_path in (r.route, r.path)
        ]

    def application_payload(self) -> dict[str, Any]:
        team = None
        if self.team_members:
            team_id = snowflake()
            team = {
                "id": str(team_id),
                "name": "Team",
                "icon": None,
                "owner_user_id": str(self.team_members[0].id),
                "members": [
                    {
                        "membership_state": 2,
                        "team_id": str(team_id),
                        "user": u.payload(),
                        "role": "admin",
                        "permissions": ["*"],
                    }
                    for u in self.team_members
                ],
            }
        return {
            "id": str(self.application_id),
            "name": self.app_name,
            "icon": None,
            "description": "Diplomatic Bluebook briefings",
            "rpc_origins": [],
            "bot_public": True,
            "bot_require_code_grant": False,
            "terms_of_service_url": None,
            "privacy_policy_url": None,
            "owner": self.owner.payload(),
            "verify_key": "0" * 64,
            "team": team,
            "guild_id": None,
            "primary_sku_id": None,
            "slug": None,
            "cover_image": None,
            "flags": 0,
            "tags": [],
            "install_params": None,
            "custom_install_url": None,
            "role_connections_verification_url": None,
            "approximate_guild_count": len(self.guilds),
            "approximate_user_install_count": 0,
            "interactions_endpoint_url": None,
            "redirect_uris": [],
            "integration_types_config": {"0": {}},
            "bot": self.bot.payload(),
        }

    def message_payload(
        self,
        channel_id: int,
        body: dict[str, Any],
        *,
        message_id: int | None = None,
        message_type: int = 0,
        webhook_id: int | None = None,
    ) -> dict[str, Any]:
        channel = self.channel(channel_id)
        msg: dict[str, Any] = {
            # As on Discord, the id carries the message's time (`after=` searches rely on it).
            "id": str(message_id or snowflake(self.now().timestamp())),
            "channel_id": str(channel_id),
            "author": self.bot.payload(),
            "content": body.get("content") or "",
            "timestamp": self.iso_now(),
            "edited_timestamp": None,
            "tts": bool(body.get("tts", False)),
            "mention_everyone": False,
            "mentions": [],
            "mention_roles": [],
            "attachments": body.get("attachments") or [],
            "embeds": body.get("embeds") or [],
            "components": body.get("components") or [],
            "pinned": False,
            "type": message_type,
            "flags": int(body.get("flags") or 0),
        }
        if channel is not None:
            msg["guild_id"] = str(channel.guild_id)
        if body.get("nonce") is not None:
            msg["nonce"] = body["nonce"]
        if webhook_id is not None:
            msg["webhook_id"] = str(webhook_id)
            msg["application_id"] = str(self.application_id)
        return msg
