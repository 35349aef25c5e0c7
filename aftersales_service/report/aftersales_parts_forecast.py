# Copyright 2026 aftersales_service authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models, tools
from odoo.tools import SQL

DEFAULT_WINDOW = 365
DEFAULT_MONTHS = 3


class AftersalesPartsForecast(models.Model):
    """Parts need over the next months, so purchasing can plan: for each product, the
    units under warranty now × the historical failure rate of each part per unit, over the
    company's forecast horizon; against what is on hand.

    Failure rate of a part on a product: the part's consumption on the done service orders
    of that product over the company's history window (the expected-cost window, Settings >
    After-Sales > Pricing) ÷ the product's units under warranty at some time in that window
    (all that could fail in it, also those sold before it). Forecast of the part = Σ over
    products (units under warranty × rate) × horizon (months × 365/12 days) ÷ window days.
    On hand is what the company can issue: the warehouses' stock (WH/Stock and below), not
    what waits in Quarantine, the workshop, loaners or units in service.
    One SQL view computes it all."""

    _name = "aftersales.parts.forecast"
    _description = "Spare-Part Need Forecast"
    _auto = False
    _order = "qty_to_buy desc, forecast_qty desc, product_id"
    _rec_name = "product_id"

    product_id = fields.Many2one("product.product", string="Part", readonly=True)
    categ_id = fields.Many2one("product.category", string="Part Category", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    uom_id = fields.Many2one("uom.uom", string="Unit", readonly=True)
    forecast_months = fields.Integer(string="Horizon (months)", readonly=True)
    units_under_warranty = fields.Integer(
        readonly=True,
        help="Units under an active warranty of the products this part was fitted to.",
    )
    consumed_qty = fields.Float(
        string="Consumed in Window", digits="Product Unit of Measure", readonly=True
    )
    forecast_qty = fields.Float(
        string="Forecast Need", digits="Product Unit of Measure", readonly=True
    )
    qty_on_hand = fields.Float(string="On Hand", digits="Product Unit of Measure", readonly=True)
    qty_to_buy = fields.Float(
        string="To Buy",
        digits="Product Unit of Measure",
        readonly=True,
        help="The forecast need rounded up to whole units, less what is on hand (never negative).",
    )

    def _query(self):
        return SQL(
            """
            WITH params AS (
                SELECT c.id AS company_id,
                       COALESCE(NULLIF(c.aftersales_expected_cost_days, 0), %(window)s)
                           AS window_days,
                       COALESCE(NULLIF(c.aftersales_forecast_months, 0), %(months)s) AS months
                  FROM res_company c
            ), registered AS (
                SELECT w.company_id, l.product_id AS unit_id, COUNT(DISTINCT w.lot_id) AS n
                  FROM aftersales_warranty w
                  JOIN params p ON p.company_id = w.company_id
                  JOIN stock_lot l ON l.id = w.lot_id
                 WHERE w.state != 'void'
                   AND w.date_start <= CURRENT_DATE
                   AND (w.date_end IS NULL OR w.date_end > CURRENT_DATE - p.window_days)
                 GROUP BY 1, 2
            ), active AS (
                SELECT w.company_id, l.product_id AS unit_id, COUNT(DISTINCT w.lot_id) AS n
                  FROM aftersales_warranty w
                  JOIN stock_lot l ON l.id = w.lot_id
                 WHERE w.state = 'active'
                   AND w.date_start <= CURRENT_DATE
                   AND (w.date_end IS NULL OR w.date_end >= CURRENT_DATE)
                 GROUP BY 1, 2
            ), consumed AS (
                SELECT r.company_id, r.product_id AS unit_id, m.product_id AS part_id,
                       SUM(m.quantity / mu.factor * pu.factor) AS qty
                  FROM stock_move m
                  JOIN repair_order r ON r.id = m.repair_id
                  JOIN params p ON p.company_id = r.company_id
                  JOIN uom_uom mu ON mu.id = m.product_uom
                  JOIN product_product pp ON pp.id = m.product_id
                  JOIN product_template pt ON pt.id = pp.product_tmpl_id
                  JOIN uom_uom pu ON pu.id = pt.uom_id
                 WHERE m.repair_line_type = 'add'
                   AND m.state = 'done'
                   AND r.state = 'done'
                   AND m.date::date > CURRENT_DATE - p.window_days
                   AND m.date::date <= CURRENT_DATE
                 GROUP BY 1, 2, 3
            ), forecast AS (
                SELECT c.company_id, c.part_id, p.months,
                       SUM(a.n)::integer AS units,
                       SUM(c.qty) AS consumed_qty,
                       SUM(a.n * c.qty / g.n) * p.months * 365.0 / 12.0 / p.window_days AS qty
                  FROM consumed c
                  JOIN params p ON p.company_id = c.company_id
                  JOIN registered g ON g.company_id = c.company_id AND g.unit_id = c.unit_id
                  JOIN active a ON a.company_id = c.company_id AND a.unit_id = c.unit_id
                 GROUP BY c.company_id, c.part_id, p.months, p.window_days
            ), on_hand AS (
                -- What the company can issue: internal stock under an active warehouse's
                -- stock location (WH/Stock and below). Quarantine, the workshop and the
                -- loaners are siblings of WH/Stock, units in service outside the warehouse;
                -- a workshop, loaner or units-in-service location placed under WH/Stock
                -- (and what is below it) does not count either.
                SELECT q.company_id, q.product_id, SUM(q.quantity) AS qty
                  FROM stock_quant q
                  JOIN stock_location sl ON sl.id = q.location_id
                 WHERE sl.usage = 'internal'
                   AND q.product_id IN (SELECT part_id FROM forecast)
                   AND EXISTS (
                       SELECT 1
                         FROM stock_warehouse wh
                         JOIN stock_location ws ON ws.id = wh.lot_stock_id
                        WHERE wh.active
                          AND starts_with(sl.parent_path, ws.parent_path)
                   )
                   AND NOT EXISTS (
                       SELECT 1
                         FROM stock_location x
                        WHERE (x.aftersales_units_in_service
                               OR x.aftersales_loaner
                               OR x.id IN (SELECT aftersales_workshop_location_id
                                             FROM stock_warehouse))
                          AND starts_with(sl.parent_path, x.parent_path)
                   )
                 GROUP BY 1, 2
            )
            SELECT ROW_NUMBER() OVER (ORDER BY f.company_id, f.part_id) AS id,
                   f.part_id AS product_id,
                   pt.categ_id,
                   pt.uom_id,
                   f.company_id,
                   f.months AS forecast_months,
                   f.units AS units_under_warranty,
                   f.consumed_qty,
                   ROUND(f.qty::numeric, 2) AS forecast_qty,
                   COALESCE(o.qty, 0) AS qty_on_hand,
                   GREATEST(CEIL(ROUND(f.qty::numeric, 2)) - COALESCE(o.qty, 0), 0) AS qty_to_buy
              FROM forecast f
              JOIN product_product pp ON pp.id = f.part_id
              JOIN product_template pt ON pt.id = pp.product_tmpl_id
              LEFT JOIN on_hand o ON o.company_id = f.company_id AND o.product_id = f.part_id
            """,
            window=DEFAULT_WINDOW,
            months=DEFAULT_MONTHS,
        )

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(
            SQL("CREATE OR REPLACE VIEW %s AS (%s)", SQL.identifier(self._table), self._query())
        )
