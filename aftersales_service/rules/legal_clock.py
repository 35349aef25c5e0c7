"""The consumer-law clock of a claim: due dates, lateness and the penalty for a late remedy.

Plain Python on dates and numbers (no ORM, no time zones, no currency rounding): the claim
model converts the moment the claim was received to the customer's local calendar date, looks
up the statutory rule (``aftersales.legal.rule``) and rounds amounts to its currency.

The law counts in whole calendar days from the day the consumer made the claim:

- Russian Federation, Law No. 2300-1 of 7 February 1992 "On Protection of Consumer Rights":
  art. 20 — a defect is repaired within the period agreed in writing, at most 45 days;
  art. 21 — a faulty good is replaced within 7 days of the claim (longer only when a check
  of quality is needed); art. 22 — a refund, a price reduction or the compensation of costs
  is paid within 10 days of the claim; art. 23 — for each day of delay past those periods
  the seller owes the consumer a penalty of 1 % of the price of the good.
- European Union, Directive (EU) 2019/771 art. 14 — repair or replacement is carried out
  free of charge "within a reasonable period of time" from the moment the consumer informed
  the seller; the company sets that period as the rule's number of days.

The number of days and the penalty rate come from the rule, so the same functions serve every
jurisdiction.
"""

from datetime import timedelta


def due_date_from(received_on, days):
    """Date by which the seller must act: the local date the claim was received + ``days``.

    The statutory periods (Law 2300-1 arts. 20–22: 45, 7, 10 days; Directive (EU)
    2019/771 art. 14: a reasonable time set as a number of days) run in calendar days
    from the day of the consumer's claim, so the due date is that day plus the period,
    weekends and holidays included. ``received_on`` is a ``date`` (already the customer's
    local calendar day); ``None``/``False`` gives ``False`` (no clock without a date).
    """
    if not received_on:
        return False
    return received_on + timedelta(days=days or 0)


def is_overdue(due_date, today, resolved):
    """Whether a clock is past due on ``today``: the due date has passed (the due day itself
    still counts as in time) and what it measures has not been done.

    ``resolved`` is true once the remedy is carried out (resolution clock) or the customer
    has been answered (response clock): a clock stops when the seller acts (Law 2300-1
    arts. 20–22 set the period within which to act, not beyond). Without a due date there is
    no clock, hence never overdue.
    """
    if resolved or not due_date:
        return False
    return today > due_date


def days_late(due_date, on_date):
    """Whole days past ``due_date`` on ``on_date``; 0 when on time (never negative).

    Law 2300-1 art. 23 charges the penalty "for each day of delay": the due day itself is
    in time, the next day is the first day late.
    """
    if not due_date:
        return 0
    return max((on_date - due_date).days, 0)


def days_left(due_date, on_date):
    """Days from ``on_date`` to ``due_date``: positive before it, 0 on it, negative once
    late (minus the days of delay). 0 without a due date."""
    if not due_date:
        return 0
    return (due_date - on_date).days


def penalty(price, rate, due_date, today, resolved_on=None):
    """Penalty owed for a late remedy, before rounding to the currency.

    Law 2300-1 art. 23: 1 % (the rule's ``rate``, a percent per day) of the price of the
    good (``price``, what the customer paid) for each whole day past the resolution due date
    (``due_date``). The penalty accrues up to ``today`` while the claim is unresolved and is
    frozen at the day it was resolved (``resolved_on``, a local date): resolving the claim
    stops the clock. No due date or no rate: no penalty. The caller rounds the result to
    its currency.
    """
    if not due_date or not rate:
        return 0.0
    end = resolved_on or today
    return price * rate / 100.0 * days_late(due_date, end)
