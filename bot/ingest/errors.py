"""The one exception ingest raises for bad input, so callers can print it without a traceback."""

from __future__ import annotations


class IngestError(ValueError):
    """Raw text that cannot become a document (no title, no headings, unreadable file...)."""
