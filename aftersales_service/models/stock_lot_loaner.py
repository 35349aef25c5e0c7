from odoo import fields, models


class StockLotLoaner(models.Model):
    _inherit = "stock.lot"  # pylint: disable=consider-merging-classes-inherited

    aftersales_loaner_ids = fields.One2many(
        "aftersales.loaner", "lot_id", string="Loans", groups="stock.group_stock_user"
    )
