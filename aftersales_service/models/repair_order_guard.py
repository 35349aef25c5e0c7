import math

import psycopg2

from odoo import api, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import SQL

from .aftersales_rpc_input import check_ids, check_vals

# Billing and workflow fields only the order's own actions write (see ``_aftersales_guard``).
# An RPC client sends JSON: it can put any plain value in the context, never this object, so
# the key below cannot be forged from outside the server.
_ACTION_TOKEN = object()
_ACTION_KEY = "aftersales_billing_action"
PROTECTED_FIELDS = frozenset(
    {
        "aftersales_invoiced",
        "aftersales_invoice_id",
        "aftersales_warranty_move_id",
        "aftersales_downtime_days",
        "aftersales_cost_parts",
        "aftersales_cost_labor",
        "aftersales_cost_total",
        "aftersales_amount_billable",
        "aftersales_amount_warranty",
        "aftersales_labor_hours",
        "aftersales_in_warranty",
    }
)
# What a settled order (done and invoiced) can no longer change: the figures it was billed on.
SETTLED_FIELDS = frozenset(
    {
        "aftersales_claim_id",
        "aftersales_parts_coverage",
        "aftersales_labor_coverage",
        "aftersales_logistics_coverage",
        "aftersales_coverage_reason",
        "aftersales_cost_logistics",
        "aftersales_pricelist_id",
        "aftersales_partner_invoice_id",
        "aftersales_labor_ids",
        "move_ids",
        "lot_id",
        "partner_id",
        "product_id",
        "company_id",
    }
)
# Workflow fields the lock query re-reads (``_aftersales_lock``), and the fields that follow
# from them, dropped from the cache with them when another transaction changed them.
LOCK_FIELDS = ("state", "aftersales_invoiced", "aftersales_intake_picking_id")
LOCK_RELATED_FIELDS = (
    "aftersales_invoice_id",
    "aftersales_warranty_move_id",
    "aftersales_return_picking_id",
    # what the actions check, computed from the fields above (not invalidated with them)
    "aftersales_can_create_intake",
    "aftersales_can_invoice",
    "aftersales_unit_held",
)


def check_amount(env, value, label, minimum=0.0, maximum=None):
    """A finite number within bounds, or a clear ValidationError (no TypeError/ValueError
    traceback from the ORM's conversion when an RPC client sends a string, NaN or Infinity).
    """
    if value is None or value is False:
        return
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValidationError(env._("%(field)s must be a number.", field=label))
    if not math.isfinite(value):
        raise ValidationError(env._("%(field)s must be a finite number.", field=label))
    if minimum is not None and value < minimum:
        raise ValidationError(env._("%(field)s cannot be below %(min)s.", field=label, min=minimum))
    if maximum is not None and value > maximum:
        raise ValidationError(env._("%(field)s cannot exceed %(max)s.", field=label, max=maximum))


class RepairOrderGuard(models.Model):
    """Server-side guards of the service order: fields only its actions write, values with
    bounds, the claim it may borrow coverage from, the row lock of its money actions."""

    _inherit = "repair.order"  # pylint: disable=consider-merging-classes-inherited

    _sql_constraints = [  # noqa: RUF012
        (
            "aftersales_cost_logistics_positive",
            "CHECK(aftersales_cost_logistics IS NULL OR aftersales_cost_logistics >= 0)",
            "The logistics cost of a service order cannot be negative.",
        ),
    ]

    # ------------------------------------------------------------------------------------
    # Write guard
    # ------------------------------------------------------------------------------------

    def _aftersales_action_env(self):
        """The order as its own actions see it: allowed to write the protected fields."""
        return self.with_context(**{_ACTION_KEY: _ACTION_TOKEN})

    def _aftersales_guard(self, vals):
        if self.env.context.get(_ACTION_KEY) is _ACTION_TOKEN:
            return
        forged = PROTECTED_FIELDS.intersection(vals)
        if forged:
            raise AccessError(
                self.env._(
                    "%(fields)s of a service order are set by its actions (invoice, repair "
                    "end, return of the unit), not written directly.",
                    fields=", ".join(sorted(self._fields[f].string for f in forged)),
                )
            )
        if "aftersales_cost_logistics" in vals:
            check_amount(
                self.env,
                vals["aftersales_cost_logistics"],
                self._fields["aftersales_cost_logistics"].string,
            )
        if "aftersales_coverage_reason" in vals:
            self._aftersales_guard_coverage_reason(vals["aftersales_coverage_reason"])

    def _aftersales_guard_coverage_reason(self, reason):
        """The reason of a coverage override is the manager's word, as the override is: no
        one else writes it, even with the coverage left as it is (a front-desk user would
        otherwise sign a manager's override, or rewrite why one was made)."""
        if self.env.su or self.env.user.has_group("aftersales_service.group_aftersales_manager"):
            return
        if reason is None or reason is False:
            reason = ""
        elif isinstance(reason, str):
            reason = reason.strip()
        current = {(order.aftersales_coverage_reason or "").strip() for order in self} or {""}
        if current == {reason}:
            return
        raise AccessError(
            self.env._(
                "Only an after-sales manager can change the warranty coverage or its reason."
            )
        )

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            check_vals(self, vals)
            self._aftersales_guard(vals)
        return super().create(vals_list)

    def write(self, vals):
        check_ids(self)
        check_vals(self, vals)
        self._aftersales_guard(vals)
        if (
            SETTLED_FIELDS.intersection(vals)
            and self.env.context.get(_ACTION_KEY) is not _ACTION_TOKEN
        ):
            settled = self.filtered(lambda o: o.state == "done" and o.aftersales_invoiced)
            if settled:
                raise UserError(
                    self.env._(
                        "Service order %(orders)s is settled (done and invoiced): what it was "
                        "billed on cannot change.",
                        orders=", ".join(settled.mapped("name")),
                    )
                )
        return super().write(vals)

    @api.constrains("aftersales_cost_logistics")
    def _check_aftersales_cost_logistics(self):
        label = self._fields["aftersales_cost_logistics"].string
        for order in self:
            check_amount(self.env, order.aftersales_cost_logistics, label)

    @api.constrains("aftersales_claim_id", "lot_id")
    def _check_aftersales_claim_serial(self):
        """Coverage comes from the claim: only a claim on the order's own serial lends it
        (another unit's warranty must not pay for this one)."""
        for order in self.filtered("aftersales_claim_id"):
            claim = order.aftersales_claim_id
            if claim.lot_id != order.lot_id:
                raise ValidationError(
                    self.env._(
                        "Service order %(order)s is for serial %(lot)s: it cannot be linked "
                        "to claim %(claim)s of serial %(claim_lot)s.",
                        order=order.name,
                        lot=order.lot_id.name or "-",
                        claim=claim.display_name,
                        claim_lot=claim.lot_id.name or "-",
                    )
                )

    # ------------------------------------------------------------------------------------
    # Row lock of the money actions
    # ------------------------------------------------------------------------------------

    def _aftersales_lock(self, no_key=False):
        """Each order once, its row locked until the transaction ends: a repeated id or a
        second worker running the same action on the same order is refused, not served
        twice. The caller re-checks the state after the lock (fields re-read from the row).

        ``no_key``: ``FOR NO KEY UPDATE`` (the lock of an ``UPDATE``), for actions that
        create documents pointing at the order while others may do the same (intake).
        """
        orders = self.browse(list(dict.fromkeys(self.ids)))
        if not orders:
            return orders
        names = ", ".join(orders.mapped("name"))  # read now: a refused lock aborts the cursor
        orders.flush_recordset(list(LOCK_FIELDS))
        # No savepoint (two more queries): a refused lock ends the request anyway. The lock
        # query reads the workflow fields too, so nothing is read twice when they did not
        # change.
        try:
            self.env.cr.execute(
                SQL(
                    "SELECT id, %s FROM repair_order WHERE id IN %s FOR %s NOWAIT",
                    SQL(", ").join(SQL.identifier(fname) for fname in LOCK_FIELDS),
                    tuple(orders.ids),
                    SQL("NO KEY UPDATE" if no_key else "UPDATE"),
                )
            )
        except psycopg2.errors.LockNotAvailable:
            raise UserError(
                self.env._(
                    "Service order %(orders)s is being processed by another user: try again "
                    "in a moment.",
                    orders=names,
                )
            ) from None
        fresh = {row[0]: (row[1], bool(row[2]), row[3]) for row in self.env.cr.fetchall()}
        stale = orders.filtered(
            lambda o: (
                fresh.get(o.id)
                != (o.state, o.aftersales_invoiced, o.aftersales_intake_picking_id.id or None)
            )
        )
        if stale:
            stale.invalidate_recordset([*LOCK_FIELDS, *LOCK_RELATED_FIELDS])
        return orders
