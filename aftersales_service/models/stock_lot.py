from odoo import models


class StockLot(models.Model):
    _inherit = "stock.lot"
