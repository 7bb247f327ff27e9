"""ID-05: working days on the Russian production calendar, decreed transfers included."""

from datetime import date

import pytest

from kit.calendar import add_working_days, is_working_day


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (date(2026, 11, 20), True),  # a Friday
        (date(2026, 11, 21), False),  # Saturday
        (date(2026, 11, 4), False),  # Unity Day
        (date(2026, 1, 9), False),  # day off moved by decree from 3 January 2026
        (date(2025, 11, 1), True),  # a Saturday made a working day by decree (ID-05)
        (date(2025, 11, 3), False),  # ... whose day off moved to this Monday
        (date(2026, 12, 31), False),  # moved from 4 January 2026
    ],
)
def test_production_calendar(day: date, working: bool):  # ID-05
    assert is_working_day(day) is working


@pytest.mark.parametrize(
    ("paid_on", "deadline"),
    [
        (date(2026, 11, 19), date(2026, 11, 23)),  # Thursday + 2 working days → Monday
        (date(2026, 11, 20), date(2026, 11, 24)),  # Friday → Tuesday
        (date(2026, 11, 21), date(2026, 11, 25)),  # paid on Saturday: counting starts Monday
        (date(2026, 11, 3), date(2026, 11, 6)),  # Tuesday before Unity Day (4 Nov) → Friday
        (date(2025, 12, 30), date(2026, 1, 13)),  # 31 Dec, the New Year holidays and 9 Jan are off
        (date(2025, 10, 30), date(2025, 11, 1)),  # Thursday → the working Saturday
    ],
)
def test_policy_deadline_two_working_days_after_payment(paid_on: date, deadline: date):  # DMS-06
    assert add_working_days(paid_on, 2) == deadline


def test_negative_days_are_refused():
    with pytest.raises(ValueError, match="negative"):
        add_working_days(date(2026, 11, 20), -1)
