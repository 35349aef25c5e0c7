from odoo import fields, models


class AftersalesRepairCostReport(models.Model):
    """Service order costs and shares, one row per order and cost source.

    A SQL view (``_table_query``) over the orders' stored cost fields and labor lines, so
    costs can be pivoted by product, customer, technician and month without loading orders.
    Rows: one ``order`` row per service order (parts, logistics, shares, the order's
    technician) and one ``labor`` row per labor line (its hours and cost, its technician).
    The warranty share is gross; what suppliers paid back sits on the order row, so the
    net warranty cost of an order is the sum of its rows' ``amount_warranty_net``.
    """

    _name = "aftersales.repair.cost.report"
    _description = "Service Order Cost Analysis"
    _auto = False
    _order = "date desc, repair_id desc"
    _rec_name = "repair_id"

    repair_id = fields.Many2one("repair.order", string="Service Order", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one("res.currency", readonly=True)
    date = fields.Date(readonly=True, help="Order scheduled date (labor: date of the work).")
    state = fields.Selection(
        [
            ("draft", "New"),
            ("confirmed", "Confirmed"),
            ("under_repair", "Under Repair"),
            ("done", "Repaired"),
            ("cancel", "Cancelled"),
        ],
        readonly=True,
    )
    line_type = fields.Selection(
        [("order", "Parts and Logistics"), ("labor", "Labor")], readonly=True
    )
    product_id = fields.Many2one("product.product", string="Product Repaired", readonly=True)
    lot_id = fields.Many2one("stock.lot", string="Serial", readonly=True)
    partner_id = fields.Many2one("res.partner", string="Customer", readonly=True)
    user_id = fields.Many2one("res.users", string="Technician", readonly=True)
    claim_id = fields.Many2one("aftersales.claim", readonly=True)
    in_warranty = fields.Boolean(readonly=True)
    hours = fields.Float(readonly=True)
    cost_parts = fields.Monetary(readonly=True)
    cost_labor = fields.Monetary(readonly=True)
    cost_logistics = fields.Monetary(readonly=True)
    cost_total = fields.Monetary(readonly=True)
    amount_billable = fields.Monetary(string="Customer Share", readonly=True)
    amount_warranty = fields.Monetary(string="Warranty Share", readonly=True)
    amount_recovered = fields.Monetary(string="Recovered from Suppliers", readonly=True)
    amount_warranty_net = fields.Monetary(string="Net Warranty Cost", readonly=True)
    order_count = fields.Integer(string="# Orders", readonly=True, aggregator="sum")

    @property
    def _table_query(self):
        return """
            SELECT r.id * 2 AS id,
                   r.id AS repair_id,
                   r.company_id,
                   c.currency_id,
                   r.schedule_date::date AS date,
                   r.state,
                   'order' AS line_type,
                   r.product_id,
                   r.lot_id,
                   r.partner_id,
                   r.user_id,
                   r.aftersales_claim_id AS claim_id,
                   COALESCE(r.aftersales_in_warranty, FALSE) AS in_warranty,
                   0.0 AS hours,
                   COALESCE(r.aftersales_cost_parts, 0.0) AS cost_parts,
                   0.0 AS cost_labor,
                   COALESCE(r.aftersales_cost_logistics, 0.0) AS cost_logistics,
                   COALESCE(r.aftersales_cost_parts, 0.0)
                       + COALESCE(r.aftersales_cost_logistics, 0.0) AS cost_total,
                   COALESCE(r.aftersales_amount_billable, 0.0)
                       - COALESCE(lab.billable, 0.0) AS amount_billable,
                   COALESCE(r.aftersales_amount_warranty, 0.0)
                       - COALESCE(lab.warranty, 0.0) AS amount_warranty,
                   COALESCE(r.aftersales_amount_recovered, 0.0) AS amount_recovered,
                   COALESCE(r.aftersales_amount_warranty, 0.0)
                       - COALESCE(lab.warranty, 0.0)
                       - COALESCE(r.aftersales_amount_recovered, 0.0) AS amount_warranty_net,
                   1 AS order_count
              FROM repair_order r
              JOIN res_company c ON c.id = r.company_id
         LEFT JOIN (SELECT repair_id,
                           SUM(billable_amount) AS billable,
                           SUM(warranty_amount) AS warranty
                      FROM aftersales_labor_line
                  GROUP BY repair_id) lab ON lab.repair_id = r.id
             WHERE r.state != 'cancel'
         UNION ALL
            SELECT l.id * 2 + 1 AS id,
                   r.id AS repair_id,
                   r.company_id,
                   c.currency_id,
                   l.date,
                   r.state,
                   'labor' AS line_type,
                   r.product_id,
                   r.lot_id,
                   r.partner_id,
                   COALESCE(l.user_id, r.user_id) AS user_id,
                   r.aftersales_claim_id AS claim_id,
                   COALESCE(r.aftersales_in_warranty, FALSE) AS in_warranty,
                   l.hours,
                   0.0 AS cost_parts,
                   COALESCE(l.cost_amount, 0.0) AS cost_labor,
                   0.0 AS cost_logistics,
                   COALESCE(l.cost_amount, 0.0) AS cost_total,
                   COALESCE(l.billable_amount, 0.0) AS amount_billable,
                   COALESCE(l.warranty_amount, 0.0) AS amount_warranty,
                   0.0 AS amount_recovered,
                   COALESCE(l.warranty_amount, 0.0) AS amount_warranty_net,
                   0 AS order_count
              FROM aftersales_labor_line l
              JOIN repair_order r ON r.id = l.repair_id
              JOIN res_company c ON c.id = r.company_id
             WHERE r.state != 'cancel'
        """
