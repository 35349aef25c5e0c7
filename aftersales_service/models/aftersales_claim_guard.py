# Copyright 2026 aftersales_service authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, models
from odoo.exceptions import UserError

from ..rules import numbers
from .aftersales_rpc_input import check_ids, check_vals
from .aftersales_workflow_mixin import aftersales_workflow_action, workflow

# Fields only the claim's action methods change: the workflow, the decision and its money,
# the legal clock. Over RPC, Odoo's readonly=True guards the form only.
WORKFLOW_FIELDS = frozenset(
    {
        "state",
        "decision",
        "decision_reason",
        "decision_amount",
        "decision_user_id",
        "date_decision",
        "replacement_lot_id",
        "refund_move_ids",
        "unit_price",
        "penalty_rate",
        "penalty_amount",
        "date_response_due",
        "date_resolution_due",
        "date_resolved",
        "is_overdue",
        "date_clock_checked",
        "deadline_activity_done",
        "response_letter_message_id",
    }
)
# Fields the front desk fills while the claim is open (new, diagnosis), frozen once it is
# decided: they set the clock (date received, rule), the price the penalty and the bounds
# are computed from (sale order, product) and who gets the money (customer).
FROZEN_AFTER_DIAGNOSIS = frozenset(
    {
        "legal_rule_id",
        "date_received",
        "request",
        "lot_id",
        "product_id",
        "partner_id",
        "sale_order_id",
        "company_id",
    }
)


def claim_workflow():
    """Let the code inside write the workflow fields of claims (for the claim's actions and
    for other server-side flows of this addon that move a claim, e.g. an expertise)."""
    return workflow("aftersales.claim")


class AftersalesClaim(models.Model):
    """Write guards and locking of claims: workflow fields change through the actions only,
    each claim is acted on once per call (repeated ids), and two workers cannot decide the
    same claim at the same time."""

    _name = "aftersales.claim"
    _inherit = ["aftersales.claim", "aftersales.workflow.mixin"]  # noqa: RUF012
    _aftersales_workflow_fields = WORKFLOW_FIELDS
    _aftersales_workflow_initial = {"state": "new"}  # noqa: RUF012
    _aftersales_frozen_fields = FROZEN_AFTER_DIAGNOSIS
    _aftersales_frozen_open_states = ("new", "diagnosis")

    # Write guards (the workflow fields: aftersales.workflow.mixin) ---------------------------

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            check_vals(self, vals)
        return super().create(vals_list)

    def write(self, vals):
        check_ids(self)
        check_vals(self, vals)
        return super().write(vals)

    def read(self, fields=None, load="_classic_read"):
        check_ids(self)
        return super().read(fields=fields, load=load)

    def _raise_workflow_fields(self, fnames):
        raise UserError(
            self.env._(
                "Fields %(fields)s of a claim are set by its actions only (start diagnosis, "
                "decide, resolve, cancel) and by its legal clock.",
                fields=", ".join(fnames),
            )
        )

    def _raise_frozen_fields(self, fnames):
        raise UserError(
            self.env._(
                "Fields %(fields)s of a decided, resolved or closed claim cannot be "
                "changed: they fixed its deadlines, price and customer.",
                fields=", ".join(fnames),
            )
        )

    def _aftersales_lock_message(self, names):
        return self.env._(
            "Claim %(claims)s is being changed by someone else right now; try again "
            "in a moment.",
            claims=names,
        )

    # Actions: deduplicated, locked, allowed to write the workflow fields ---------------------

    def action_decide(
        self, decision, amount=0.0, reason=False, replacement_lot_id=False, exceed_reason=False
    ):
        amount = self._decision_amount_value(amount)
        claims = self._aftersales_lock()
        with claims._aftersales_workflow():
            return super(AftersalesClaim, claims).action_decide(
                decision,
                amount=amount,
                reason=reason,
                replacement_lot_id=replacement_lot_id,
                exceed_reason=exceed_reason,
            )

    @aftersales_workflow_action
    def action_start_diagnosis(self):
        return super().action_start_diagnosis()

    @aftersales_workflow_action
    def action_done(self):
        return super().action_done()

    @aftersales_workflow_action
    def action_cancel(self):
        return super().action_cancel()

    @aftersales_workflow_action
    def action_create_repair(self):
        return super().action_create_repair()

    # Input of RPC clients --------------------------------------------------------------------

    def _decision_amount_value(self, amount):
        """The decision's amount as a finite number (RPC clients send anything)."""
        if amount in (None, False):
            return 0.0
        problem = numbers.problem(amount, minimum=None)
        if problem == numbers.NOT_A_NUMBER:
            raise UserError(self.env._("The amount of a decision must be a number."))
        if problem == numbers.NOT_FINITE:
            raise UserError(self.env._("The amount of a decision must be a finite number."))
        if problem == numbers.ABOVE:
            raise UserError(
                self.env._(
                    "The amount of a decision cannot exceed %(max)s.", max=numbers.MAX_AMOUNT
                )
            )
        return float(amount)

    def _decision_lot(self, replacement_lot_id):
        """The replacement serial from what the caller gave: a stock.lot record, an id or
        nothing. A list, a string or an unknown id is refused with a clear message."""
        if isinstance(replacement_lot_id, models.BaseModel):
            if replacement_lot_id._name != "stock.lot" or len(replacement_lot_id) > 1:
                raise UserError(self.env._("Give one replacement serial number."))
            return replacement_lot_id
        if replacement_lot_id in (None, False, 0):
            return self.env["stock.lot"]
        if isinstance(replacement_lot_id, bool) or not isinstance(replacement_lot_id, int):
            raise UserError(
                self.env._(
                    "Give one replacement serial number (its id), not %(value)r.",
                    value=replacement_lot_id,
                )
            )
        lot = self.env["stock.lot"].browse(replacement_lot_id).exists()
        if not lot:
            raise UserError(self.env._("The replacement serial number does not exist."))
        return lot
