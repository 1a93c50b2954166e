"""Errors a command may raise on purpose, whose message is shown to the user as is.

Every command reports problems through one path (`BriefingTree.on_error`): raising a
`UserFacingError` is how a cog says "this is the user's input or situation, not a bug", so
it gets a short ephemeral explanation instead of the generic error-id message and a log
entry with a traceback.
"""

from __future__ import annotations


class UserFacingError(Exception):
    """An expected failure; `str(error)` must be a short, helpful, user-safe sentence."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class ContentUnavailableError(UserFacingError):
    """The content snapshot is not loaded (invalid content at start)."""

    def __init__(self, message: str = "The content is not available right now; try later.") -> None:
        super().__init__(message)


class NotFoundError(UserFacingError):
    """What the user asked for does not exist (a section, a document, a subscription)."""
