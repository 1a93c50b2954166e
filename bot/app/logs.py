"""Logging with credentials redacted from every record, whatever handler receives it: the
bot token, and interaction tokens (webhook credentials valid for 15 minutes, which
discord.py's DEBUG output shows in URLs and in gateway event dumps).

Redaction happens in the log record factory, i.e. when a record is created, so it also
covers handlers we did not install (pytest's caplog, a library's own handler). A handler
filter would only protect the handlers it is attached to.
"""

from __future__ import annotations

import logging
import re
import sys
import threading
import traceback
from collections.abc import Iterable
from typing import Any

REDACTED = "[REDACTED]"
_secrets: set[str] = set()
_lock = threading.Lock()
_installed = False


# An interaction's token in a webhook URL, and the `token` field of an event dump.
_TOKEN_PATTERNS = (
    re.compile(r"(/(?:interactions|webhooks)/\d+/)[A-Za-z0-9_\-.]{20,}"),
    re.compile(r"""(["']token["']\s*:\s*["'])[^"']{20,}"""),
)


def redact(text: str) -> str:
    for secret in _secrets:
        if secret and secret in text:
            text = text.replace(secret, REDACTED)
    if "token" in text or "/interactions/" in text or "/webhooks/" in text:
        for pattern in _TOKEN_PATTERNS:
            text = pattern.sub(rf"\g<1>{REDACTED}", text)
    return text


def _install_factory() -> None:
    global _installed
    if _installed:
        return
    previous = logging.getLogRecordFactory()

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        try:
            message = record.getMessage()
        except Exception:  # a bad format string: leave it to logging's own error path
            return record
        record.msg = redact(message)
        record.args = ()
        if record.exc_info and record.exc_info[0] is not None:
            text = "".join(traceback.format_exception(*record.exc_info)).rstrip("\n")
            record.exc_text = redact(text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return record

    logging.setLogRecordFactory(factory)
    _installed = True


def add_secrets(values: Iterable[str]) -> None:
    """Redact each of `values` (at least 8 characters) from every later log record."""
    with _lock:
        for value in values:
            if value and len(value) >= 8:
                _secrets.add(value)
                _secrets.add(f"Bot {value}")
        _install_factory()


class _RedactingFormatter(logging.Formatter):
    """Second line of defence: redact the final text (e.g. exc_text cached elsewhere)."""

    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))


def setup_logging(level: str = "INFO", secrets: Iterable[str] = ()) -> None:
    """Log to stderr at `level`, with `secrets` redacted."""
    add_secrets(secrets)
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_RedactingFormatter("%(asctime)s %(levelname)-8s %(name)s: %(message)s"))
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level.upper())
