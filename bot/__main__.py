"""`python -m bot` is the same as `briefing-bot`."""

import sys

from bot.cli import main

sys.exit(main())
