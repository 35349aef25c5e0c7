# Copyright 2026 aftersales_service authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import math
from datetime import timedelta

from odoo import Command, api, fields, models
from odoo.exceptions import UserError

from ..rules import recovery
from .aftersales_workflow_mixin import in_workflow, workflow

CLAIM_TYPES = [
    ("warranty", "Warranty Recovery"),
    ("shortage", "Shortage"),
    ("late_delivery", "Late Delivery"),
    ("quality", "Quality"),
]
STATES = [
    ("draft", "Draft"),
    ("sent", "Sent"),
    ("accepted", "Accepted"),
    ("rejected", "Rejected"),
    ("paid", "Paid"),
    ("done", "Done"),
]
# Set by the actions only (send, accept, reject, done).
WORKFLOW_FIELDS = frozenset(
    {
        "state",
        "date_sent",
        "date_response_due",
        "date_decided",
        "date_paid",
        "amount_recovered",
        "return_picking_id",
        "refund_move_id",
        "reject_reason",
    }
)
# What the claim was sent on: fixed once it left draft.
FROZEN_AFTER_DRAFT = frozenset(
    {
        "partner_id",
        "company_id",
        "claim_type",
        "purchase_id",
        "receipt_picking_id",
        "bill_id",
        "return_parts",
        "penalty_rate",
        "penalty_type",
        "penalty_cap",
        "line_ids",
    }
)


def supplier_claim_workflow():
    return workflow("aftersales.supplier.claim")


def in_supplier_claim_workflow():
    return in_workflow("aftersales.supplier.claim")


class AftersalesSupplierClaim(models.Model):
    """What we claim from a vendor: the warranty cost of its failed components (recovery)
    or a breach of the supply contract (shortage, late delivery, quality on receipt).

    Sent as a letter (with the faulty parts returned when they were kept), then accepted —
    the vendor's credit note books the amount back — or rejected with the vendor's reason.
    """

    _name = "aftersales.supplier.claim"
    _description = "Supplier Claim"
    _inherit = ["mail.thread", "mail.activity.mixin", "aftersales.workflow.mixin"]  # noqa: RUF012
    _order = "id desc"
    _check_company_auto = True
    _aftersales_workflow_fields = WORKFLOW_FIELDS
    _aftersales_workflow_initial = {"state": "draft"}  # noqa: RUF012
    _aftersales_frozen_fields = FROZEN_AFTER_DRAFT

    name = fields.Char(default="New", readonly=True, copy=False, required=True, index="trigram")
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company, index=True
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    user_id = fields.Many2one(
        "res.users", string="Responsible", default=lambda self: self.env.user, tracking=True
    )
    partner_id = fields.Many2one(
        "res.partner", string="Vendor", required=True, index=True, tracking=True
    )
    claim_type = fields.Selection(
        CLAIM_TYPES, string="Type", required=True, default="warranty", tracking=True
    )
    state = fields.Selection(
        STATES, required=True, default="draft", readonly=True, index=True, tracking=True
    )
    line_ids = fields.One2many("aftersales.supplier.claim.line", "claim_id", string="Lines")

    # Breach of the supply contract
    purchase_id = fields.Many2one(
        "purchase.order", string="Purchase Order", index="btree_not_null", check_company=True
    )
    receipt_picking_id = fields.Many2one(
        "stock.picking", string="Receipt", index="btree_not_null", check_company=True
    )
    penalty_rate = fields.Float(
        string="Penalty Rate (%)",
        digits=(5, 3),
        help="The contractual penalty, percent of the goods' value: late delivery, per day "
        "late (or once); shortage and quality, once, on top of the goods' value.",
    )

    # Amounts and dates
    amount_claimed = fields.Monetary(compute="_compute_amount_claimed", store=True, tracking=True)
    amount_recovered = fields.Monetary(readonly=True, copy=False, tracking=True)
    date_sent = fields.Date(readonly=True, copy=False, tracking=True)
    date_response_due = fields.Date(readonly=True, copy=False, tracking=True, index=True)
    date_decided = fields.Date(readonly=True, copy=False)
    reject_reason = fields.Text(readonly=True, copy=False, tracking=True)
    note = fields.Html()
    # What the user types in before pressing Accept / Reject on the form (not the decision:
    # that is ``amount_recovered`` / ``reject_reason``, written by the actions).
    vendor_reply = fields.Text(string="Vendor's Answer", copy=False)
    amount_offered = fields.Monetary(
        string="Amount Accepted",
        copy=False,
        help="What the vendor accepts to pay; empty: the amount claimed.",
    )

    # Documents
    return_parts = fields.Boolean(
        string="Return Faulty Parts",
        help="The faulty parts were kept: send them back to the vendor with the claim.",
    )
    return_picking_id = fields.Many2one(
        "stock.picking", string="Return of Parts", readonly=True, copy=False, check_company=True
    )
    refund_move_id = fields.Many2one(
        "account.move", string="Vendor Credit Note", readonly=True, copy=False, check_company=True
    )
    defect_count = fields.Integer(compute="_compute_defect_count")

    # ------------------------------------------------------------------------------------
    # Computes, create, guards
    # ------------------------------------------------------------------------------------

    @api.depends("line_ids.amount")
    def _compute_amount_claimed(self):
        for claim in self:
            claim.amount_claimed = claim.currency_id.round(sum(claim.line_ids.mapped("amount")))

    @api.depends("line_ids.defect_id")
    def _compute_defect_count(self):
        for claim in self:
            claim.defect_count = len(claim.line_ids.defect_id)

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("name", "New") == "New":
                company = self.env["res.company"].browse(
                    vals.get("company_id") or self.env.company.id
                )
                vals["name"] = self.env["ir.sequence"].with_company(company).next_by_code(
                    "aftersales.supplier.claim"
                ) or self.env._("New")
        return super().create(vals_list)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_sent(self):
        if any(claim.state != "draft" for claim in self):
            raise UserError(self.env._("Only draft supplier claims can be deleted."))

    def _raise_workflow_fields(self, fnames):
        raise UserError(
            self.env._(
                "Fields %(fields)s of a supplier claim are set by its actions only (send, "
                "accept, reject).",
                fields=", ".join(fnames),
            )
        )

    def _raise_frozen_fields(self, fnames):
        raise UserError(
            self.env._(
                "Fields %(fields)s of a supplier claim that was sent cannot change.",
                fields=", ".join(fnames),
            )
        )

    def _aftersales_lock_message(self, names):
        return self.env._(
            "Supplier claim %(claims)s is being changed by someone else right now; "
            "try again in a moment.",
            claims=names,
        )

    def _check_state(self, states, action):
        wrong = self.filtered(lambda c: c.state not in states)
        if wrong:
            raise UserError(
                self.env._(
                    "Supplier claim %(claims)s cannot be %(action)s in its current state.",
                    claims=", ".join(wrong.mapped("name")),
                    action=action,
                )
            )

    # ------------------------------------------------------------------------------------
    # Hooks
    # ------------------------------------------------------------------------------------

    @api.model
    def _aftersales_supplier_terms(self, partner, company, product=None, on_date=None):
        """The supplier's recovery terms: labor rate (company currency per hour), the days
        it has to answer a claim and its warranty on components in months from their receipt
        (0: none, everything recoverable). Defaults (no agreement): no labor, 30 days — the
        usual commercial answer period —, no limit. The supplier agreements
        (``aftersales.agreement``) override this hook to return their terms."""
        return {"labor_rate": 0.0, "response_days": 30, "warranty_months": 0}

    @api.model
    def _prepare_warranty_claim_vals(self, partner, company, defects):
        """A draft warranty claim of ``defects`` (one supplier, one company).

        Each line claims the failed component at cost plus the labor of its service order
        at the supplier's rate (the order's hours shared between its defects): what the
        supplier's defective supply cost us (EU Directive 2019/771 art. 18 and RF Civil
        Code art. 475, 518: the seller who bore the consumer's remedy recovers it from the
        liable person up the chain)."""
        lines = []
        per_order = {}
        for defect in defects:
            if defect.repair_id:
                per_order.setdefault(
                    defect.repair_id.id, len(defect.repair_id.aftersales_defect_ids)
                )
        for defect in defects:
            terms = self._aftersales_supplier_terms(
                partner, company, product=defect.component_id, on_date=defect.date
            )
            hours = 0.0
            if defect.repair_id:
                hours = defect.repair_id.aftersales_labor_hours / (
                    per_order[defect.repair_id.id] or 1
                )
            amount = defect.component_cost + hours * (terms.get("labor_rate") or 0.0)
            lines.append(
                Command.create(
                    {
                        "defect_id": defect.id,
                        "repair_id": defect.repair_id.id,
                        "product_id": (defect.component_id or defect.product_id).id,
                        "lot_id": defect.component_lot_id.id,
                        "quantity": 1.0,
                        "labor_hours": hours,
                        "amount": company.currency_id.round(amount),
                    }
                )
            )
        return {
            "partner_id": partner.id,
            "company_id": company.id,
            "claim_type": "warranty",
            "line_ids": lines,
        }

    # ------------------------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------------------------

    def action_send(self):
        """Send the claim: dated today, answer due after the supplier's response days; the
        kept faulty parts leave with a return transfer."""
        claims = self._aftersales_lock()
        claims._check_state(("draft",), self.env._("sent"))
        empty = claims.filtered(lambda c: not c.line_ids or c.amount_claimed <= 0)
        if empty:
            raise UserError(
                self.env._(
                    "Supplier claim %(claims)s claims nothing: add lines with an amount.",
                    claims=", ".join(empty.mapped("name")),
                )
            )
        claims._aftersales_check_breach_claimed()
        today = fields.Date.context_today(self)
        with supplier_claim_workflow():
            for claim in claims:
                terms = self._aftersales_supplier_terms(claim.partner_id, claim.company_id)
                vals = {
                    "state": "sent",
                    "date_sent": today,
                    "date_response_due": today
                    + timedelta(days=int(terms.get("response_days") or 30)),
                }
                if claim.return_parts and not claim.return_picking_id:
                    picking_vals = claim._prepare_return_picking_vals()
                    if picking_vals["move_ids"]:
                        picking = self.env["stock.picking"].create(picking_vals)
                        picking.action_confirm()
                        vals["return_picking_id"] = picking.id
                claim.write(vals)
        return True

    def _accept_amount(self, amount):
        self.ensure_one()
        if amount is None or amount is False:  # not ``in``: 0.0 == False
            return self.amount_claimed
        if isinstance(amount, bool) or not isinstance(amount, (int, float)):
            raise UserError(self.env._("The accepted amount must be a number."))
        if not math.isfinite(amount) or amount <= 0:
            raise UserError(self.env._("The accepted amount must be a positive number."))
        if self.currency_id.compare_amounts(amount, self.amount_claimed) > 0:
            raise UserError(
                self.env._(
                    "The vendor cannot accept more than was claimed (%(claimed)s).",
                    claimed=self.amount_claimed,
                )
            )
        return self.currency_id.round(amount)

    def action_accept(self, amount=None):
        """The vendor accepts ``amount`` (default: what was claimed): its credit note is
        posted for it, and it is allocated to the lines (so to the service orders) pro rata
        to their amounts."""
        claims = self._aftersales_lock()
        claims._check_state(("sent",), self.env._("accepted"))
        for claim in claims:
            value = claim._accept_amount(amount)
            shares = recovery.allocate(
                value, claim.line_ids.mapped("amount"), claim.currency_id.decimal_places
            )
            refund = (
                self.env["account.move"]
                .with_company(claim.company_id)
                .create(claim._prepare_refund_vals(value, shares))
            )
            refund.action_post()
            with supplier_claim_workflow():
                for line, share in zip(claim.line_ids, shares, strict=True):
                    line.amount_recovered = share
                claim.write(
                    {
                        "state": "accepted",
                        "amount_recovered": value,
                        "refund_move_id": refund.id,
                        "date_decided": fields.Date.context_today(self),
                    }
                )
        return True

    def action_reject(self, reason):
        """The vendor refuses: the claim ends with its reason (kept for the record)."""
        if not isinstance(reason, str) or not reason.strip():
            raise UserError(self.env._("Give the vendor's reason for rejecting the claim."))
        claims = self._aftersales_lock()
        claims._check_state(("sent",), self.env._("rejected"))
        with supplier_claim_workflow():
            claims.write(
                {
                    "state": "rejected",
                    "reject_reason": reason.strip(),
                    "date_decided": fields.Date.context_today(self),
                }
            )
        return True

    def action_accept_from_form(self):
        self.ensure_one()
        return self.action_accept(amount=self.amount_offered or None)

    def action_reject_from_form(self):
        self.ensure_one()
        return self.action_reject(self.vendor_reply or "")

    def action_print_letter(self):
        return self.env.ref("aftersales_service.action_report_supplier_claim").report_action(self)

    def action_done(self):
        """Close an accepted claim once its credit note is settled."""
        claims = self._aftersales_lock()
        claims._check_state(("accepted",), self.env._("closed"))
        with supplier_claim_workflow():
            claims.write({"state": "done"})
        return True

    # ------------------------------------------------------------------------------------
    # Views
    # ------------------------------------------------------------------------------------

    def _aftersales_open(self, name):
        action = {
            "type": "ir.actions.act_window",
            "res_model": self._name,
            "name": name,
            "domain": [("id", "in", self.ids)],
            "view_mode": "list,form",
        }
        if len(self) == 1:
            action.update(view_mode="form", res_id=self.id)
        return action

    def action_view_defects(self):
        action = self.line_ids.defect_id._aftersales_open_defects()
        return action

    def action_view_refund(self):
        return self.refund_move_id._get_records_action(name=self.env._("Vendor Credit Note"))

    def action_view_return(self):
        return self.return_picking_id._get_records_action(name=self.env._("Return of Parts"))
