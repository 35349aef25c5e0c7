from odoo import fields, models


class AftersalesLegalRule(models.Model):
    _name = "aftersales.legal.rule"
    _description = "Consumer Law Deadline Rule"
    _order = "country_id, request"

    name = fields.Char(required=True, translate=True)
    active = fields.Boolean(default=True)
    country_id = fields.Many2one("res.country", help="Leave empty for the default rule.")
    request = fields.Selection(
        [
            ("repair", "Repair"),
            ("replacement", "Replacement"),
            ("refund", "Refund"),
            ("price_reduction", "Price Reduction"),
            ("compensation", "Compensation"),
        ],
        required=True,
    )
    response_days = fields.Integer()
    resolution_days = fields.Integer()
    penalty_rate = fields.Float(string="Penalty Rate (%/day)")
    loaner_within_days = fields.Integer()
    law_reference = fields.Char(translate=True)
