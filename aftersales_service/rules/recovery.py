"""Supplier recovery and systematic-defect rules: plain Python, no ORM.

- **Pro-rata allocation** of what a supplier pays back over the claim's lines (so each
  service order shows the part of the recovery that pays for its own warranty cost): the
  largest-remainder method in cents, so the allocated parts always add up to the amount
  recovered exactly (no cent lost or invented by rounding).
- **Systematic defects**: failure rate (failures ÷ units delivered, percent), the action
  proposed by how far the rate is over the category's threshold, and whether one component
  lot is the likely cause (a quarantine). A seller's duty to keep goods conforming and to
  act on a known series defect comes from product-safety law (EU Directive 2001/95/EC
  art. 5, Regulation (EU) 2023/988 art. 9; RF Law 2300-1 art. 5, 7): the alert is the trace
  that the company noticed and decided.
"""

from decimal import ROUND_HALF_UP, Decimal

MONITOR = "monitor"
REDUCE = "reduce_production"
STOP = "stop_production"
QUARANTINE = "quarantine_lot"

# How far over the threshold (a multiple of it) each action starts.
REDUCE_FACTOR = 2.0
STOP_FACTOR = 4.0
# A lot is suspect when it holds at least this share of the failures, and this many.
LOT_SHARE = 0.5
LOT_MIN_FAILURES = 3


def allocate(total, weights, digits=2):
    """Split ``total`` over ``weights`` pro rata, rounded to ``digits`` decimals, the parts
    adding up to ``total`` exactly (largest remainder). Zero or no weights: equal parts.

    >>> allocate(100, [1, 1, 1])
    [33.34, 33.33, 33.33]
    """
    if not weights:
        return []
    quantum = Decimal(1).scaleb(-digits)
    total_d = Decimal(str(total)).quantize(quantum, rounding=ROUND_HALF_UP)
    weights_d = [max(Decimal(str(w)), Decimal(0)) for w in weights]
    if sum(weights_d) <= 0:
        weights_d = [Decimal(1)] * len(weights)
    base = sum(weights_d)
    units = int(total_d / quantum)
    exact = [Decimal(units) * w / base for w in weights_d]
    floors = [int(x) if units >= 0 else -int(-x) for x in exact]
    rest = units - sum(floors)
    order = sorted(range(len(exact)), key=lambda i: (-(abs(exact[i] - floors[i])), i))
    step = 1 if rest >= 0 else -1
    for i in order[: abs(rest)]:
        floors[i] += step
    return [float(Decimal(n) * quantum) for n in floors]


def failure_rate(failures, units):
    """Failures per 100 units delivered; 0 when nothing was delivered (no base, no rate)."""
    if not units or units <= 0:
        return 0.0
    return 100.0 * failures / units


def proposed_action(rate, threshold, failures=0, top_lot_failures=0):
    """The action an alert proposes, or ``None`` under the threshold (or threshold off).

    From the threshold ``monitor``, from 2× ``reduce_production``, from 4×
    ``stop_production``; ``quarantine_lot`` instead when one component lot holds at least
    half of the failures and at least 3 of them (the cause is that lot, not the design).
    """
    if not threshold or threshold <= 0 or rate < threshold:
        return None
    if (
        failures
        and top_lot_failures >= LOT_MIN_FAILURES
        and top_lot_failures >= LOT_SHARE * failures
    ):
        return QUARANTINE
    if rate >= STOP_FACTOR * threshold:
        return STOP
    if rate >= REDUCE_FACTOR * threshold:
        return REDUCE
    return MONITOR


def months_between(start, end):
    """Whole months from ``start`` to ``end`` (dates), never negative; None without both."""
    if not start or not end:
        return None
    months = (end.year - start.year) * 12 + (end.month - start.month)
    if end.day < start.day:
        months -= 1
    return max(months, 0)
