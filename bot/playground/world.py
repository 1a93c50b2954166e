"""The playground's demo server: a guild with a few channels and the three people the page
lets you be — a member, a member with Manage Server, and the owner (of the server and of the
application, so /admin accepts them)."""

from __future__ import annotations

from dataclasses import dataclass

from bot.emulator import MANAGE_GUILD, Emulator
from bot.emulator.state import Member, Role, snowflake

GUILD_NAME = "Briefing Bot Playground"
CHANNELS = ("general", "briefings", "news")
HEARTBEAT_ACK_DELAY = 0.05  # seconds, about Discord's; see Gateway.heartbeat_ack_delay


@dataclass(frozen=True)
class Viewer:
    """Someone the page can act as."""

    key: str  # member | admin | owner
    label: str
    role: str  # what they may do, as the page says it
    member: Member

    @property
    def user_id(self) -> int:
        return self.member.user.id

    def payload(self) -> dict[str, str]:
        return {
            "key": self.key,
            "label": self.label,
            "role": self.role,
            "user_id": str(self.user_id),
        }


def demo_emulator() -> tuple[Emulator, dict[str, Viewer]]:
    """An emulator holding the demo server, and its viewers by key (member, admin, owner)."""
    emulator = Emulator(guilds=0, heartbeat_ack_delay=HEARTBEAT_ACK_DELAY)
    world = emulator.state
    world.owner.username = "sam"
    guild = world.add_guild(GUILD_NAME, channels=CHANNELS)
    moderators = Role(id=snowflake(), name="Moderators", permissions=MANAGE_GUILD, position=2)
    guild.roles[moderators.id] = moderators
    member = world.add_member(guild, "mika")
    admin = world.add_member(guild, "alex", roles=[moderators.id])
    viewers = {
        "member": Viewer("member", "Mika", "member", member),
        "admin": Viewer("admin", "Alex", "Manage Server", admin),
        "owner": Viewer("owner", "Sam", "server and bot owner", guild.members[world.owner.id]),
    }
    return emulator, viewers
