# Copyright 2026 aftersales_service authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models
from odoo.exceptions import ValidationError


class AftersalesClaimDealer(models.Model):
    """A claim brought by a dealer who repaired the customer's unit under our warranty:
    the dealer is reimbursed at its agreement's rates by a vendor bill made from the
    claim's service order (``repair.order.action_aftersales_bill_dealer``)."""

    _inherit = "aftersales.claim"  # pylint: disable=consider-merging-classes-inherited

    dealer_id = fields.Many2one(
        "res.partner",
        index="btree_not_null",
        tracking=True,
        help="The dealer who repaired the unit under our warranty and claims its work back.",
    )

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("dealer_id"):
                vals["channel"] = "dealer"
        return super().create(vals_list)

    @api.onchange("dealer_id")
    def _onchange_dealer_id(self):
        if self.dealer_id:
            self.channel = "dealer"

    @api.constrains("dealer_id", "partner_id")
    def _check_dealer_not_customer(self):
        for claim in self.filtered("dealer_id"):
            if claim.dealer_id.commercial_partner_id == claim.partner_id.commercial_partner_id:
                raise ValidationError(
                    self.env._(
                        "Claim %(claim)s: the dealer cannot be the customer itself.",
                        claim=claim.display_name,
                    )
                )
