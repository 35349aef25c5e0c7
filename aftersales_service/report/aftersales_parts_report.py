from odoo import fields, models, tools


class AftersalesPartsReport(models.Model):
    """Parts per service order: planned against issued, consumed and returned.

    One row per order and part, read straight from the stock moves (the order's part lines,
    its issue and return moves) and the valuation layers of what was consumed, so the figures
    are the stock's own. Quantities are in the part's unit of measure.
    """

    _name = "aftersales.parts.report"
    _description = "Service Order Parts Analysis"
    _auto = False
    _order = "date desc, repair_id desc, product_id"
    _rec_name = "repair_id"

    # Dimensions
    repair_id = fields.Many2one("repair.order", string="Service Order", readonly=True)
    product_id = fields.Many2one("product.product", string="Part", readonly=True)
    categ_id = fields.Many2one("product.category", string="Part Category", readonly=True)
    repaired_product_id = fields.Many2one("product.product", readonly=True)
    user_id = fields.Many2one("res.users", string="Technician", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    date = fields.Date(string="Month", readonly=True)
    repair_state = fields.Selection(
        [
            ("draft", "New"),
            ("confirmed", "Confirmed"),
            ("under_repair", "Under Repair"),
            ("done", "Repaired"),
            ("cancel", "Cancelled"),
        ],
        string="Order Status",
        readonly=True,
    )
    under_warranty = fields.Boolean(readonly=True)

    # Measures
    qty_planned = fields.Float(string="Planned", digits="Product Unit of Measure", readonly=True)
    qty_issued = fields.Float(string="Issued", digits="Product Unit of Measure", readonly=True)
    qty_consumed = fields.Float(string="Consumed", digits="Product Unit of Measure", readonly=True)
    qty_returned = fields.Float(string="Returned", digits="Product Unit of Measure", readonly=True)
    cost_consumed = fields.Float(string="Consumed Cost", digits="Product Price", readonly=True)
    qty_variance = fields.Float(
        string="Variance",
        digits="Product Unit of Measure",
        readonly=True,
        help="Consumed minus planned.",
    )
    variance_percent = fields.Float(
        string="Variance (%)",
        aggregator="avg",
        digits=(16, 1),
        readonly=True,
        help="Consumed minus planned, in percent of planned (100 when nothing was planned).",
    )

    def _warranty_expression(self):
        """The order is under warranty: the host's flag, or parts coverage when available."""
        repair_fields = self.env["repair.order"]._fields
        coverage = repair_fields.get("aftersales_parts_coverage")
        if coverage is not None and coverage.store:
            return (
                "(COALESCE(r.under_warranty, FALSE)"
                " OR COALESCE(r.aftersales_parts_coverage, 0) > 0)"
            )
        return "COALESCE(r.under_warranty, FALSE)"

    @property
    def _table_query(self):
        # Aggregate the moves first (one pass, no joins), then convert units per group; the
        # consumed cost is the valuation kept on each consumed move (aftersales_parts_cost).
        return f"""
            WITH moves AS (
                SELECT MIN(m.id) AS id,
                       COALESCE(m.repair_id, m.aftersales_parts_repair_id) AS repair_id,
                       m.product_id,
                       m.product_uom,
                       SUM(CASE WHEN m.repair_line_type = 'add'
                                THEN m.product_qty ELSE 0 END) AS qty_planned,
                       SUM(CASE WHEN m.aftersales_parts_role = 'issue' AND m.state = 'done'
                                THEN m.quantity ELSE 0 END) AS qty_issued,
                       SUM(CASE WHEN m.repair_line_type = 'add' AND m.state = 'done'
                                THEN m.quantity ELSE 0 END) AS qty_consumed,
                       SUM(CASE WHEN m.aftersales_parts_role = 'return' AND m.state = 'done'
                                THEN m.quantity ELSE 0 END) AS qty_returned,
                       SUM(CASE WHEN m.repair_line_type = 'add' AND m.state = 'done'
                                THEN m.aftersales_parts_cost ELSE 0 END) AS cost_consumed
                  FROM stock_move m
                 WHERE (m.repair_id IS NOT NULL AND m.repair_line_type = 'add')
                    OR m.aftersales_parts_repair_id IS NOT NULL
              GROUP BY 2, 3, 4
            ),
            parts AS (
                SELECT MIN(mv.id) AS id,
                       mv.repair_id,
                       mv.product_id,
                       MIN(pt.categ_id) AS categ_id,
                       SUM(mv.qty_planned) AS qty_planned,
                       SUM(mv.qty_issued / mu.factor * pu.factor) AS qty_issued,
                       SUM(mv.qty_consumed / mu.factor * pu.factor) AS qty_consumed,
                       SUM(mv.qty_returned / mu.factor * pu.factor) AS qty_returned,
                       SUM(COALESCE(mv.cost_consumed, 0)) AS cost_consumed
                  FROM moves mv
                  JOIN uom_uom mu ON mu.id = mv.product_uom
                  JOIN product_product pp ON pp.id = mv.product_id
                  JOIN product_template pt ON pt.id = pp.product_tmpl_id
                  JOIN uom_uom pu ON pu.id = pt.uom_id
              GROUP BY 2, 3
            )
            SELECT p.id,
                   p.repair_id,
                   p.product_id,
                   p.categ_id,
                   r.product_id AS repaired_product_id,
                   r.user_id,
                   r.company_id,
                   r.state AS repair_state,
                   {self._warranty_expression()} AS under_warranty,
                   date_trunc('month', r.schedule_date)::date AS date,
                   p.qty_planned,
                   p.qty_issued,
                   p.qty_consumed,
                   p.qty_returned,
                   p.cost_consumed,
                   p.qty_consumed - p.qty_planned AS qty_variance,
                   CASE WHEN p.qty_planned > 0
                        THEN (p.qty_consumed - p.qty_planned) / p.qty_planned * 100
                        WHEN p.qty_consumed > 0 THEN 100
                        ELSE 0 END AS variance_percent
              FROM parts p
              JOIN repair_order r ON r.id = p.repair_id
        """

    def init(self):
        # The host does not index stock_move.repair_id; the report and the order's part
        # lookups need it.
        tools.create_index(
            self.env.cr,
            "stock_move_repair_id_index",
            "stock_move",
            ["repair_id"],
            where="repair_id IS NOT NULL",
        )
