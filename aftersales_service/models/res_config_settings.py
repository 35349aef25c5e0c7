from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    aftersales_parts_issue = fields.Boolean(
        related="company_id.aftersales_parts_issue", readonly=False
    )
    aftersales_warranty_expense_account_id = fields.Many2one(
        related="company_id.aftersales_warranty_expense_account_id", readonly=False
    )

    # --- Service orders ---
    aftersales_service_cost_account_id = fields.Many2one(
        related="company_id.aftersales_service_cost_account_id", readonly=False
    )

    # --- Claims ---
    aftersales_compensation_account_id = fields.Many2one(
        related="company_id.aftersales_compensation_account_id", readonly=False
    )
