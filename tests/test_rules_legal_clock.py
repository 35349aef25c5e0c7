"""Unit tests of the legal clock (rules/legal_clock.py): pure dates and numbers, no database."""

from datetime import date

import pytest
from aftersales_rules import legal_clock


class TestDueDate:
    def test_repair_45_days(self):
        # Law 2300-1 art. 20: at most 45 days.
        assert legal_clock.due_date_from(date(2026, 3, 10), 45) == date(2026, 4, 24)

    def test_replacement_7_days_across_month_end(self):
        # Art. 21: 7 calendar days, weekends included.
        assert legal_clock.due_date_from(date(2026, 1, 28), 7) == date(2026, 2, 4)

    def test_refund_10_days_across_year_end(self):
        # Art. 22: 10 days.
        assert legal_clock.due_date_from(date(2025, 12, 25), 10) == date(2026, 1, 4)

    def test_leap_year_february(self):
        assert legal_clock.due_date_from(date(2028, 2, 25), 7) == date(2028, 3, 3)
        assert legal_clock.due_date_from(date(2027, 2, 25), 7) == date(2027, 3, 4)
        assert legal_clock.due_date_from(date(2028, 2, 28), 1) == date(2028, 2, 29)

    def test_zero_days_is_the_day_received(self):
        assert legal_clock.due_date_from(date(2026, 5, 31), 0) == date(2026, 5, 31)
        assert legal_clock.due_date_from(date(2026, 5, 31), None) == date(2026, 5, 31)

    def test_no_date_no_clock(self):
        assert legal_clock.due_date_from(None, 10) is False
        assert legal_clock.due_date_from(False, 10) is False


class TestIsOverdue:
    due = date(2026, 4, 24)

    def test_due_day_is_in_time(self):
        assert legal_clock.is_overdue(self.due, date(2026, 4, 24), False) is False

    def test_day_after_due_is_late(self):
        assert legal_clock.is_overdue(self.due, date(2026, 4, 25), False) is True

    def test_before_due(self):
        assert legal_clock.is_overdue(self.due, date(2026, 4, 1), False) is False

    def test_resolved_is_never_overdue(self):
        assert legal_clock.is_overdue(self.due, date(2026, 6, 1), True) is False

    def test_no_due_date(self):
        assert legal_clock.is_overdue(False, date(2026, 6, 1), False) is False
        assert legal_clock.is_overdue(None, date(2026, 6, 1), False) is False


class TestDays:
    due = date(2026, 2, 27)

    @pytest.mark.parametrize(
        ("on_date", "late"),
        [
            (date(2026, 2, 20), 0),
            (date(2026, 2, 27), 0),
            (date(2026, 2, 28), 1),
            (date(2026, 3, 1), 2),  # February 2026 has 28 days
            (date(2026, 3, 31), 32),
        ],
    )
    def test_days_late(self, on_date, late):
        assert legal_clock.days_late(self.due, on_date) == late

    def test_days_late_leap_year(self):
        assert legal_clock.days_late(date(2028, 2, 27), date(2028, 3, 1)) == 3

    def test_days_late_without_due_date(self):
        assert legal_clock.days_late(False, date(2026, 3, 1)) == 0

    @pytest.mark.parametrize(
        ("on_date", "left"),
        [
            (date(2026, 2, 20), 7),
            (date(2026, 2, 27), 0),
            (date(2026, 3, 1), -2),
            (date(2027, 2, 27), -365),
        ],
    )
    def test_days_left(self, on_date, left):
        assert legal_clock.days_left(self.due, on_date) == left

    def test_days_left_without_due_date(self):
        assert legal_clock.days_left(False, date(2026, 3, 1)) == 0


class TestPenalty:
    due = date(2026, 3, 10)

    def test_one_percent_per_whole_day_late(self):
        # Art. 23: 1 % of 900.00 per day, 10 days late.
        assert legal_clock.penalty(900.0, 1.0, self.due, date(2026, 3, 20)) == pytest.approx(90.0)

    def test_due_day_owes_nothing(self):
        assert legal_clock.penalty(900.0, 1.0, self.due, date(2026, 3, 10)) == 0.0

    def test_before_due_owes_nothing(self):
        assert legal_clock.penalty(900.0, 1.0, self.due, date(2026, 3, 1)) == 0.0

    def test_frozen_at_resolution(self):
        # Resolved 3 days late: the amount stays at 3 days whatever today is.
        amount = legal_clock.penalty(
            1234.56, 1.0, self.due, date(2026, 12, 31), resolved_on=date(2026, 3, 13)
        )
        assert amount == pytest.approx(37.0368)

    def test_resolved_in_time_owes_nothing(self):
        amount = legal_clock.penalty(
            900.0, 1.0, self.due, date(2026, 5, 1), resolved_on=date(2026, 3, 9)
        )
        assert amount == 0.0

    def test_fractional_rate_unrounded(self):
        # Rounding is the currency's, done by the caller: 99.99 × 0.5 % × 3 = 1.49985.
        amount = legal_clock.penalty(99.99, 0.5, self.due, date(2026, 3, 13))
        assert amount == pytest.approx(1.49985, abs=1e-12)

    def test_no_rate_or_no_due_date(self):
        assert legal_clock.penalty(900.0, 0.0, self.due, date(2026, 4, 1)) == 0.0
        assert legal_clock.penalty(900.0, 1.0, False, date(2026, 4, 1)) == 0.0

    def test_zero_price(self):
        assert legal_clock.penalty(0.0, 1.0, self.due, date(2026, 4, 1)) == 0.0

    def test_long_delay_exceeds_price(self):
        # Art. 23 sets no cap in the rule itself: 150 days at 1 % is 150 % of the price.
        amount = legal_clock.penalty(200.0, 1.0, self.due, date(2026, 8, 7))
        assert amount == pytest.approx(300.0)

    def test_same_float_arithmetic_as_before(self):
        # price × rate / 100 × days, in that order, so stored amounts do not move by an ulp
        # (price × (rate / 100) × days would give 29.999699999999997 here).
        amount = legal_clock.penalty(333.33, 3.0, self.due, date(2026, 3, 13))
        assert amount == 29.9997
