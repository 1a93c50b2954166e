"""Discord rendering of the command answers: embeds, pages, components, escaping.

Everything here turns the plain dataclasses of `bot.search.ask` into discord.py objects that
fit every limit in `bot.app.render.limits`; the cog only parses, calls and sends.
"""
