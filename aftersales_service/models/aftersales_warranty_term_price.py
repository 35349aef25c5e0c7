# Copyright 2026 aftersales_service authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models

# Days in a term's duration unit (a year of 365 days, a month of 365/12).
UNIT_DAYS = {"day": 1.0, "month": 365.0 / 12.0, "year": 365.0}


class AftersalesWarrantyTermPrice(models.Model):
    """Suggested price of an extended warranty: the expected after-sales cost of the
    products it covers, over its duration, plus the company's target margin."""

    _inherit = "aftersales.warranty.term"  # pylint: disable=consider-merging-classes-inherited

    aftersales_currency_id = fields.Many2one(
        "res.currency", compute="_compute_aftersales_suggested_price", string="Price Currency"
    )
    aftersales_expected_cost = fields.Monetary(
        string="Expected Cost per Unit",
        currency_field="aftersales_currency_id",
        compute="_compute_aftersales_suggested_price",
        help="Highest expected after-sales cost among the products the term covers.",
    )
    aftersales_suggested_price = fields.Monetary(
        string="Suggested Price",
        currency_field="aftersales_currency_id",
        compute="_compute_aftersales_suggested_price",
        help="Expected cost per unit x duration / window x (1 + target margin): the price "
        "that covers what the covered products cost in warranty, at the company's margin.",
    )

    @api.depends(
        "duration",
        "duration_unit",
        "product_tmpl_ids.aftersales_expected_cost_value",
        "categ_ids",
        "company_id",
    )
    @api.depends_context("company")
    def _compute_aftersales_suggested_price(self):
        Template = self.env["product.template"]
        for term in self:
            company = term.company_id or self.env.company
            templates = term.product_tmpl_ids
            if term.categ_ids:
                templates |= Template.search([("categ_id", "child_of", term.categ_ids.ids)])
            # The term's company's figures, in its currency.
            expected = max(
                templates.with_company(company).mapped("aftersales_expected_cost_value"),
                default=0.0,
            )
            window = company.aftersales_expected_cost_days or 365
            days = (term.duration or 0) * UNIT_DAYS.get(term.duration_unit, 0.0)
            margin = 1.0 + (company.aftersales_extended_margin or 0.0) / 100.0
            term.aftersales_currency_id = company.currency_id
            term.aftersales_expected_cost = expected
            term.aftersales_suggested_price = company.currency_id.round(
                expected * days / window * margin
            )
