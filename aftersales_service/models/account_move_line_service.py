from odoo import fields, models


class AccountMoveLine(models.Model):
    """A service invoice's part line knows the stock move that consumed the part, so its
    cost of goods sold is what the order consumed, as a sale invoice line's is what its
    deliveries took out of stock (``sale_stock``: ``sale_line_ids`` → moves → layers)."""

    _inherit = "account.move.line"

    aftersales_stock_move_id = fields.Many2one(
        "stock.move",
        string="Consumed Part Move",
        copy=False,
        readonly=True,
        index="btree_not_null",
        help="The service order's part move this invoice line bills (its cost of goods sold "
        "is that move's stock valuation).",
    )

    def _stock_account_get_anglo_saxon_price_unit(self):
        """Unit cost of the consumed part: the valuation of its move (FIFO layers taken,
        AVCO average at the time), not today's product cost. Anglo-saxon COGS posted with the
        invoice then clears exactly what the consumption put in stock output (IAS 2.34: the
        carrying amount of the goods sold is the expense)."""
        self.ensure_one()
        move = self.aftersales_stock_move_id
        if not move or move.state != "done" or self.move_id.move_type != "out_invoice":
            return super()._stock_account_get_anglo_saxon_price_unit()
        product = move.product_id
        quantity = move.product_uom._compute_quantity(move.quantity, product.uom_id)
        if not quantity:
            return super()._stock_account_get_anglo_saxon_price_unit()
        unit_cost = -sum(move.sudo().stock_valuation_layer_ids.mapped("value")) / quantity
        # In the company currency: COGS lines are (``account.move.line._compute_currency_id``).
        return product.uom_id._compute_price(unit_cost, self.product_uom_id)
