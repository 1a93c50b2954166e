"""Schedule maths for daily briefings: when is a subscription next due, in UTC?

Pure functions of (post_time, timezone, days, now) so the dispatcher, the cog and the tests
all agree. DST rules: a wall time skipped by a spring-forward posts at the first minute that
exists after it; a wall time that occurs twice posts once, at its first occurrence.
"""

from __future__ import annotations

import re
import zoneinfo
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache

from rapidfuzz import fuzz

DAYS: tuple[str, ...] = ("daily", "weekdays")

_TIME_RE = re.compile(r"^\s*(\d{1,2})[:.h](\d{2})\s*$")
_POPULAR = (
    "Asia/Tokyo",
    "UTC",
    "Europe/London",
    "Europe/Paris",
    "Europe/Berlin",
    "Europe/Moscow",
    "America/New_York",
    "America/Chicago",
    "America/Denver",
    "America/Los_Angeles",
    "Asia/Seoul",
    "Asia/Shanghai",
    "Asia/Singapore",
    "Asia/Kolkata",
    "Australia/Sydney",
    "Pacific/Auckland",
)


class ScheduleError(ValueError):
    """Bad user input for a schedule, with a message fit to show a user.

    The message quotes what the user typed. This module knows nothing of Discord, so `str()`
    quotes it raw (logs, CLI) and `render(quote)` lets the cog escape and clip the quote:
    typed Markdown or `@everyone` must not be echoed as formatting, and a 6,000-character
    option must not push the answer past Discord's message limit.
    """

    def __init__(self, template: str, value: str) -> None:
        self.template = template
        self.value = value
        super().__init__(self.render(str))

    def render(self, quote: Callable[[str], str]) -> str:
        return self.template.replace("{value}", quote(self.value))


@dataclass(frozen=True, slots=True)
class Due:
    at: datetime  # aware UTC
    local_date: date  # the subscriber's calendar date this post belongs to


def parse_post_time(value: str) -> str:
    """Accept 'HH:MM' (also 'H:MM') in 24-hour time and return it normalised to 'HH:MM'."""
    match = _TIME_RE.match(value or "")
    if not match:
        raise ScheduleError("'{value}' is not a time: use 24-hour HH:MM, for example 08:30.", value)
    hour, minute = int(match.group(1)), int(match.group(2))
    if hour > 23 or minute > 59:
        raise ScheduleError("'{value}' is not a valid time: hours 00-23, minutes 00-59.", value)
    return f"{hour:02d}:{minute:02d}"


def _time_of(post_time: str) -> time:
    normal = parse_post_time(post_time)
    return time(int(normal[:2]), int(normal[3:]))


def validate_days(value: str) -> str:
    normal = (value or "").strip().lower()
    if normal not in DAYS:
        raise ScheduleError("'{value}' is not a schedule: choose 'daily' or 'weekdays'.", value)
    return normal


@lru_cache(maxsize=1)
def list_timezones() -> tuple[str, ...]:
    """Every IANA zone name tzdata knows, sorted, without the posix/ and right/ mirrors."""
    names = {
        n
        for n in zoneinfo.available_timezones()
        if not n.startswith(("posix/", "right/", "Etc/GMT")) and n not in {"localtime", "Factory"}
    }
    names.add("UTC")
    return tuple(sorted(names))


@lru_cache(maxsize=1)
def _lower_index() -> dict[str, str]:
    return {n.lower(): n for n in list_timezones()}


def validate_timezone(name: str) -> str:
    """Return the canonical spelling of an IANA zone name, or raise with suggestions."""
    raw = (name or "").strip()
    canonical = _lower_index().get(raw.lower().replace(" ", "_"))
    if canonical is None:
        # Names hidden from the list (Etc/GMT+9 ...) are still valid if zoneinfo has them.
        try:
            zoneinfo.ZoneInfo(raw)
        # OSError: a name longer than the file system allows ("File name too long").
        except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):
            hints = suggest_timezones(raw, limit=3) if raw else []
            hint = f" Did you mean {', '.join(hints)}?" if hints else ""
            raise ScheduleError(
                "'{value}' is not a known time zone: use an IANA name such as Asia/Tokyo." + hint,
                raw,
            ) from None
        canonical = raw
    return canonical


def suggest_timezones(prefix: str, limit: int = 25) -> list[str]:
    """Zone names for autocomplete: prefix matches, then substring, then fuzzy matches."""
    limit = max(0, min(limit, 25))
    query = (prefix or "").strip().lower().replace(" ", "_")
    names = list_timezones()
    if not query:
        return list(_POPULAR[:limit])
    out: list[str] = []
    seen: set[str] = set()

    def add(candidates: list[str]) -> None:
        for n in candidates:
            if n not in seen and len(n) <= 100 and len(out) < limit:
                seen.add(n)
                out.append(n)

    add([n for n in names if n.lower().startswith(query)])
    add([n for n in names if n.lower().rsplit("/", 1)[-1].startswith(query)])
    add([n for n in names if query in n.lower()])
    if len(out) < limit and len(query) >= 3:
        add([name for name, _ in _fuzzy(query)])
    return out


def _fuzzy(query: str) -> list[tuple[str, float]]:
    """Typo-tolerant matches, comparing against the whole name and the city alone."""
    squashed = query.replace("_", "")
    scored = []
    for name in list_timezones():
        lower = name.lower()
        city = lower.rsplit("/", 1)[-1].replace("_", "")
        score = max(fuzz.WRatio(query, lower), fuzz.ratio(squashed, city))
        if score >= 72:
            scored.append((name, score))
    scored.sort(key=lambda item: (-item[1], item[0]))
    return scored


def _zone(timezone: str) -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(validate_timezone(timezone))


def _exists(naive: datetime, tz: zoneinfo.ZoneInfo) -> bool:
    round_trip = naive.replace(tzinfo=tz).astimezone(UTC).astimezone(tz)
    return round_trip.replace(tzinfo=None) == naive


def _resolve(naive: datetime, tz: zoneinfo.ZoneInfo) -> datetime:
    """The UTC instant for a local wall time: fold=0 for a repeated time, the end of the gap
    (first valid minute after it) for a skipped one."""
    if _exists(naive, tz):
        return naive.replace(tzinfo=tz, fold=0).astimezone(UTC)
    # In a gap the two folds map to instants either side of the transition.
    a = naive.replace(tzinfo=tz, fold=0).astimezone(UTC)
    b = naive.replace(tzinfo=tz, fold=1).astimezone(UTC)
    lo, hi = min(a, b), max(a, b)
    # Binary search (in minutes) for the first instant whose wall time is past `naive`.
    lo_m, hi_m = 0, int((hi - lo).total_seconds() // 60) + 1
    while lo_m < hi_m:
        mid = (lo_m + hi_m) // 2
        wall = (lo + timedelta(minutes=mid)).astimezone(tz).replace(tzinfo=None)
        if wall > naive:
            hi_m = mid
        else:
            lo_m = mid + 1
    return lo + timedelta(minutes=lo_m)


def _day_allowed(day: date, days: str) -> bool:
    return days == "daily" or day.weekday() < 5


def local_instant(local_date: date, post_time: str, timezone: str) -> datetime:
    """The UTC instant at which a post for `local_date` is due."""
    return _resolve(datetime.combine(local_date, _time_of(post_time)), _zone(timezone))


def next_due(post_time: str, timezone: str, days: str, now: datetime) -> Due:
    """The first due instant strictly after `now`."""
    _check_now(now)
    days = validate_days(days)
    tz, at_time = _zone(timezone), _time_of(post_time)
    start = now.astimezone(tz).date() - timedelta(days=1)
    for offset in range(10):
        day = start + timedelta(days=offset)
        if not _day_allowed(day, days):
            continue
        at = _resolve(datetime.combine(day, at_time), tz)
        if at > now:
            return Due(at=at, local_date=day)
    raise AssertionError("unreachable: a due instant exists within 10 days")


def previous_due(post_time: str, timezone: str, days: str, now: datetime) -> Due | None:
    """The latest due instant at or before `now` (within the last week)."""
    _check_now(now)
    days = validate_days(days)
    tz, at_time = _zone(timezone), _time_of(post_time)
    start = now.astimezone(tz).date() + timedelta(days=1)
    for offset in range(10):
        day = start - timedelta(days=offset)
        if not _day_allowed(day, days):
            continue
        at = _resolve(datetime.combine(day, at_time), tz)
        if at <= now:
            return Due(at=at, local_date=day)
    return None


def _check_now(now: datetime) -> None:
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("`now` must be timezone-aware")
