"""Thin discord.py extensions: parse an interaction, call the core, render the answer."""
