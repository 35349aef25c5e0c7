"""Unit tests of the coverage shares (``rules/shares.py``): no database, no Odoo."""

import ast
import math
import sys
from pathlib import Path

import pytest
from aftersales_rules import shares

RULES_DIR = Path(__file__).resolve().parent.parent / "aftersales_service" / "rules"


# --- customer_share: the uncovered share, at sale price ----------------------------------------


@pytest.mark.parametrize(
    ("amount", "coverage", "expected"),
    [
        (100.0, 30.0, 70.0),
        (100.0, 50.0, 50.0),
        (80.0, 12.5, 70.0),
        (19.99, 25.0, 14.9925),  # not rounded: the caller rounds
        (-50.0, 20.0, -40.0),  # a credit splits the same way
    ],
)
def test_customer_share(amount, coverage, expected):
    assert shares.customer_share(amount, coverage) == pytest.approx(expected, abs=1e-12)


def test_customer_share_zero_coverage_bills_everything_exactly():
    assert shares.customer_share(123.45, 0.0) == 123.45


def test_customer_share_full_coverage_bills_nothing():
    assert shares.customer_share(123.45, 100.0) == 0.0


def test_customer_share_zero_amount():
    assert shares.customer_share(0.0, 37.0) == 0.0


# --- warranty_share: the covered share, at cost ------------------------------------------------


@pytest.mark.parametrize(
    ("cost", "coverage", "expected"),
    [
        (60.0, 30.0, 18.0),
        (200.0, 100.0, 200.0),
        (200.0, 0.0, 0.0),
        (10.01, 33.33, 3.336333),  # not rounded: the caller rounds
        (0.01, 50.0, 0.005),  # half a cent stays half a cent
    ],
)
def test_warranty_share(cost, coverage, expected):
    assert shares.warranty_share(cost, coverage) == pytest.approx(expected, abs=1e-12)


def test_warranty_share_full_coverage_is_the_whole_cost_exactly():
    assert shares.warranty_share(80.0, 100.0) == 80.0


def test_warranty_share_multiplies_first():
    # Logistics and the warranty entry always computed cost × coverage / 100.
    assert shares.warranty_share(3.3, 15.0) == 3.3 * 15.0 / 100.0 == 0.495
    assert shares.warranty_share(10.01, 7.0) == 0.7006999999999999


# --- split_line ---------------------------------------------------------------------------------


def test_split_line_customer_at_price_company_at_cost():
    billable, warranty = shares.split_line(100.0, 60.0, 30.0)
    assert billable == pytest.approx(70.0, abs=1e-12)
    assert warranty == pytest.approx(18.0, abs=1e-12)
    # The two shares are not complements of one amount: price and cost differ.
    assert billable + warranty != pytest.approx(100.0)
    assert billable + warranty != pytest.approx(60.0)


def test_split_line_zero_coverage():
    assert shares.split_line(150.0, 90.0, 0.0) == (150.0, 0.0)


def test_split_line_full_coverage():
    assert shares.split_line(150.0, 90.0, 100.0) == (0.0, 90.0)


def test_split_line_computes_the_ratio_once():
    # Part and labor lines always computed share = coverage / 100, then cost × share: the
    # last binary digit differs from warranty_share's order, and must stay as it was.
    billable, warranty = shares.split_line(0.0, 3.3, 15.0)
    assert warranty == 3.3 * (15.0 / 100.0) == 0.49499999999999994
    assert warranty != shares.warranty_share(3.3, 15.0)
    assert abs(warranty - shares.warranty_share(3.3, 15.0)) <= math.ulp(0.495)
    assert billable == 0.0


def test_split_line_customer_form():
    billable, _warranty = shares.split_line(10.01, 0.0, 7.0)
    assert billable == 10.01 * (1.0 - 7.0 / 100.0)
    assert billable == shares.customer_share(10.01, 7.0)


# --- order_split --------------------------------------------------------------------------------


def test_order_split_sums_parts_labor_and_logistics():
    split = shares.order_split(
        parts=[(100.0, 60.0, 30.0), (50.0, 40.0, 0.0)],
        labor=[(25.0, 12.5, 12.5)],
        logistics_cost=20.0,
        logistics_coverage=50.0,
    )
    assert split.cost_parts == pytest.approx(100.0)
    assert split.cost_labor == 25.0
    assert split.cost_total == pytest.approx(145.0)
    assert split.billable == pytest.approx(70.0 + 50.0 + 12.5)
    assert split.warranty == pytest.approx(18.0 + 0.0 + 12.5 + 10.0)


def test_order_split_empty_order_is_zero():
    split = shares.order_split()
    assert split == shares.OrderSplit(0.0, 0.0, 0.0, 0.0, 0.0)


def test_order_split_logistics_only():
    split = shares.order_split(logistics_cost=35.0, logistics_coverage=100.0)
    assert split.cost_total == 35.0
    assert split.warranty == 35.0
    # The customer never pays logistics through the order's billable share.
    assert split.billable == 0.0


def test_order_split_fully_covered_order_bills_nothing():
    split = shares.order_split(
        parts=[(120.0, 70.0, 100.0), (30.0, 11.0, 100.0)],
        labor=[(40.0, 0.0, 40.0)],
    )
    assert split.billable == 0.0
    assert split.warranty == pytest.approx(70.0 + 11.0 + 40.0)
    assert split.cost_total == pytest.approx(121.0)


def test_order_split_takes_labor_amounts_as_the_lines_stored_them():
    # Stored labor amounts are already rounded by their currency: summed, never re-split.
    split = shares.order_split(labor=[(10.0, 7.77, 3.33), (5.0, 0.01, 4.99)])
    assert split.cost_labor == 15.0
    assert split.billable == pytest.approx(7.78)
    assert split.warranty == pytest.approx(8.32)


def test_order_split_is_not_rounded():
    split = shares.order_split(parts=[(10.01, 10.01, 33.33)])
    assert split.warranty == pytest.approx(3.336333, abs=1e-12)
    assert split.billable == pytest.approx(6.673667, abs=1e-12)


def test_order_split_matches_the_former_order_computation_bit_for_bit():
    parts = [(19.99, 12.35, 15.0), (3.3, 3.3, 70.0), (100.0, 61.17, 33.33)]
    labor = [(41.5, 20.1, 13.83), (0.0, 0.0, 0.0)]
    logistics_cost, logistics_coverage = 17.3, 33.0
    # The service order's former inline computation.
    parts_cost = parts_billable = parts_warranty = 0.0
    for price, cost, coverage in parts:
        ratio = coverage / 100.0
        parts_cost += cost
        parts_billable += price * (1.0 - ratio)
        parts_warranty += cost * ratio
    labor_cost = sum(line[0] for line in labor)
    logistics_warranty = logistics_cost * logistics_coverage / 100.0
    split = shares.order_split(
        parts=iter(parts),
        labor=iter(labor),
        logistics_cost=logistics_cost,
        logistics_coverage=logistics_coverage,
    )
    assert split.cost_parts == parts_cost
    assert split.cost_labor == labor_cost
    assert split.cost_total == parts_cost + labor_cost + logistics_cost
    assert split.billable == parts_billable + sum(line[1] for line in labor)
    assert split.warranty == (parts_warranty + sum(line[2] for line in labor) + logistics_warranty)


# --- purity -------------------------------------------------------------------------------------


def test_shares_imports_only_the_standard_library():
    tree = ast.parse((RULES_DIR / "shares.py").read_text())
    modules = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            modules.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            assert node.level == 0, "no relative imports in a rules module"
            modules.add(node.module.split(".")[0])
    assert modules <= set(sys.stdlib_module_names), modules
