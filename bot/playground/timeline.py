"""What the page shows: every message of the demo server as the emulator saw the bot create,
edit and delete it (ephemeral ones too, each kept for its one viewer), and the live feed of
those changes to each open page."""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

EPHEMERAL = 1 << 6
MESSAGES_PER_CHANNEL = 200  # older ones leave the page, as a long Discord history scrolls off
QUEUE_SIZE = 500  # events waiting for one slow page; past that it reloads instead
USED_KEPT = 10_000  # "who used which command" lines kept, the oldest dropped first


def visible_to(message: dict[str, Any]) -> str | None:
    """The user id an ephemeral message is for; None for a public message."""
    if not int(message.get("flags") or 0) & EPHEMERAL:
        return None
    meta = message.get("interaction_metadata") or {}
    return str((meta.get("user") or {}).get("id") or "") or None


@dataclass(eq=False)  # kept in a set, by identity
class Subscriber:
    """One open page: the events for it, and whether it fell too far behind."""

    user_id: str
    queue: asyncio.Queue[dict[str, Any]] = field(default_factory=lambda: asyncio.Queue(QUEUE_SIZE))
    overflowed: bool = False

    def offer(self, event: dict[str, Any]) -> None:
        to = event.get("visible_to")
        if to is not None and to != self.user_id:
            return
        try:
            self.queue.put_nowait(event)
        except asyncio.QueueFull:
            self.overflowed = True


class Timeline:
    """Messages by channel, in order; the emulator calls `observe` for every change."""

    def __init__(self) -> None:
        self.channels: dict[str, OrderedDict[str, dict[str, Any]]] = {}
        self.used: dict[str, str] = {}  # interaction id -> "Alex used /section"
        self.subscribers: set[Subscriber] = set()

    # -- what happened --------------------------------------------------------------------

    def note_interaction(self, interaction_id: int, who: str, what: str) -> None:
        """Remember who used which command, for the line above the bot's answer."""
        self.used[str(interaction_id)] = f"{who} used {what}"
        while len(self.used) > USED_KEPT:
            del self.used[next(iter(self.used))]

    def observe(self, event: str, message: dict[str, Any]) -> None:
        channel = self.channels.setdefault(str(message["channel_id"]), OrderedDict())
        if event == "delete":
            channel.pop(message["id"], None)
        else:
            channel[message["id"]] = message
            while len(channel) > MESSAGES_PER_CHANNEL:
                channel.popitem(last=False)
        self.broadcast({"type": event, "visible_to": visible_to(message), **self.view(message)})

    def notice(self, user_id: int, text: str) -> None:
        """A line for one viewer only, as Discord shows "The application did not respond"."""
        self.broadcast({"type": "notice", "visible_to": str(user_id), "text": text})

    def broadcast(self, event: dict[str, Any]) -> None:
        for subscriber in self.subscribers:
            subscriber.offer(event)

    # -- reading --------------------------------------------------------------------------

    def view(self, message: dict[str, Any]) -> dict[str, Any]:
        meta = message.get("interaction_metadata") or {}
        return {"message": message, "used": self.used.get(str(meta.get("id")))}

    def find(self, message_id: str) -> dict[str, Any] | None:
        for channel in self.channels.values():
            if message_id in channel:
                return channel[message_id]
        return None

    def for_viewer(self, user_id: str) -> dict[str, list[dict[str, Any]]]:
        """Every channel's messages that `user_id` may see, oldest first."""
        return {
            channel_id: [
                self.view(m) for m in messages.values() if visible_to(m) in (None, user_id)
            ]
            for channel_id, messages in self.channels.items()
        }

    def subscribe(self, user_id: str) -> Subscriber:
        subscriber = Subscriber(user_id)
        self.subscribers.add(subscriber)
        return subscriber

    def unsubscribe(self, subscriber: Subscriber) -> None:
        self.subscribers.discard(subscriber)
