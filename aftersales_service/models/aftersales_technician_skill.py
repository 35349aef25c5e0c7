# Copyright 2026 aftersales_service authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models


class AftersalesTechnicianSkill(models.Model):
    """A technician's qualification for a product category (and its subcategories),
    with the certificate that proves it and the date it expires."""

    _name = "aftersales.technician.skill"
    _description = "Technician Skill"
    _inherit = ["mail.thread"]  # noqa: RUF012
    _order = "user_id, categ_id"
    _rec_name = "categ_id"
    _check_company_auto = True

    user_id = fields.Many2one(
        "res.users",
        string="Technician",
        required=True,
        index=True,
        domain="[('share', '=', False)]",
        tracking=True,
    )
    categ_id = fields.Many2one(
        "product.category", string="Product Category", required=True, index=True, tracking=True
    )
    certificate = fields.Char(help="Certificate name or number.", tracking=True)
    certificate_file = fields.Binary(attachment=True)
    certificate_filename = fields.Char()
    date_expiry = fields.Date(
        string="Expires On", index=True, tracking=True, help="Empty: does not expire."
    )
    is_valid = fields.Boolean(
        string="Valid", compute="_compute_is_valid", search="_search_is_valid"
    )
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    active = fields.Boolean(default=True)

    _sql_constraints = [  # noqa: RUF012
        (
            "user_categ_company_uniq",
            "UNIQUE(user_id, categ_id, company_id)",
            "A technician has one skill record per category.",
        ),
    ]

    @api.depends("date_expiry")
    @api.depends_context("date")
    def _compute_is_valid(self):
        today = fields.Date.context_today(self)
        for skill in self:
            skill.is_valid = not skill.date_expiry or skill.date_expiry >= today

    def _search_is_valid(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            raise NotImplementedError(self.env._("Unsupported search on validity."))
        today = fields.Date.context_today(self)
        valid = ["|", ("date_expiry", "=", False), ("date_expiry", ">=", today)]
        if (operator == "=") == value:
            return valid
        return [("date_expiry", "<", today)]

    @api.depends("user_id", "categ_id")
    def _compute_display_name(self):
        for skill in self:
            skill.display_name = f"{skill.user_id.name or ''} - {skill.categ_id.display_name or ''}"
