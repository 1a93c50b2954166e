"""Briefing Bot: the core, importable without a Discord connection where it can be."""

__version__ = "0.1.0"
