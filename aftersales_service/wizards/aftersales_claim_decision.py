# Copyright 2026 aftersales_service authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models

from ..models.aftersales_claim import DECISIONS

# The decision that answers each request, proposed by default.
REQUEST_TO_DECISION = {
    "repair": "repair",
    "replacement": "replace",
    "refund": "refund",
    "price_reduction": "price_reduction",
    "compensation": "compensation",
}


class AftersalesClaimDecision(models.TransientModel):
    """Collects the manager's decision on a claim; the claim carries it out."""

    _name = "aftersales.claim.decision"
    _description = "Decide a Claim"

    claim_id = fields.Many2one("aftersales.claim", required=True, ondelete="cascade")
    company_id = fields.Many2one(related="claim_id.company_id")
    currency_id = fields.Many2one(related="claim_id.currency_id")
    product_id = fields.Many2one(related="claim_id.product_id")
    decision = fields.Selection(
        DECISIONS, required=True, compute="_compute_decision", store=True, readonly=False
    )
    amount = fields.Monetary(help="Agreed amount of the price reduction or compensation.")
    reason = fields.Text()
    unit_price = fields.Monetary(related="claim_id.unit_price", string="Price Paid")
    exceed_reason = fields.Text(
        string="Reason for Exceeding the Price Paid",
        help="A compensation above the price paid for the unit needs a reason; it is written "
        "in the claim's chatter with the decision.",
    )
    replacement_lot_id = fields.Many2one(
        "stock.lot",
        string="Replacement Serial",
        domain="[('product_id', '=', product_id), ('company_id', 'in', (company_id, False))]",
    )

    @api.depends("claim_id")
    def _compute_decision(self):
        for wizard in self:
            wizard.decision = REQUEST_TO_DECISION.get(wizard.claim_id.request, "repair")

    def action_confirm(self):
        self.ensure_one()
        self.claim_id.action_decide(
            self.decision,
            amount=self.amount,
            reason=self.reason,
            replacement_lot_id=self.replacement_lot_id.id,
            exceed_reason=self.exceed_reason,
        )
        return {"type": "ir.actions.act_window_close"}
