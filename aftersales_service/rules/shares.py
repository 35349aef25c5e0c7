"""Coverage shares: who pays what of a service order.

A warranty covers a percentage of each kind of cost (parts, labor, logistics). The
convention the service orders follow:

- the customer pays the *uncovered* share, at the **sale price** (it is a sale of service:
  revenue under IFRS 15);
- the company bears the *covered* share, at **cost**: an assurance-type warranty is not a
  separate performance obligation and earns no revenue (IFRS 15 B28–B33); its cost is the
  warranty expense, provided for under IAS 37 (a cost provision, not revenue). Charging it
  at sale price would book a margin on work nobody pays for.

So a part sold at 100 and costing 60, covered at 30 %, bills the customer 70 and costs the
warranty 18.

Amounts are plain floats in the company currency and are **not rounded** here: the caller
rounds each figure with its currency, exactly where it always did (a line's amounts when
they are stored, an order's totals once summed, a journal entry's lines one by one).
Coverage is a percentage (0–100), as on the records.

The order of the floating-point operations is the one the records always used, so no
amount moves by a last binary digit: a line splits with the ratio ``coverage / 100``
computed once (``split_line``), while a single covered cost (logistics, a journal entry
line) multiplies first and divides last (``warranty_share``). The two forms differ at most
in the last binary digit (3.30 at 15 %: 0.49499999999999994 and 0.495), which the currency's
rounding (half-up, tolerant of that digit) absorbs: both book 0.50.
"""

from collections import namedtuple

OrderSplit = namedtuple(
    "OrderSplit", ["cost_parts", "cost_labor", "cost_total", "billable", "warranty"]
)
OrderSplit.__doc__ = """Costs and shares of one service order, unrounded (company currency).

- ``cost_parts``, ``cost_labor``: what the parts and the labor cost the company
- ``cost_total``: parts + labor + logistics
- ``billable``: the customer's share, at sale prices
- ``warranty``: the company's share, at cost
"""


def customer_share(amount, coverage_percent):
    """The customer's share of ``amount`` (a sale price): the uncovered part.

    ``amount × (1 − coverage / 100)``; 0 % coverage bills everything, 100 % nothing.
    """
    return amount * (1.0 - coverage_percent / 100.0)


def warranty_share(cost, coverage_percent):
    """The company's share of ``cost`` under warranty: the covered part, at cost.

    ``cost × coverage / 100`` (multiplied first, as the logistics share and the warranty
    entry's lines always were).
    """
    return cost * coverage_percent / 100.0


def split_line(price, cost, coverage_percent):
    """Split one line (a part, a labor line) into ``(billable, warranty)``.

    :param price: the line's total at sale price (quantity × unit price)
    :param cost: the line's total at cost (stock valuation, or hours × hourly cost)
    :param coverage_percent: the share the warranty covers, 0–100
    :return: (the customer's share at sale price, the company's share at cost)
    """
    share = coverage_percent / 100.0
    return price * (1.0 - share), cost * share


def order_split(parts=(), labor=(), logistics_cost=0.0, logistics_coverage=0.0):
    """Sum an order's costs and shares (unrounded).

    :param parts: ``(price, cost, coverage_percent)`` per part line counted in the order
        (each split with ``split_line``)
    :param labor: ``(cost, billable, warranty)`` per labor line, as the line split and
        stored them (see ``split_line``)
    :param logistics_cost: transport of the unit, at cost
    :param logistics_coverage: the share of it the warranty covers, 0–100
    :return: an ``OrderSplit``
    """
    parts_cost = parts_billable = parts_warranty = 0.0
    for price, cost, coverage in parts:
        billable, warranty = split_line(price, cost, coverage)
        parts_cost += cost
        parts_billable += billable
        parts_warranty += warranty
    labor = list(labor)
    labor_cost = sum(cost for cost, _billable, _warranty in labor)
    logistics_warranty = warranty_share(logistics_cost, logistics_coverage)
    return OrderSplit(
        cost_parts=parts_cost,
        cost_labor=labor_cost,
        cost_total=parts_cost + labor_cost + logistics_cost,
        billable=parts_billable + sum(billable for _cost, billable, _warranty in labor),
        warranty=parts_warranty
        + sum(warranty for _cost, _billable, warranty in labor)
        + logistics_warranty,
    )
