"""Unit tests of the warranty calendar (``rules/warranty_dates.py``): no database, no Odoo."""

import itertools
from datetime import date, timedelta

import pytest
from aftersales_rules import warranty_dates as wd

# --- add_months / add_duration: month-end clamping -------------------------------------------


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (date(2023, 1, 31), 1, date(2023, 2, 28)),
        (date(2024, 1, 31), 1, date(2024, 2, 29)),  # leap year
        (date(2024, 3, 31), 1, date(2024, 4, 30)),
        (date(2024, 1, 30), 1, date(2024, 2, 29)),
        (date(2024, 1, 15), 1, date(2024, 2, 15)),
        (date(2024, 11, 30), 3, date(2025, 2, 28)),  # across a year end
        (date(2023, 12, 31), 2, date(2024, 2, 29)),
        (date(2024, 8, 31), 18, date(2026, 2, 28)),
        (date(2024, 3, 31), -1, date(2024, 2, 29)),  # backwards
        (date(2024, 1, 15), -13, date(2022, 12, 15)),
        (date(2024, 5, 20), 0, date(2024, 5, 20)),
    ],
)
def test_add_months_clamps_to_month_end(start, months, expected):
    assert wd.add_months(start, months) == expected


@pytest.mark.parametrize(
    ("start", "duration", "unit", "expected"),
    [
        (date(2024, 2, 29), 1, "year", date(2025, 2, 28)),  # leap day, next year has none
        (date(2024, 2, 29), 4, "year", date(2028, 2, 29)),  # leap day to leap day
        (date(2024, 2, 29), 2, "year", date(2026, 2, 28)),
        (date(2023, 3, 1), 2, "year", date(2025, 3, 1)),
        (date(2024, 1, 31), 1, "month", date(2024, 2, 29)),
        (date(2024, 1, 31), 6, "month", date(2024, 7, 31)),
        (date(2024, 12, 31), 30, "day", date(2025, 1, 30)),
        (date(2024, 2, 28), 1, "day", date(2024, 2, 29)),
        (date(2023, 2, 28), 1, "day", date(2023, 3, 1)),
        (date(2024, 6, 1), 0, "month", date(2024, 6, 1)),
    ],
)
def test_add_duration(start, duration, unit, expected):
    assert wd.add_duration(start, duration, unit) == expected


def test_add_duration_unknown_unit():
    with pytest.raises(ValueError):
        wd.add_duration(date(2024, 1, 1), 1, "week")


# --- end_date: start + duration + counted downtime -------------------------------------------


def test_end_date_legal_guarantee_two_years_from_delivery():
    # Directive (EU) 2019/771 art. 10: 2 years from delivery.
    assert wd.end_date(date(2024, 5, 17), 2, "year") == date(2026, 5, 17)


def test_end_date_adds_downtime_after_the_duration():
    # Clamp first, then add the repair days (Law 2300-1 art. 20 p. 3):
    # 31 Jan + 1 month = 29 Feb 2024, + 2 days = 2 March (not 31 Jan + 2 days + 1 month).
    assert wd.end_date(date(2024, 1, 31), 1, "month", 2) == date(2024, 3, 2)
    assert wd.end_date(date(2024, 2, 29), 1, "year", 12) == date(2025, 3, 12)
    assert wd.end_date(date(2024, 1, 10), 10, "day", None) == date(2024, 1, 20)


def test_counted_downtime():
    assert wd.counted_downtime(12, True) == 12
    assert wd.counted_downtime(12, False) == 0
    assert wd.counted_downtime(0, True) == 0
    assert wd.counted_downtime(None, True) == 0
    assert wd.counted_downtime(False, True) == 0


def test_end_date_matches_relativedelta():
    """The standard-library arithmetic gives what the addon computed with dateutil."""
    relativedelta = pytest.importorskip("dateutil.relativedelta").relativedelta

    def reference(start, duration, unit, downtime):
        delta = {
            "day": relativedelta(days=duration),
            "month": relativedelta(months=duration),
            "year": relativedelta(years=duration),
        }[unit]
        return start + delta + relativedelta(days=downtime or 0)

    starts = [date(2023, 1, 1) + timedelta(days=n) for n in range(0, 3 * 366, 3)]
    starts += [date(2024, 2, 29), date(2023, 12, 31), date(2024, 1, 31), date(2100, 2, 28)]
    checked = 0
    for start, (duration, unit), downtime in itertools.product(
        starts,
        [
            (1, "day"),
            (45, "day"),
            (1, "month"),
            (6, "month"),
            (13, "month"),
            (25, "month"),
            (1, "year"),
            (2, "year"),
            (4, "year"),
            (10, "year"),
            (-1, "month"),
            (0, "year"),
        ],
        [0, 1, 31],
    ):
        assert wd.end_date(start, duration, unit, downtime) == reference(
            start, duration, unit, downtime
        ), (start, duration, unit, downtime)
        checked += 1
    assert checked > 10000


# --- extensions -------------------------------------------------------------------------------


def test_extension_start_is_day_after_base_end():
    assert wd.extension_start(date(2026, 2, 28)) == date(2026, 3, 1)
    assert wd.extension_start(date(2028, 2, 28)) == date(2028, 2, 29)
    assert wd.extension_start(date(2025, 12, 31)) == date(2026, 1, 1)


def test_shifted_extension_start_follows_the_base():
    old_end, new_end = date(2026, 5, 17), date(2026, 6, 6)
    # Started right after the old base end: moves with it.
    assert wd.shifted_extension_start(date(2026, 5, 18), old_end, new_end) == date(2026, 6, 7)
    # Base end moved earlier (downtime removed): follows too.
    assert wd.shifted_extension_start(date(2026, 6, 7), new_end, old_end) == date(2026, 5, 18)
    # Started on another day: stays.
    assert wd.shifted_extension_start(date(2026, 5, 20), old_end, new_end) is None
    assert wd.shifted_extension_start(date(2026, 5, 17), old_end, new_end) is None
    # No previous base end: nothing to follow.
    assert wd.shifted_extension_start(date(2026, 5, 18), None, new_end) is None


# --- validity, expiry and state ---------------------------------------------------------------


def test_is_valid_on_includes_both_ends():
    start, end = date(2024, 2, 29), date(2026, 2, 28)
    assert wd.is_valid_on(start, end, start)
    assert wd.is_valid_on(start, end, end)
    assert wd.is_valid_on(start, end, date(2025, 1, 1), "expired")
    assert not wd.is_valid_on(start, end, date(2024, 2, 28))
    assert not wd.is_valid_on(start, end, date(2026, 3, 1))
    assert not wd.is_valid_on(start, end, date(2025, 1, 1), "void")
    assert not wd.is_valid_on(start, False, date(2025, 1, 1))


def test_is_past_end():
    end = date(2026, 2, 28)
    assert not wd.is_past_end(end, end)
    assert wd.is_past_end(end, date(2026, 3, 1))
    assert not wd.is_past_end(end, date(2026, 2, 27))
    assert not wd.is_past_end(False, date(2026, 3, 1))


def test_lifecycle_state():
    end = date(2026, 2, 28)
    assert wd.lifecycle_state("active", end, end) == "active"
    assert wd.lifecycle_state("active", end, date(2026, 3, 1)) == "expired"
    # Downtime pushed the end past today: revived.
    assert wd.lifecycle_state("expired", end, date(2026, 2, 1)) == "active"
    assert wd.lifecycle_state("expired", end, date(2027, 1, 1)) == "expired"
    # Void is final; no end date keeps the state.
    assert wd.lifecycle_state("void", end, date(2026, 2, 1)) == "void"
    assert wd.lifecycle_state("active", False, date(2030, 1, 1)) == "active"


def test_downtime_window_and_running_layers():
    back = date(2024, 3, 10)
    assert wd.downtime_start(back, 12) == date(2024, 2, 27)
    assert wd.downtime_start(back, 0) == back
    start_in = wd.downtime_start(back, 12)
    # Running during the repair: overlaps the window, ends included.
    assert wd.runs_during(date(2023, 1, 1), date(2024, 2, 27), start_in, back)
    assert wd.runs_during(date(2024, 3, 10), date(2025, 1, 1), start_in, back)
    # Ended before the unit came in, or starts after it went back (an extension not started).
    assert not wd.runs_during(date(2023, 1, 1), date(2024, 2, 26), start_in, back)
    assert not wd.runs_during(date(2024, 3, 11), date(2025, 1, 1), start_in, back)


def test_days_left():
    today = date(2024, 2, 28)
    assert wd.days_left(date(2024, 3, 1), today) == 2  # over the leap day
    assert wd.days_left(today, today) == 0
    assert wd.days_left(date(2024, 2, 1), today) == 0  # late: never negative
    assert wd.days_left(date(2024, 3, 1), today, "expired") == 0
    assert wd.days_left(date(2024, 3, 1), today, "void") == 0
    assert wd.days_left(False, today) == 0
    assert wd.days_to_end(date(2024, 2, 1), today) == -27


def test_is_expiring_soon_window():
    today = date(2024, 2, 1)
    assert wd.is_expiring_soon(today, today)
    assert wd.is_expiring_soon(date(2024, 3, 2), today)  # 30 days: last day of the window
    assert not wd.is_expiring_soon(date(2024, 3, 3), today)  # 31 days
    assert not wd.is_expiring_soon(date(2024, 1, 31), today)  # already over
    assert not wd.is_expiring_soon(date(2024, 2, 10), today, "expired")
    assert not wd.is_expiring_soon(date(2024, 2, 10), today, "void")
    assert wd.is_expiring_soon(date(2024, 2, 8), today, window=7)
    assert not wd.is_expiring_soon(date(2024, 2, 9), today, window=7)
    assert wd.expiring_soon_window(today) == (today, date(2024, 3, 2))
    assert wd.expiring_soon_window(date(2024, 12, 15), 30) == (
        date(2024, 12, 15),
        date(2025, 1, 14),
    )


def test_expiring_soon_search_matches_compute():
    """The search bounds select exactly the active layers the compute flags."""
    today = date(2024, 2, 15)
    first, last = wd.expiring_soon_window(today)
    for n in range(-40, 60):
        end = today + timedelta(days=n)
        assert (first <= end <= last) == wd.is_expiring_soon(end, today), n


@pytest.mark.parametrize(
    ("duration", "unit", "ok"),
    [
        (1, "day", True),
        (36500, "day", True),
        (36501, "day", False),
        (1200, "month", True),
        (1201, "month", False),
        (100, "year", True),
        (101, "year", False),
        (20000, "year", False),
        (0, "year", False),
        (-1, "month", False),
        (2, "week", False),
        ("2", "year", False),
        (2.5, "year", False),
        (True, "year", False),
    ],
)
def test_duration_in_bounds(duration, unit, ok):
    assert wd.duration_in_bounds(duration, unit) is ok
    if ok:
        # The longest allowed durations still give a date.
        assert wd.end_date(date(2026, 12, 31), duration, unit, wd.MAX_DOWNTIME_DAYS)
