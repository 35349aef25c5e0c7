from odoo import fields, models


class StockQuant(models.Model):
    _inherit = "stock.quant"

    aftersales_days_in_service = fields.Integer(
        string="Days in Service",
        compute="_compute_aftersales_days_in_service",
        help="Days since the customer's unit came in (the quant's incoming date).",
    )

    def _compute_aftersales_days_in_service(self):
        now = fields.Datetime.now()
        for quant in self:
            in_service = quant.location_id.aftersales_units_in_service and quant.in_date
            quant.aftersales_days_in_service = (now - quant.in_date).days if in_service else 0
