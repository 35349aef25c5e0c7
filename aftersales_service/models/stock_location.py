from odoo import fields, models


class StockLocation(models.Model):
    _inherit = "stock.location"

    aftersales_units_in_service = fields.Boolean(
        string="Units in Service",
        copy=False,
        index=True,
        help="Customers' units in for service wait here. They are not our stock: product "
        "On Hand and forecasts leave this location out unless it is asked for explicitly.",
    )
