"""The slug rule for section ids, shared by ingest, loader and evaluation files.

Ids must be reproducible from titles alone so that evaluation targets written by hand
(`doc#russia/situation-in-russia`) match what ingest produces.
"""

from __future__ import annotations

import re
import unicodedata

_NON_ALNUM = re.compile(r"[^a-z0-9]+")


def slugify(title: str) -> str:
    """NFKD to ASCII, lower-case, '&' to a space, runs of other characters to '-'."""
    ascii_text = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode("ascii")
    text = ascii_text.lower().replace("&", " ")
    return _NON_ALNUM.sub("-", text).strip("-")


def slug_path(titles: list[str]) -> str:
    """Join the slugs of a section's ancestors and its own title with '/'."""
    return "/".join(slugify(t) for t in titles)
