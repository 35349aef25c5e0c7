"""Unit tests of the number checks (``rules/numbers.py``): no database, no Odoo."""

import math

import pytest
from aftersales_rules import numbers


@pytest.mark.parametrize(
    "value",
    [0, 0.0, 1, 2.5, -3, 1e12, False, None],
)
def test_plain_numbers_and_empty_values_pass(value):
    assert numbers.problem(value, minimum=None) is None


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("abc", numbers.NOT_A_NUMBER),
        ("12", numbers.NOT_A_NUMBER),
        ([1, 2], numbers.NOT_A_NUMBER),
        ({"a": 1}, numbers.NOT_A_NUMBER),
        (True, numbers.NOT_A_NUMBER),
        (math.nan, numbers.NOT_FINITE),
        (math.inf, numbers.NOT_FINITE),
        (-math.inf, numbers.NOT_FINITE),
        (1e308, numbers.ABOVE),
        (numbers.MAX_AMOUNT * 1.0000001, numbers.ABOVE),
    ],
)
def test_what_is_not_a_usable_number(value, code):
    assert numbers.problem(value) == code


def test_bounds_are_inclusive_and_optional():
    assert numbers.problem(0, minimum=0) is None
    assert numbers.problem(-0.01, minimum=0) == numbers.BELOW
    assert numbers.problem(24, minimum=0, maximum=24) is None
    assert numbers.problem(24.01, minimum=0, maximum=24) == numbers.ABOVE
    assert numbers.problem(1e300, maximum=None) is None
    assert numbers.problem(-1e300, minimum=None, maximum=None) is None


def test_whole_numbers():
    assert numbers.problem(3, whole=True) is None
    assert numbers.problem(3.0, whole=True) is None
    assert numbers.problem(3.5, whole=True) == numbers.NOT_WHOLE
    # NaN is not finite before it is "not whole" (int(nan) would raise).
    assert numbers.problem(math.nan, whole=True) == numbers.NOT_FINITE


def test_is_number():
    assert numbers.is_number(1)
    assert numbers.is_number(-1.5)
    assert not numbers.is_number(True)
    assert not numbers.is_number(math.nan)
    assert not numbers.is_number(math.inf)
    assert not numbers.is_number("1")
