"""Checking a message payload against every Discord limit, the way Discord would.

Discord rejects the whole message when one part is too long, and discord.py does not check
lengths before sending; the tests run every rendered answer (and every payload the emulator
received) through `message_problems`, so a renderer change that breaks a limit fails a test
instead of a user's command.
"""

from __future__ import annotations

from typing import Any

import discord

from bot.app.render import limits


def _len(value: Any) -> int:
    return len(value) if isinstance(value, str) else 0


def embed_problems(embed: dict[str, Any], where: str = "embed") -> list[str]:
    """Every limit an embed dict breaks (title, description, fields, footer, author)."""
    out: list[str] = []

    def over(name: str, value: Any, limit: int) -> None:
        if _len(value) > limit:
            out.append(f"{where}.{name}: {_len(value)} > {limit}")

    over("title", embed.get("title"), limits.EMBED_TITLE)
    over("description", embed.get("description"), limits.EMBED_DESCRIPTION)
    over("footer", (embed.get("footer") or {}).get("text"), limits.EMBED_FOOTER)
    over("author", (embed.get("author") or {}).get("name"), limits.EMBED_AUTHOR)
    fields = embed.get("fields") or []
    if len(fields) > limits.EMBED_FIELDS:
        out.append(f"{where}.fields: {len(fields)} > {limits.EMBED_FIELDS}")
    for i, field in enumerate(fields):
        over(f"fields[{i}].name", field.get("name"), limits.EMBED_FIELD_NAME)
        over(f"fields[{i}].value", field.get("value"), limits.EMBED_FIELD_VALUE)
        if not field.get("name") or not field.get("value"):
            out.append(f"{where}.fields[{i}]: empty name or value")
    return out


def embeds_total(embeds: list[dict[str, Any]]) -> int:
    """Characters counted towards the 6,000 shared by all embeds of a message."""
    total = 0
    for e in embeds:
        total += _len(e.get("title")) + _len(e.get("description"))
        total += _len((e.get("footer") or {}).get("text"))
        total += _len((e.get("author") or {}).get("name"))
        total += sum(_len(f.get("name")) + _len(f.get("value")) for f in e.get("fields") or [])
    return total


def _component_problems(component: dict[str, Any], where: str) -> list[str]:
    out: list[str] = []
    custom_id = component.get("custom_id")
    if custom_id is not None and len(custom_id) > limits.CUSTOM_ID:
        out.append(f"{where}.custom_id: {len(custom_id)} > {limits.CUSTOM_ID}")
    if component.get("type") == 2 and _len(component.get("label")) > limits.BUTTON_LABEL:
        out.append(f"{where}.label: > {limits.BUTTON_LABEL}")
    options = component.get("options") or []
    if len(options) > limits.SELECT_OPTIONS:
        out.append(f"{where}.options: {len(options)} > {limits.SELECT_OPTIONS}")
    values = [o.get("value") for o in options]
    if len(set(values)) != len(values):
        out.append(f"{where}.options: repeated values")
    for j, o in enumerate(options):
        if _len(o.get("label")) > limits.SELECT_OPTION_LABEL or not o.get("label"):
            out.append(f"{where}.options[{j}].label: empty or > {limits.SELECT_OPTION_LABEL}")
        if _len(o.get("description")) > limits.SELECT_OPTION_DESCRIPTION:
            out.append(f"{where}.options[{j}].description: > {limits.SELECT_OPTION_DESCRIPTION}")
        if _len(o.get("value")) > limits.SELECT_OPTION_VALUE:
            out.append(f"{where}.options[{j}].value: > {limits.SELECT_OPTION_VALUE}")
    return out


def message_problems(data: dict[str, Any]) -> list[str]:
    """Every limit a message payload (content, embeds, components) breaks; [] when fine."""
    out: list[str] = []
    if _len(data.get("content")) > limits.MESSAGE_CONTENT:
        out.append(f"content: {_len(data.get('content'))} > {limits.MESSAGE_CONTENT}")
    embeds = data.get("embeds") or []
    if len(embeds) > limits.EMBEDS_PER_MESSAGE:
        out.append(f"embeds: {len(embeds)} > {limits.EMBEDS_PER_MESSAGE}")
    for i, embed in enumerate(embeds):
        out.extend(embed_problems(embed, f"embeds[{i}]"))
    total = embeds_total(embeds)
    if total > limits.EMBED_TOTAL:
        out.append(f"embeds total: {total} > {limits.EMBED_TOTAL}")
    rows = data.get("components") or []
    if len(rows) > limits.COMPONENT_ROWS:
        out.append(f"components: {len(rows)} rows > {limits.COMPONENT_ROWS}")
    ids: list[str] = []
    for r, row in enumerate(rows):
        for c, component in enumerate(row.get("components") or []):
            out.extend(_component_problems(component, f"components[{r}][{c}]"))
            if component.get("custom_id"):
                ids.append(component["custom_id"])
    if len(set(ids)) != len(ids):
        out.append("components: repeated custom_id")
    return out


def rendered_problems(
    embed: discord.Embed | None = None,
    view: discord.ui.View | None = None,
    content: str | None = None,
) -> list[str]:
    """`message_problems` for what a cog is about to send."""
    data: dict[str, Any] = {"content": content}
    if embed is not None:
        data["embeds"] = [embed.to_dict()]
    if view is not None:
        data["components"] = view.to_components()
    return message_problems(data)
