# Copyright 2026 aftersales_service authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models, tools
from odoo.tools import SQL


class AftersalesPartsDemandReport(models.Model):
    """Spare-part consumption per month: the done part moves of the service orders (what
    was fitted into the units), in the part's unit of measure, at their stock valuation.
    Purchasing reads the trend per part, per product repaired and per month."""

    _name = "aftersales.parts.demand.report"
    _description = "Spare-Part Consumption per Month"
    _auto = False
    _order = "month desc, product_id"
    _rec_name = "product_id"

    month = fields.Date(readonly=True)
    product_id = fields.Many2one("product.product", string="Part", readonly=True)
    categ_id = fields.Many2one("product.category", string="Part Category", readonly=True)
    repaired_product_id = fields.Many2one("product.product", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one("res.currency", readonly=True)
    quantity = fields.Float(digits="Product Unit of Measure", readonly=True)
    cost = fields.Monetary(readonly=True, help="Stock valuation of the consumed parts.")
    order_count = fields.Integer(string="Service Orders", readonly=True)

    def _query(self):
        return SQL(
            """
            SELECT MIN(m.id) AS id,
                   date_trunc('month', m.date)::date AS month,
                   m.product_id,
                   pt.categ_id,
                   r.product_id AS repaired_product_id,
                   r.company_id,
                   co.currency_id,
                   SUM(m.quantity / mu.factor * pu.factor) AS quantity,
                   SUM(COALESCE(m.aftersales_parts_cost, 0)) AS cost,
                   COUNT(DISTINCT r.id) AS order_count
              FROM stock_move m
              JOIN repair_order r ON r.id = m.repair_id
              JOIN res_company co ON co.id = r.company_id
              JOIN uom_uom mu ON mu.id = m.product_uom
              JOIN product_product pp ON pp.id = m.product_id
              JOIN product_template pt ON pt.id = pp.product_tmpl_id
              JOIN uom_uom pu ON pu.id = pt.uom_id
             WHERE m.repair_line_type = 'add'
               AND m.state = 'done'
             GROUP BY 2, 3, 4, 5, 6, 7
            """
        )

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(
            SQL("CREATE OR REPLACE VIEW %s AS (%s)", SQL.identifier(self._table), self._query())
        )
