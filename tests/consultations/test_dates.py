"""Due dates: working days (weekends, bank holidays of England and Wales) and calendar months."""

import datetime as dt

import pytest
import time_machine
from django.core.checks import run_checks

from consultations import dates
from consultations.dates import (
    BANK_HOLIDAYS,
    add_months,
    add_working_days,
    is_working_day,
    rights_request_due,
)

D = dt.date.fromisoformat


@pytest.mark.parametrize(
    ("day", "working"),
    [
        ("2026-03-02", True),  # Monday
        ("2026-03-07", False),  # Saturday
        ("2026-03-08", False),  # Sunday
        ("2026-04-03", False),  # Good Friday
        ("2026-04-06", False),  # Easter Monday
        ("2026-12-28", False),  # substitute day for Boxing Day (a Saturday)
        ("2027-12-27", False),  # substitute day for Christmas Day (a Saturday)
        ("2028-01-03", False),  # substitute day for New Year's Day (a Saturday)
        ("2026-12-24", True),  # Christmas Eve is not a bank holiday
    ],
)
def test_it_knows_working_days(day, working):
    assert is_working_day(D(day)) is working


def test_each_year_has_eight_bank_holidays_none_at_a_weekend():
    for year in range(2025, dates.BANK_HOLIDAYS_KNOWN_UNTIL + 1):
        days = [d for d in BANK_HOLIDAYS if d.year == year]
        assert len(days) == 8, year
        assert all(d.weekday() < 5 for d in days), year


@pytest.mark.parametrize(
    ("start", "n", "due"),
    [
        ("2026-03-02", 0, "2026-03-02"),  # day 0 is the start
        ("2026-03-06", 1, "2026-03-09"),  # Friday + 1 → Monday
        ("2026-03-07", 1, "2026-03-09"),  # Saturday + 1 → Monday
        ("2026-03-02", 20, "2026-03-30"),  # four clear weeks
        ("2026-03-27", 5, "2026-04-07"),  # across Good Friday and Easter Monday
        ("2026-12-21", 5, "2026-12-30"),  # across Christmas and the substitute Boxing Day
        ("2025-12-24", 3, "2025-12-31"),  # Christmas Day and Boxing Day skipped
        ("2027-12-24", 2, "2027-12-30"),  # both substitute days skipped
        ("2027-12-31", 1, "2028-01-04"),  # New Year's substitute day (3 Jan 2028) skipped
    ],
)
def test_add_working_days(start, n, due):
    assert add_working_days(D(start), n) == D(due)


def test_add_working_days_refuses_a_negative_count():
    with pytest.raises(ValueError):
        add_working_days(D("2026-03-02"), -1)


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        ("2026-01-15", 1, "2026-02-15"),
        ("2026-01-31", 1, "2026-02-28"),  # no 31 February: the last day of the month
        ("2028-01-31", 1, "2028-02-29"),  # leap year
        ("2026-03-31", 1, "2026-04-30"),
        ("2026-11-30", 3, "2027-02-28"),  # across the year end, to a shorter month
        ("2026-12-31", 1, "2027-01-31"),
    ],
)
def test_add_months_lands_on_the_same_day_or_the_month_end(start, months, expected):
    assert add_months(D(start), months) == D(expected)


@pytest.mark.parametrize(
    ("received", "extended", "due"),
    [
        ("2026-09-03", False, "2026-10-05"),  # 3 October 2026 is a Saturday → Monday 5
        ("2026-01-31", False, "2026-03-02"),  # 28 February 2026 is a Saturday → Monday 2 March
        ("2026-03-03", False, "2026-04-07"),  # 3 April is Good Friday, 6 April Easter Monday
        ("2026-06-10", False, "2026-07-10"),  # a Friday: due that day
        ("2026-06-10", True, "2026-09-10"),  # extended by two further months
        ("2027-11-27", False, "2027-12-29"),  # 27 Dec is a substitute day, 28 Dec too
    ],
)
def test_rights_requests_are_due_a_calendar_month_later_on_a_working_day(received, extended, due):
    assert rights_request_due(D(received), extended=extended) == D(due)


def test_a_check_warns_when_the_bank_holidays_run_out():
    ids = {m.id for m in run_checks()}
    with time_machine.travel(dt.datetime(dates.BANK_HOLIDAYS_KNOWN_UNTIL, 3, 1, 12), tick=False):
        late = {m.id for m in run_checks()}
    assert "consultations.W001" not in ids
    assert "consultations.W001" in late
