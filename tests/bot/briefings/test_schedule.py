"""Schedule maths across DST transitions in four zones, weekdays, validation, autocomplete."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.briefings.schedule import (
    Due,
    ScheduleError,
    list_timezones,
    local_instant,
    next_due,
    parse_post_time,
    previous_due,
    suggest_timezones,
    validate_days,
    validate_timezone,
)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def local(due: Due, zone: str) -> datetime:
    return due.at.astimezone(ZoneInfo(zone))


# -- ordinary days and no-DST zones --------------------------------------------------------


def test_tokyo_has_no_dst_and_posts_at_the_same_utc_time_all_year() -> None:
    now = utc(2025, 1, 1)
    seen = []
    for _ in range(366):
        due = next_due("09:00", "Asia/Tokyo", "daily", now)
        assert due.at.hour == 0 and due.at.minute == 0
        seen.append(due.local_date)
        now = due.at
    # 2025-01-01 00:00 UTC is 09:00 in Tokyo, so the first post after it is the next day's
    assert seen == [date(2025, 1, 2) + timedelta(days=i) for i in range(366)]


def test_next_due_is_strictly_after_now_and_previous_due_at_or_before() -> None:
    at_nine = utc(2025, 6, 1, 0, 0)  # 09:00 in Tokyo
    assert next_due("09:00", "Asia/Tokyo", "daily", at_nine).local_date == date(2025, 6, 2)
    prev = previous_due("09:00", "Asia/Tokyo", "daily", at_nine)
    assert prev == Due(at=at_nine, local_date=date(2025, 6, 1))
    just_before = at_nine - timedelta(microseconds=1)
    assert next_due("09:00", "Asia/Tokyo", "daily", just_before).at == at_nine
    assert previous_due("09:00", "Asia/Tokyo", "daily", just_before).local_date == date(2025, 5, 31)  # type: ignore[union-attr]


def test_local_date_is_the_subscribers_date_not_utc() -> None:
    # 23:00 Friday in New York is already Saturday in UTC.
    due = next_due("23:00", "America/New_York", "weekdays", utc(2025, 3, 7, 12))
    assert due.local_date == date(2025, 3, 7)
    assert due.at == utc(2025, 3, 8, 4, 0)


# -- spring forward: the skipped time posts at the first valid minute after it -------------


@pytest.mark.parametrize(
    ("zone", "post", "day", "expected_local", "expected_utc"),
    [
        ("America/New_York", "02:30", date(2025, 3, 9), (3, 0), utc(2025, 3, 9, 7, 0)),
        ("America/New_York", "02:00", date(2025, 3, 9), (3, 0), utc(2025, 3, 9, 7, 0)),
        ("America/New_York", "02:59", date(2025, 3, 9), (3, 0), utc(2025, 3, 9, 7, 0)),
        ("America/New_York", "03:00", date(2025, 3, 9), (3, 0), utc(2025, 3, 9, 7, 0)),
        ("Europe/London", "01:30", date(2025, 3, 30), (2, 0), utc(2025, 3, 30, 1, 0)),
        ("Australia/Lord_Howe", "02:15", date(2025, 10, 5), (2, 30), utc(2025, 10, 4, 15, 30)),
        ("Australia/Lord_Howe", "02:00", date(2025, 10, 5), (2, 30), utc(2025, 10, 4, 15, 30)),
    ],
)
def test_spring_forward_gap(
    zone: str, post: str, day: date, expected_local: tuple[int, int], expected_utc: datetime
) -> None:
    due = next_due(
        post, zone, "daily", datetime.combine(day, datetime.min.time(), UTC) - timedelta(days=1)
    )
    # step until we reach the transition day
    while due.local_date < day:
        due = next_due(post, zone, "daily", due.at)
    assert due.local_date == day
    assert (local(due, zone).hour, local(due, zone).minute) == expected_local
    assert due.at == expected_utc
    assert local_instant(day, post, zone) == expected_utc
    # and the day after is back to normal
    after = next_due(post, zone, "daily", due.at)
    assert after.local_date == day + timedelta(days=1)
    assert local(after, zone).strftime("%H:%M") == post


# -- fall back: a repeated time posts once, at its first occurrence ------------------------


@pytest.mark.parametrize(
    ("zone", "post", "day", "first_utc", "second_utc"),
    [
        (
            "America/New_York",
            "01:30",
            date(2025, 11, 2),
            utc(2025, 11, 2, 5, 30),
            utc(2025, 11, 2, 6, 30),
        ),
        (
            "Europe/London",
            "01:30",
            date(2025, 10, 26),
            utc(2025, 10, 26, 0, 30),
            utc(2025, 10, 26, 1, 30),
        ),
        (
            "Australia/Lord_Howe",
            "01:45",
            date(2025, 4, 6),
            utc(2025, 4, 5, 14, 45),
            utc(2025, 4, 5, 15, 15),
        ),
    ],
)
def test_fall_back_repeated_time_posts_once(
    zone: str, post: str, day: date, first_utc: datetime, second_utc: datetime
) -> None:
    tz = ZoneInfo(zone)
    # sanity: both instants really show the same wall time
    assert (
        first_utc.astimezone(tz).strftime("%H:%M")
        == second_utc.astimezone(tz).strftime("%H:%M")
        == post
    )
    due = next_due(post, zone, "daily", first_utc - timedelta(hours=12))
    assert due == Due(at=first_utc, local_date=day)
    assert local(due, zone).fold == 0
    # between the two occurrences, and at the second one, the next post is tomorrow
    for now in (first_utc, first_utc + timedelta(minutes=1), second_utc):
        nxt = next_due(post, zone, "daily", now)
        assert nxt.local_date == day + timedelta(days=1)
        assert previous_due(post, zone, "daily", now) == due


@pytest.mark.parametrize(
    "zone", ["Asia/Tokyo", "Europe/London", "America/New_York", "Australia/Lord_Howe"]
)
@pytest.mark.parametrize("post", ["00:00", "01:30", "02:00", "02:15", "02:30", "09:00", "23:59"])
def test_a_year_of_posts_one_per_local_day(zone: str, post: str) -> None:
    """Across both transitions of 2025: every local date exactly once, increasing instants,
    and the wall time equals the post time whenever that wall time exists."""
    tz = ZoneInfo(zone)
    now = utc(2024, 12, 31)
    dates = []
    last = now
    for _ in range(367):
        due = next_due(post, zone, "daily", now)
        assert due.at > last
        wall = local(due, zone)
        if wall.strftime("%H:%M") != post:
            # only allowed on a gap: the post time does not exist that day
            naive = datetime.combine(due.local_date, datetime.strptime(post, "%H:%M").time())
            assert (
                naive.replace(tzinfo=tz).astimezone(UTC).astimezone(tz).replace(tzinfo=None)
                != naive
            )
            assert wall.replace(tzinfo=None) > naive
            assert wall.replace(tzinfo=None) - naive <= timedelta(hours=1)
        dates.append(due.local_date)
        last = now = due.at
    assert dates == [dates[0] + timedelta(days=i) for i in range(367)]
    assert dates[0] in (date(2024, 12, 30), date(2024, 12, 31), date(2025, 1, 1))


# -- weekdays ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "zone", ["Asia/Tokyo", "Europe/London", "America/New_York", "Australia/Lord_Howe"]
)
def test_weekdays_skip_the_weekend_in_the_subscribers_zone(zone: str) -> None:
    now = utc(2025, 3, 1)
    seen = []
    for _ in range(60):
        due = next_due("08:00", zone, "weekdays", now)
        assert due.local_date.weekday() < 5
        assert local(due, zone).date() == due.local_date
        seen.append(due.local_date)
        now = due.at
    # consecutive weekdays, nothing skipped
    for a, b in itertools.pairwise(seen):
        assert (b - a).days == (3 if a.weekday() == 4 else 1)


def test_weekday_decided_in_the_zone_not_in_utc() -> None:
    # Sunday 20:00 UTC is already Monday 05:00 in Tokyo: Monday 09:00 Tokyo is next.
    due = next_due("09:00", "Asia/Tokyo", "weekdays", utc(2025, 3, 9, 20))
    assert due == Due(at=utc(2025, 3, 10, 0), local_date=date(2025, 3, 10))
    # Friday 22:00 in New York (Saturday in UTC) still counts as Friday's post.
    prev = previous_due("22:00", "America/New_York", "weekdays", utc(2025, 3, 8, 4))
    assert prev is not None and prev.local_date == date(2025, 3, 7)
    # On Saturday the previous weekday post is Friday's.
    prev = previous_due("09:00", "Europe/London", "weekdays", utc(2025, 3, 8, 12))
    assert prev is not None and prev.local_date == date(2025, 3, 7)


def test_weekdays_across_spring_forward_monday() -> None:
    # A Sunday transition does not post on Sunday, and Monday is ordinary.
    due = next_due("02:30", "America/New_York", "weekdays", utc(2025, 3, 7, 12))
    assert due.local_date == date(2025, 3, 10)
    assert local(due, "America/New_York").strftime("%H:%M") == "02:30"


# -- validation and autocomplete -----------------------------------------------------------


def test_parse_post_time() -> None:
    assert parse_post_time("08:30") == "08:30"
    assert parse_post_time(" 9:05 ") == "09:05"
    assert parse_post_time("23:59") == "23:59"
    for bad in ("24:00", "12:60", "noon", "", "8", "08:3", "-1:00"):
        with pytest.raises(ScheduleError, match=r"HH:MM|valid time"):
            parse_post_time(bad)


def test_validate_days() -> None:
    assert validate_days("Daily") == "daily"
    assert validate_days(" weekdays ") == "weekdays"
    with pytest.raises(ScheduleError, match="daily' or 'weekdays"):
        validate_days("weekends")


def test_validate_timezone_canonicalises_and_suggests() -> None:
    assert validate_timezone("Asia/Tokyo") == "Asia/Tokyo"
    assert validate_timezone("asia/tokyo") == "Asia/Tokyo"
    assert validate_timezone("america/new york") == "America/New_York"
    assert validate_timezone("UTC") == "UTC"
    with pytest.raises(ScheduleError, match=r"Asia/Tokio.*Did you mean Asia/Tokyo"):
        validate_timezone("Asia/Tokio")
    # "a" * 300: zoneinfo raises OSError (file name too long), which once escaped as a crash
    for bad in ("", "Mars/Olympus", "../etc/passwd", "Asia/", "a" * 300, "x\x00y"):
        with pytest.raises(ScheduleError, match="not a known time zone"):
            validate_timezone(bad)
    with pytest.raises(ScheduleError):
        next_due("09:00", "Nowhere/Land", "daily", utc(2025, 1, 1))


def test_naive_now_is_refused() -> None:
    with pytest.raises(ValueError, match="aware"):
        next_due("09:00", "UTC", "daily", datetime(2025, 1, 1))


def test_list_and_suggest_timezones() -> None:
    names = list_timezones()
    assert "Asia/Tokyo" in names and "Australia/Lord_Howe" in names and "UTC" in names
    assert list(names) == sorted(names)
    assert not any(n.startswith(("posix/", "right/")) for n in names)
    assert suggest_timezones("tokyo")[0] == "Asia/Tokyo"
    assert suggest_timezones("Asia/Tok")[0] == "Asia/Tokyo"
    assert suggest_timezones("new york")[0] == "America/New_York"
    assert suggest_timezones("lord")[0] == "Australia/Lord_Howe"
    assert suggest_timezones("Asia/Tokio")[0] == "Asia/Tokyo"
    assert suggest_timezones("sydny")[0] == "Australia/Sydney"
    assert "Asia/Tokyo" in suggest_timezones("")
    many = suggest_timezones("america")
    assert len(many) == 25 and all(len(n) <= 100 for n in many)
    assert len(suggest_timezones("a", limit=5)) == 5
    assert len(suggest_timezones("a", limit=500)) == 25
    assert suggest_timezones("zzzzzzzzzz") == []


def test_schedule_error_quotes_the_input_raw_or_through_the_callers_quote() -> None:
    with pytest.raises(ScheduleError) as caught:
        parse_post_time("**9**")
    error = caught.value
    assert str(error) == "'**9**' is not a time: use 24-hour HH:MM, for example 08:30."
    assert error.render(lambda v: v.replace("*", "\\*")) == (
        "'\\*\\*9\\*\\*' is not a time: use 24-hour HH:MM, for example 08:30."
    )
