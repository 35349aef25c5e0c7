# Copyright 2026 aftersales_service authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models


class AftersalesClaimTag(models.Model):
    """Free labels the desk puts on claims (a product line, a campaign, a VIP customer)."""

    _name = "aftersales.claim.tag"
    _description = "After-Sales Claim Tag"
    _order = "name"

    name = fields.Char(required=True, translate=True)
    color = fields.Integer()
    active = fields.Boolean(default=True)

    _sql_constraints = [  # noqa: RUF012
        ("name_uniq", "unique (name)", "A claim tag with this name already exists."),
    ]
