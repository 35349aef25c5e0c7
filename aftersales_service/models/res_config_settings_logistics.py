from odoo import fields, models


class ResConfigSettingsLogistics(models.TransientModel):
    _inherit = "res.config.settings"  # pylint: disable=consider-merging-classes-inherited

    aftersales_logistics_flat_rate = fields.Monetary(
        related="company_id.aftersales_logistics_flat_rate",
        currency_field="company_currency_id",
        readonly=False,
    )
