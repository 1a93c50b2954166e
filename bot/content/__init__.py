"""Loading and validating the bundled content (see docs/content-format.md)."""

from bot.content.loader import LoadResult, load_content
from bot.content.problems import Problem

__all__ = ["LoadResult", "Problem", "load_content"]
