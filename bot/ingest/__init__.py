"""Raw Bluebook text -> content folder. `parse_bluebook` is the pure part other code uses."""

from bot.ingest.errors import IngestError
from bot.ingest.parse import parse_bluebook

__all__ = ["IngestError", "parse_bluebook"]
