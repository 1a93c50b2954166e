"""Discord rendering of the command answers: embeds, pages, components, escaping.

Everything here turns the plain dataclasses of `bot.commands` into discord.py objects that
fit every limit in `bot.limits`; the cog only parses, calls and sends.
"""
