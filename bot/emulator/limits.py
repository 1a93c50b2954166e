"""What Discord refuses, as the emulator enforces it (Discord API reference: message, embed,
component and interaction-response limits).

The emulator plays Discord, so it keeps its own table: sharing the bot's
`bot/app/render/limits.py` would let a wrong number there pass unnoticed on both sides.
"""

from __future__ import annotations

MESSAGE_CONTENT = 2000

EMBEDS_PER_MESSAGE = 10
EMBED_TITLE = 256
EMBED_DESCRIPTION = 4096
EMBED_FIELDS = 25
EMBED_FIELD_NAME = 256
EMBED_FIELD_VALUE = 1024
EMBED_FOOTER = 2048
EMBED_AUTHOR = 256
EMBED_TOTAL = 6000  # title + description + field names and values + footer + author

ACTION_ROWS = 5
BUTTONS_PER_ROW = 5
SELECT_OPTIONS = 25
CUSTOM_ID = 100

AUTOCOMPLETE_CHOICES = 25
CHOICE_NAME = 100
CHOICE_VALUE = 100

# Interaction callback types Discord accepts: PONG, CHANNEL_MESSAGE_WITH_SOURCE,
# DEFERRED_CHANNEL_MESSAGE_WITH_SOURCE, DEFERRED_UPDATE_MESSAGE, UPDATE_MESSAGE,
# APPLICATION_COMMAND_AUTOCOMPLETE_RESULT, MODAL, PREMIUM_REQUIRED, LAUNCH_ACTIVITY.
CALLBACK_TYPES = (1, 4, 5, 6, 7, 8, 9, 10, 12)
