# Copyright 2026 aftersales_service authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models


class SaleOrderLineExpectedCost(models.Model):
    """The expected after-sales cost of what a line sells, next to its margin: the
    salesperson sees what the units will cost in warranty before granting a discount."""

    _inherit = "sale.order.line"

    aftersales_expected_cost = fields.Monetary(
        string="Expected After-Sales Cost",
        currency_field="currency_id",
        compute="_compute_aftersales_expected_cost",
        help="The product's expected warranty cost per unit x the quantity, in the order's "
        "currency.",
    )

    @api.depends("product_id", "product_uom_qty", "product_uom", "currency_id")
    def _compute_aftersales_expected_cost(self):
        for line in self:
            product = line.product_id
            company = line.company_id or self.env.company
            # The selling company's figure, in its currency (company-dependent).
            per_unit = product.product_tmpl_id.with_company(company).aftersales_expected_cost_value
            if not product or not per_unit:
                line.aftersales_expected_cost = 0.0
                continue
            qty = line.product_uom._compute_quantity(line.product_uom_qty, product.uom_id)
            amount = per_unit * qty
            currency = line.currency_id or company.currency_id
            if currency != company.currency_id:
                amount = company.currency_id._convert(
                    amount,
                    currency,
                    company,
                    line.order_id.date_order or fields.Date.context_today(line),
                )
            line.aftersales_expected_cost = currency.round(amount)
