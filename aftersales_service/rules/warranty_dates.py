"""The calendar of a warranty layer: when it ends, when an extension starts, when it is valid.

Plain Python on dates and numbers (no ORM, no time zones): the warranty models read a layer's
dates, duration and state, call these functions and store the results. Dates are
``datetime.date`` values, already the company's local calendar days.

The periods come from the law and from the company's own promises:

- Directive (EU) 2019/771 art. 10 — the seller is liable for any lack of conformity which
  exists at the time the goods were delivered and which becomes apparent within two years of
  that time: the legal guarantee runs at least 2 years from delivery (a term of
  ``2 years`` from the ``delivery`` basis).
- Russian Federation, Law No. 2300-1 of 7 February 1992 "On Protection of Consumer Rights":
  art. 19 — the warranty period of a good is counted from the day the good is handed over
  to the consumer (its start is the delivery date); art. 20 p. 3 — when a defect is
  repaired, the warranty period is extended by the time during which the good could not be
  used, from the day the consumer asked for the repair to the day the repaired good was
  handed back (the layer's ``downtime_days``).

Periods expressed in months or years end on the same day of the month that many months later;
when that month is shorter, on its last day (31 January + 1 month = 28 or 29 February;
29 February + 1 year = 28 February). This is the calendar arithmetic of
``dateutil.relativedelta`` that the addon always used, reimplemented on the standard library.
"""

import calendar
from datetime import timedelta

#: Duration units of a warranty term (``aftersales.warranty.term.duration_unit``).
DURATION_UNITS = ("day", "month", "year")

#: Longest duration of a term or a layer per unit: 100 years. A longer promise is a typing
#: error, and would push end dates past what a date can hold (year 9999) and break every
#: delivery of the product. The database CHECKs of terms and layers use the same figures.
MAX_DURATION = {"day": 36500, "month": 1200, "year": 100}

#: Most downtime days a layer may accumulate (same 100-year horizon).
MAX_DOWNTIME_DAYS = 36500

#: Layers ending within this many days (today included) are "expiring soon".
EXPIRING_SOON_DAYS = 30


def duration_in_bounds(duration, unit):
    """Whether ``duration`` ``unit`` is a usable warranty duration: positive, at most 100
    years (``MAX_DURATION``), ``unit`` one of ``DURATION_UNITS``."""
    if unit not in MAX_DURATION or isinstance(duration, bool) or not isinstance(duration, int):
        return False
    return 0 < duration <= MAX_DURATION[unit]


def add_months(day, months):
    """``day`` plus ``months`` calendar months (negative goes back), clamped to the month end.

    The day of the month is kept when the target month has it; otherwise the result is the
    last day of the target month (31 January + 1 month = 28 February, or 29 in a leap
    year). Same result as ``day + dateutil.relativedelta.relativedelta(months=months)``.
    """
    months = int(months or 0)
    year, month0 = divmod(day.year * 12 + (day.month - 1) + months, 12)
    month = month0 + 1
    last_day = calendar.monthrange(year, month)[1]
    return day.replace(year=year, month=month, day=min(day.day, last_day))


def add_duration(day, duration, unit):
    """``day`` plus ``duration`` units (``day``, ``month`` or ``year``).

    Years are twelve months (29 February + 1 year = 28 February), months clamp to the month
    end (see ``add_months``), days are calendar days.
    """
    duration = int(duration or 0)
    if unit == "day":
        return day + timedelta(days=duration)
    if unit == "month":
        return add_months(day, duration)
    if unit == "year":
        return add_months(day, 12 * duration)
    raise ValueError(f"Unknown warranty duration unit: {unit!r}")


def counted_downtime(downtime_days, extend_by_downtime):
    """Downtime days that push a layer's end out: all of them when its term extends by
    downtime (Law 2300-1 art. 20 p. 3 for the statutory warranty), none otherwise (a
    promise that runs on a fixed calendar)."""
    return (downtime_days or 0) if extend_by_downtime else 0


def end_date(date_start, duration, unit, downtime_days=0):
    """Last day of a layer: start + duration, then + the downtime days it is extended by.

    The warranty period runs from delivery (Law 2300-1 art. 19; Directive (EU) 2019/771
    art. 10: at least 2 years from delivery) for ``duration`` units; the time the unit spent
    in repair is added afterwards, in calendar days (Law 2300-1 art. 20 p. 3). Pass the
    downtime already filtered by ``counted_downtime``. The end day itself is covered.
    """
    return add_duration(date_start, duration, unit) + timedelta(days=downtime_days or 0)


def extension_start(base_end):
    """First day of an extended warranty sold to follow the base layers: the day after the
    latest end of the serial's legal/manufacturer layers, so the customer's paid extension
    adds to the statutory and manufacturer periods instead of overlapping them."""
    return base_end + timedelta(days=1)


def shifted_extension_start(ext_start, old_base_end, new_base_end):
    """New start of an extension when its base layers' latest end moved, or ``None``.

    An extension that started the day after the old base end keeps following it (downtime
    added to the base layers under Law 2300-1 art. 20 p. 3 delays the extension as well);
    one that started on another day (its own basis, or edited by hand) stays where it is.
    """
    if old_base_end and ext_start == extension_start(old_base_end):
        return extension_start(new_base_end)
    return None


def is_valid_on(date_start, date_end, on_date, state="active"):
    """Whether a layer covers ``on_date``: not void and ``date_start <= on_date <= date_end``.

    Both ends are covered days (the legal guarantee covers defects that become apparent
    "within" the period, Directive (EU) 2019/771 art. 10). An ``expired`` layer is still
    valid on past dates inside its period: a claim received back then was covered.
    """
    if state == "void" or not date_start or not date_end:
        return False
    return date_start <= on_date <= date_end


def is_past_end(date_end, today):
    """Whether the period is over on ``today`` (the end day itself is still covered)."""
    return bool(date_end) and date_end < today


def lifecycle_state(state, date_end, today):
    """State a layer should have on ``today``: ``expired`` once past its end, ``active``
    otherwise (downtime can push an expired layer's end out again). ``void`` is final, and a
    layer without an end date keeps its state."""
    if state == "void" or not date_end:
        return state
    return "expired" if is_past_end(date_end, today) else "active"


def downtime_start(date_back, days):
    """First day of a downtime of ``days`` days that ended on ``date_back`` (the unit handed
    back): Law 2300-1 art. 20 p. 3 counts from the day of the claim to the day of return."""
    return date_back - timedelta(days=days)


def runs_during(date_start, date_end, date_from, date_to):
    """Whether a layer's period overlaps the days ``date_from``..``date_to`` (both included):
    a downtime extends only the warranties that were running while the unit was in repair."""
    return date_start <= date_to and date_end >= date_from


def days_to_end(date_end, today):
    """Signed whole days from ``today`` to the end (0 on the end day, negative after it;
    0 without an end date)."""
    return (date_end - today).days if date_end else 0


def days_left(date_end, today, state="active"):
    """Days of cover left after ``today`` for an active layer (never negative); 0 for an
    expired or void one."""
    return max(days_to_end(date_end, today), 0) if state == "active" else 0


def is_expiring_soon(date_end, today, state="active", window=EXPIRING_SOON_DAYS):
    """Whether an active layer ends within ``window`` days from ``today`` (both included),
    so the customer can be told before the cover runs out."""
    return state == "active" and 0 <= days_to_end(date_end, today) <= window


def expiring_soon_window(today, window=EXPIRING_SOON_DAYS):
    """``(first, last)`` end dates of the layers expiring soon on ``today`` (both included):
    the bounds of ``is_expiring_soon`` for a database search."""
    return today, today + timedelta(days=window)
