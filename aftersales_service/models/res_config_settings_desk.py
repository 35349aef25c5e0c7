# Copyright 2026 aftersales_service authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models


class ResConfigSettingsDesk(models.TransientModel):
    _inherit = "res.config.settings"  # pylint: disable=consider-merging-classes-inherited

    aftersales_expected_cost_days = fields.Integer(
        related="company_id.aftersales_expected_cost_days", readonly=False
    )
    aftersales_extended_margin = fields.Float(
        related="company_id.aftersales_extended_margin", readonly=False
    )
    aftersales_forecast_months = fields.Integer(
        related="company_id.aftersales_forecast_months", readonly=False
    )
