"""Numbers an RPC client sends: finite, of the right kind, within bounds.

JSON-RPC hands the server whatever a client typed: a string where a number goes, ``true``,
``NaN``, ``Infinity`` or ``1e308`` (Python's ``json`` reads all of them). The ORM stores a
float column as it gets it: PostgreSQL accepts ``NaN`` and ``Infinity`` in a ``double
precision`` / ``numeric`` column, and every sum, comparison and rounding done later with that
value is wrong (``NaN`` compares false to everything, so ``hours <= 24`` style checks pass)
or fails with an ``OverflowError``. So every number the addon takes is checked here first.

``problem`` answers with a code (``None`` when the value is fine); the models turn the code
into a translated message naming the field. No ORM here: plain values only.
"""

import math

#: Largest amount of money (or quantity) the addon takes: far above any after-sales figure,
#: and still exact to the cent in binary floating point (53-bit mantissa: integers are
#: exact up to 2**53 ≈ 9.0e15, cents up to ≈ 9.0e13).
MAX_AMOUNT = 1e12

NOT_A_NUMBER = "not_a_number"
NOT_WHOLE = "not_whole"
NOT_FINITE = "not_finite"
BELOW = "below"
ABOVE = "above"


def is_number(value):
    """A real number: ``int`` or ``float``, not a ``bool`` (``True`` is an ``int`` in
    Python, but never a quantity), finite."""
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def problem(value, minimum=None, maximum=MAX_AMOUNT, whole=False):
    """What is wrong with ``value`` as a number between ``minimum`` and ``maximum``
    (inclusive; ``None``: no bound), or ``None`` when nothing is.

    ``False`` and ``None`` are "no value" (an empty field) and fine. ``whole`` asks for an
    integer (an ``int``, or a float without decimals such as ``3.0``).
    """
    if value is None or value is False:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        return NOT_A_NUMBER
    if not math.isfinite(value):
        return NOT_FINITE
    if whole and value != int(value):
        return NOT_WHOLE
    if minimum is not None and value < minimum:
        return BELOW
    if maximum is not None and value > maximum:
        return ABOVE
    return None
