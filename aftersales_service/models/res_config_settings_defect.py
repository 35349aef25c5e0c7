# Copyright 2026 aftersales_service authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models


class ResConfigSettingsDefect(models.TransientModel):
    _inherit = "res.config.settings"  # pylint: disable=consider-merging-classes-inherited

    aftersales_defect_required = fields.Boolean(
        related="company_id.aftersales_defect_required", readonly=False
    )
    aftersales_quality_user_id = fields.Many2one(
        related="company_id.aftersales_quality_user_id", readonly=False
    )
