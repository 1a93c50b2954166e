"""`python -m tests.support.shifted_run ARGS...`: `briefing-bot ARGS...` whose briefings clock is
the system clock moved by BRIEFING_TEST_CLOCK_SHIFT seconds (a float, may be negative).

Test-only: it keeps the product's config free of a clock setting. Every process of a test
cluster gets the same shift, so their clocks agree with each other as the real ones do;
sleeps stay real. Without the variable this is `briefing-bot` itself.
"""

from __future__ import annotations

import os
import sys
from datetime import datetime, timedelta

SHIFT_ENV = "BRIEFING_TEST_CLOCK_SHIFT"


def shift_system_clock(seconds: float) -> None:
    from bot.briefings import clock

    original = clock.SystemClock.now
    delta = timedelta(seconds=seconds)

    def now(self: clock.SystemClock) -> datetime:
        return original(self) + delta

    clock.SystemClock.now = now  # type: ignore[method-assign]


def main() -> int:
    if os.environ.get(SHIFT_ENV):
        shift_system_clock(float(os.environ[SHIFT_ENV]))
    from bot.cli import main as briefing_bot

    return briefing_bot(sys.argv[1:])


if __name__ == "__main__":
    sys.exit(main())
