# Copyright 2026 aftersales_service authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models
from odoo.exceptions import UserError

from .aftersales_supplier_claim import in_supplier_claim_workflow


class AftersalesSupplierClaimLine(models.Model):
    """One item claimed from the vendor: a failed component of a service order (warranty
    recovery) or goods of a purchase (breach), with the amount claimed and, once the vendor
    accepted, its share of what was recovered."""

    _name = "aftersales.supplier.claim.line"
    _description = "Supplier Claim Line"
    _order = "claim_id, id"
    _check_company_auto = True

    claim_id = fields.Many2one(
        "aftersales.supplier.claim", required=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one(related="claim_id.company_id", store=True, index=True)
    currency_id = fields.Many2one(related="claim_id.currency_id")
    state = fields.Selection(related="claim_id.state")
    defect_id = fields.Many2one(
        "aftersales.defect",
        index="btree_not_null",
        check_company=True,
        ondelete="restrict",
    )
    repair_id = fields.Many2one(
        "repair.order", string="Service Order", index="btree_not_null", check_company=True
    )
    product_id = fields.Many2one("product.product", required=True, check_company=True)
    lot_id = fields.Many2one(
        "stock.lot",
        string="Lot/Serial",
        check_company=True,
        domain="[('product_id', '=', product_id)]",
    )
    # Breach claims: the goods claimed, so that no other claim claims them again.
    purchase_line_id = fields.Many2one(
        "purchase.order.line",
        string="Purchase Order Line",
        readonly=True,
        index="btree_not_null",
        check_company=True,
        help="Breach claims: the order line of the goods claimed (set by Prefill Lines). "
        "What a sent claim claims on it is not claimed again, until the vendor rejects it.",
    )
    source_move_id = fields.Many2one(
        "stock.move",
        readonly=True,
        index="btree_not_null",
        check_company=True,
        help="Late delivery: the receipt move that came late, claimed once. Quality: the "
        "return that sent the rejected goods back to the vendor (set by Prefill Lines).",
    )
    quantity = fields.Float(default=1.0, digits="Product Unit of Measure", required=True)
    labor_hours = fields.Float()
    days_late = fields.Integer()
    goods_value = fields.Monetary(
        help="Breach claims: the value of the goods concerned (missing, late or rejected)."
    )
    penalty_amount = fields.Monetary(
        string="Penalty", help="Breach claims: the contractual penalty in the amount."
    )
    amount = fields.Monetary(required=True)
    amount_recovered = fields.Monetary(readonly=True, copy=False)

    _sql_constraints = [  # noqa: RUF012
        ("amount_positive", "CHECK(amount >= 0)", "A claimed amount cannot be negative."),
        ("quantity_positive", "CHECK(quantity > 0)", "A claimed quantity must be positive."),
    ]

    def _check_draft(self, claims):
        if in_supplier_claim_workflow():
            return
        sent = claims.filtered(lambda c: c.state != "draft")
        if sent:
            raise UserError(
                self.env._(
                    "The lines of supplier claim %(claims)s were sent and cannot change.",
                    claims=", ".join(sent.mapped("name")),
                )
            )

    @api.model_create_multi
    def create(self, vals_list):
        if not in_supplier_claim_workflow() and any(
            vals.get("amount_recovered") for vals in vals_list
        ):
            raise UserError(self.env._("The recovered amount is set when the vendor accepts."))
        claims = self.env["aftersales.supplier.claim"].browse(
            {vals["claim_id"] for vals in vals_list if vals.get("claim_id")}
        )
        self._check_draft(claims)
        return super().create(vals_list)

    def write(self, vals):
        if "amount_recovered" in vals and not in_supplier_claim_workflow():
            raise UserError(self.env._("The recovered amount is set when the vendor accepts."))
        self._check_draft(self.claim_id)
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_sent(self):
        self._check_draft(self.claim_id)
