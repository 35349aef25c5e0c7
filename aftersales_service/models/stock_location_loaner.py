from odoo import fields, models


class StockLocationLoaner(models.Model):
    _inherit = "stock.location"  # pylint: disable=consider-merging-classes-inherited

    aftersales_loaner = fields.Boolean(
        string="Loaners",
        copy=False,
        index=True,
        help="Units lent to customers during a repair wait here. Loans take their units from "
        "such a location only, and the location is outside the warehouse stock, so sales and "
        "replenishment never reserve them.",
    )
