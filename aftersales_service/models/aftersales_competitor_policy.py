# Copyright 2026 aftersales_service authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models


class AftersalesCompetitorPolicy(models.Model):
    """What a competitor offers after the sale in a product category: warranty length,
    service terms, the price of its extended warranty; where and when we learnt it."""

    _name = "aftersales.competitor.policy"
    _description = "Competitor After-Sales Policy"
    _inherit = ["mail.thread"]  # noqa: RUF012
    _order = "date desc, id desc"
    _rec_name = "competitor_id"
    _check_company_auto = True

    competitor_id = fields.Many2one("res.partner", required=True, index=True, tracking=True)
    categ_id = fields.Many2one(
        "product.category", string="Product Category", required=True, index=True, tracking=True
    )
    warranty_months = fields.Integer(
        string="Warranty (months)",
        required=True,
        tracking=True,
        help="The warranty the competitor gives with the product.",
    )
    service_terms = fields.Text(help="Repair times, loaners, on-site service, exclusions...")
    extended_price = fields.Monetary(
        string="Extended Warranty Price", currency_field="currency_id", tracking=True
    )
    extended_months = fields.Integer(string="Extended Warranty (months)")
    source = fields.Char(required=True, help="Where it comes from: web page, leaflet, dealer.")
    date = fields.Date(required=True, default=fields.Date.context_today, index=True)
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    currency_id = fields.Many2one(related="company_id.currency_id", string="Currency")
    active = fields.Boolean(default=True)

    _sql_constraints = [  # noqa: RUF012
        (
            "warranty_months_bounds",
            "CHECK(warranty_months >= 0 AND warranty_months <= 600)",
            "The warranty must be between 0 and 600 months.",
        ),
        (
            "extended_months_bounds",
            "CHECK(extended_months IS NULL OR (extended_months >= 0 AND extended_months <= 600))",
            "The extended warranty must be between 0 and 600 months.",
        ),
        (
            "extended_price_positive",
            "CHECK(extended_price IS NULL OR extended_price >= 0)",
            "The extended warranty price cannot be negative.",
        ),
    ]
