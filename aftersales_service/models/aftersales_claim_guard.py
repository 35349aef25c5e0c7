# Copyright 2026 aftersales_service authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from contextlib import contextmanager
from contextvars import ContextVar

from psycopg2.errors import LockNotAvailable

from odoo import api, models
from odoo.exceptions import UserError

from ..rules import numbers
from .aftersales_rpc_input import check_ids, check_vals

# Set only while an action method of the claim runs, in this thread (a ContextVar: nothing
# an RPC client sends — context keys, values — can set it).
_IN_WORKFLOW = ContextVar("aftersales_claim_workflow", default=False)

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


@contextmanager
def claim_workflow():
    """Let the code inside write the workflow fields of claims (for the claim's actions and
    for other server-side flows of this addon that move a claim, e.g. an expertise)."""
    token = _IN_WORKFLOW.set(True)
    try:
        yield
    finally:
        _IN_WORKFLOW.reset(token)


class AftersalesClaim(models.Model):
    """Write guards and locking of claims: workflow fields change through the actions only,
    each claim is acted on once per call (repeated ids), and two workers cannot decide the
    same claim at the same time."""

    _inherit = "aftersales.claim"  # pylint: disable=consider-merging-classes-inherited

    # Write guards ------------------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            check_vals(self, vals)
        if not _IN_WORKFLOW.get():
            for vals in vals_list:
                forged = sorted(
                    fname
                    for fname in WORKFLOW_FIELDS & set(vals)
                    if vals[fname] and not (fname == "state" and vals[fname] == "new")
                )
                if forged:
                    self._raise_workflow_fields(forged)
        return super().create(vals_list)

    def write(self, vals):
        check_ids(self)
        check_vals(self, vals)
        if not _IN_WORKFLOW.get():
            forged = sorted(WORKFLOW_FIELDS & set(vals))
            if forged:
                self._raise_workflow_fields(forged)
            frozen = sorted(FROZEN_AFTER_DIAGNOSIS & set(vals))
            if frozen and any(claim.state not in ("new", "diagnosis") for claim in self):
                raise UserError(
                    self.env._(
                        "Fields %(fields)s of a decided, resolved or closed claim cannot be "
                        "changed: they fixed its deadlines, price and customer.",
                        fields=", ".join(frozen),
                    )
                )
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

    def _aftersales_workflow_write(self, vals):
        """Write workflow fields from server-side code of this addon (not callable over
        RPC: private). Callers check their own rights and state first."""
        with claim_workflow():
            return self.write(vals)

    # Locking -------------------------------------------------------------------------------

    def _aftersales_lock(self):
        """Deduplicate the claims and lock their rows (``FOR UPDATE NOWAIT``), then drop
        the cached values so the checks that follow read the state as committed.

        Repeated ids in one call act once; a second worker deciding the same claim at the
        same time gets a clear error instead of a second set of documents. Returns the
        deduplicated, locked recordset."""
        claims = self.browse(list(dict.fromkeys(self.ids)))
        if not claims:
            return claims
        try:
            with self.env.cr.savepoint(flush=False):
                self.env.cr.execute(
                    "SELECT id FROM aftersales_claim WHERE id IN %s FOR UPDATE NOWAIT",
                    [tuple(claims.ids)],
                )
        except LockNotAvailable:
            raise UserError(
                self.env._(
                    "Claim %(claims)s is being changed by someone else right now; try again "
                    "in a moment.",
                    claims=", ".join(claims.sudo().mapped("name")),
                )
            ) from None
        claims.invalidate_recordset()
        return claims

    # Actions: deduplicated, locked, allowed to write the workflow fields ---------------------

    def action_decide(
        self, decision, amount=0.0, reason=False, replacement_lot_id=False, exceed_reason=False
    ):
        amount = self._decision_amount_value(amount)
        claims = self._aftersales_lock()
        with claim_workflow():
            return super(AftersalesClaim, claims).action_decide(
                decision,
                amount=amount,
                reason=reason,
                replacement_lot_id=replacement_lot_id,
                exceed_reason=exceed_reason,
            )

    def action_start_diagnosis(self):
        claims = self._aftersales_lock()
        with claim_workflow():
            return super(AftersalesClaim, claims).action_start_diagnosis()

    def action_done(self):
        claims = self._aftersales_lock()
        with claim_workflow():
            return super(AftersalesClaim, claims).action_done()

    def action_cancel(self):
        claims = self._aftersales_lock()
        with claim_workflow():
            return super(AftersalesClaim, claims).action_cancel()

    def action_create_repair(self):
        claims = self._aftersales_lock()
        with claim_workflow():
            return super(AftersalesClaim, claims).action_create_repair()

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
