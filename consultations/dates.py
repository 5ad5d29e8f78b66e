"""Due dates: working days for concerns, calendar months for rights requests.

Bank holidays
-------------
``BANK_HOLIDAYS`` lists the bank holidays of England and Wales (one list: Wales shares
England's bank holidays). Source: GOV.UK, "UK bank holidays", https://www.gov.uk/bank-holidays
(machine-readable: https://www.gov.uk/bank-holidays.json, division ``england-and-wales``),
checked against the standing pattern: New Year's Day, Good Friday, Easter Monday, the early
May and spring bank holidays (first and last Monday of May), the summer bank holiday (last
Monday of August), Christmas Day and Boxing Day, with substitute days when one falls at a
weekend.

To extend it: when GOV.UK publishes a new year, add that year's dates below (copy the
``england-and-wales`` events from the JSON), including any one-off holiday proclaimed for a
special occasion, update ``BANK_HOLIDAYS_KNOWN_UNTIL``, and run the tests in
``tests/consultations/test_dates.py``. ``manage.py check`` warns (consultations.W001) when
the list no longer covers next year.
"""

from __future__ import annotations

import calendar
import datetime as dt

BANK_HOLIDAYS: frozenset[dt.date] = frozenset(
    dt.date.fromisoformat(day)
    for day in (
        # 2025
        "2025-01-01", "2025-04-18", "2025-04-21", "2025-05-05",
        "2025-05-26", "2025-08-25", "2025-12-25", "2025-12-26",
        # 2026 (Boxing Day is a Saturday: substitute day Monday 28 December)
        "2026-01-01", "2026-04-03", "2026-04-06", "2026-05-04",
        "2026-05-25", "2026-08-31", "2026-12-25", "2026-12-28",
        # 2027 (Christmas Day and Boxing Day at the weekend: substitute days 27 and 28 December)
        "2027-01-01", "2027-03-26", "2027-03-29", "2027-05-03",
        "2027-05-31", "2027-08-30", "2027-12-27", "2027-12-28",
        # 2028 (New Year's Day is a Saturday: substitute day Monday 3 January)
        "2028-01-03", "2028-04-14", "2028-04-17", "2028-05-01",
        "2028-05-29", "2028-08-28", "2028-12-25", "2028-12-26",
    )
)  # fmt: skip
BANK_HOLIDAYS_KNOWN_UNTIL = 2028


def is_working_day(day: dt.date) -> bool:
    """Monday to Friday, except bank holidays in England and Wales."""
    return day.weekday() < 5 and day not in BANK_HOLIDAYS


def add_working_days(start: dt.date, days: int) -> dt.date:
    """The ``days``-th working day after ``start`` (``start`` itself is day 0).

    A concern raised on a Friday with one working day to answer is due on Monday; raised on a
    Saturday, it is due on Monday too (the first working day after it).
    """
    if days < 0:
        raise ValueError("days must not be negative")
    day = start
    counted = 0
    while counted < days:
        day += dt.timedelta(days=1)
        if is_working_day(day):
            counted += 1
    return day


def next_working_day(day: dt.date) -> dt.date:
    """``day`` itself if it is a working day, otherwise the next one."""
    while not is_working_day(day):
        day += dt.timedelta(days=1)
    return day


def add_months(start: dt.date, months: int) -> dt.date:
    """The same day of the month ``months`` later; the last day of that month if it is shorter
    (31 January + 1 month = 28 or 29 February)."""
    month_index = start.month - 1 + months
    year = start.year + month_index // 12
    month = month_index % 12 + 1
    last = calendar.monthrange(year, month)[1]
    return dt.date(year, month, min(start.day, last))


def rights_request_due(received: dt.date, *, extended: bool = False) -> dt.date:
    """When a rights request must be answered (UK GDPR Art. 12(3), as the ICO explains it).

    One calendar month from the day it was received (that day counts as day 1 whether or not it
    is a working day), to the corresponding date of the next month, or the last day of that
    month when it has no such date. If that date is a weekend or bank holiday, the answer is
    due on the next working day. An extension adds two further months.
    """
    return next_working_day(add_months(received, 3 if extended else 1))
