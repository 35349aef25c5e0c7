# Copyright 2026 aftersales_service authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import models
from odoo.exceptions import UserError, ValidationError
from odoo.models import NewId

from ..rules import numbers

# PostgreSQL ``integer`` columns (int4).
INT_MAX = 2**31 - 1
NUMBER_TYPES = frozenset({"float", "monetary", "integer"})


def check_vals(model, vals):
    """Refuse the values of ``vals`` that do not fit their field of ``model``, before the ORM
    takes them.

    ``create``/``write`` over JSON-RPC receive any JSON value for any field: the text
    ``"abc"`` as a customer, ``[1, 2]`` as a serial number, ``"pigeon"`` as a channel,
    ``NaN`` or ``Infinity`` as an amount. The ORM passes most of them to PostgreSQL or to its
    converters and answers with a ``ValueError`` / ``TypeError`` / ``psycopg2`` traceback, or
    stores them (``NaN`` passes every ``<=`` check afterwards). Here each value is checked
    against its field's kind and refused with a clear, translated message naming the field:

    - a link (many2one) is a record id (a whole number) or empty;
    - a choice (selection) is one of the field's values or empty;
    - a number is finite, within ``rules.numbers.MAX_AMOUNT`` (a whole number within
      PostgreSQL's ``integer`` range for integer fields).

    Called first thing by the ``create``/``write`` of the after-sales models' guards.
    """
    env = model.env
    for fname, value in vals.items():
        field = model._fields.get(fname)
        if field is None or value is None or value is False:
            continue
        if field.type == "many2one":
            ok = (
                (type(value) is int and value >= 0)
                or type(value) is NewId
                or (isinstance(value, models.BaseModel) and value._name == field.comodel_name)
                or (isinstance(value, tuple) and (not value or type(value[0]) is int))
            )
            if not ok:
                raise ValidationError(
                    env._(
                        "%(field)s takes one record (its id), not %(value)s.",
                        field=_label(model, field),
                        value=repr(value)[:60],
                    )
                )
        elif field.type == "selection":
            choices = field.get_values(env)
            if value not in choices:
                raise ValidationError(
                    env._(
                        "%(value)s is not a choice of %(field)s (choices: %(choices)s).",
                        value=repr(value)[:60],
                        field=_label(model, field),
                        choices=", ".join(str(choice) for choice in choices),
                    )
                )
        elif field.type in NUMBER_TYPES:
            _check_number(model, field, value)


def check_ids(records):
    """Record ids are whole numbers: ``[[7]]`` sent by an RPC client as the ids of ``read``
    or ``write`` is refused cleanly instead of failing in the ORM's cache or in SQL."""
    if not all(type(id_) is int or type(id_) is NewId for id_ in records._ids):
        raise UserError(
            records.env._(
                "Records of %(model)s are given by their ids (whole numbers), not %(ids)s.",
                model=records._description,
                ids=repr(list(records._ids))[:80],
            )
        )


def _label(model, field):
    return f"{field._description_string(model.env)} ({model._description})"


def _check_number(model, field, value):
    env = model.env
    whole = field.type == "integer"
    limit = INT_MAX if whole else numbers.MAX_AMOUNT
    problem = numbers.problem(value, minimum=-limit, maximum=limit, whole=whole)
    if not problem:
        return
    label = _label(model, field)
    shown = repr(value)[:60]
    if problem == numbers.NOT_A_NUMBER:
        message = env._("%(field)s must be a number, not %(value)s.", field=label, value=shown)
    elif problem == numbers.NOT_FINITE:
        message = env._(
            "%(field)s must be a finite number, not %(value)s.", field=label, value=shown
        )
    elif problem == numbers.NOT_WHOLE:
        message = env._(
            "%(field)s must be a whole number, not %(value)s.", field=label, value=shown
        )
    else:
        message = env._(
            "%(field)s is out of bounds (at most %(limit)s in absolute value): %(value)s.",
            field=label,
            limit=limit,
            value=shown,
        )
    raise ValidationError(message)
