"""Unit tests of supplier recovery and systematic-defect rules (``rules/recovery.py``)."""

from datetime import date

import pytest
from aftersales_rules import recovery


@pytest.mark.parametrize(
    ("total", "weights", "expected"),
    [
        (100.0, [1, 1, 1], [33.34, 33.33, 33.33]),
        (90.0, [60.0, 30.0], [60.0, 30.0]),
        (45.0, [60.0, 30.0], [30.0, 15.0]),
        (10.0, [0, 0], [5.0, 5.0]),
        (0.0, [3, 7], [0.0, 0.0]),
        (0.05, [1, 1, 1], [0.02, 0.02, 0.01]),
    ],
)
def test_allocate(total, weights, expected):
    parts = recovery.allocate(total, weights)
    assert parts == expected
    assert round(sum(parts), 2) == round(total, 2)


def test_allocate_empty():
    assert recovery.allocate(10.0, []) == []


@pytest.mark.parametrize(
    ("failures", "units", "rate"),
    [(5, 100, 5.0), (0, 100, 0.0), (3, 0, 0.0), (1, 3, 100.0 / 3)],
)
def test_failure_rate(failures, units, rate):
    assert recovery.failure_rate(failures, units) == pytest.approx(rate)


@pytest.mark.parametrize(
    ("rate", "threshold", "failures", "top_lot", "action"),
    [
        (1.9, 2.0, 2, 0, None),
        (2.0, 2.0, 2, 0, "monitor"),
        (3.99, 2.0, 4, 1, "monitor"),
        (4.0, 2.0, 4, 1, "reduce_production"),
        (7.99, 2.0, 8, 2, "reduce_production"),
        (8.0, 2.0, 8, 2, "stop_production"),
        (8.0, 2.0, 6, 3, "quarantine_lot"),
        (2.0, 2.0, 4, 2, "monitor"),  # half, but fewer than 3
        (2.0, 2.0, 7, 3, "monitor"),  # 3 but under half
        (50.0, 0.0, 10, 10, None),  # threshold off
    ],
)
def test_proposed_action(rate, threshold, failures, top_lot, action):
    assert recovery.proposed_action(rate, threshold, failures, top_lot) == action


@pytest.mark.parametrize(
    ("start", "end", "months"),
    [
        (date(2025, 1, 31), date(2025, 2, 28), 0),
        (date(2025, 1, 15), date(2025, 2, 15), 1),
        (date(2024, 6, 1), date(2026, 5, 31), 23),
        (date(2026, 6, 1), date(2026, 5, 1), 0),
        (None, date(2026, 5, 1), None),
    ],
)
def test_months_between(start, end, months):
    assert recovery.months_between(start, end) == months
