"""Every Discord length limit, in one place.

Discord rejects a whole message when any one part is over its limit, so every renderer
checks against these constants rather than its own copies.
"""

from __future__ import annotations

# The renderers clip with the core's one clip().
from bot.text import ELLIPSIS as ELLIPSIS
from bot.text import clip as clip

MESSAGE_CONTENT = 2000
EMBED_TITLE = 256
EMBED_DESCRIPTION = 4096
EMBED_FIELD_NAME = 256
EMBED_FIELD_VALUE = 1024
EMBED_FIELDS = 25
EMBED_FOOTER = 2048
EMBED_AUTHOR = 256
EMBED_TOTAL = 6000
EMBEDS_PER_MESSAGE = 10
AUTOCOMPLETE_CHOICES = 25
AUTOCOMPLETE_NAME = 100
AUTOCOMPLETE_VALUE = 100
CUSTOM_ID = 100
SELECT_OPTIONS = 25
SELECT_OPTION_LABEL = 100
SELECT_OPTION_DESCRIPTION = 100
SELECT_OPTION_VALUE = 100
BUTTON_LABEL = 80
SELECT_PLACEHOLDER = 150
COMPONENT_ROWS = 5
COMMAND_NAME = 32
COMMAND_DESCRIPTION = 100
INTERACTION_DEADLINE_S = 3.0
