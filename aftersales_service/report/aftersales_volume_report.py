# Copyright 2026 aftersales_service authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models, tools
from odoo.tools import SQL


class AftersalesVolumeReport(models.Model):
    """Volume and timing of the after-sales work per month and team: claims received and
    resolved, how long resolution took against the legal clock, the service orders done and
    what they cost.

    A claim belongs to the team serving its customer's country; an order to its own team.
    Claims count in the month they were received (received) or resolved (resolved, timing);
    orders in the month they were scheduled."""

    _name = "aftersales.volume.report"
    _description = "After-Sales Volume and Timing"
    _auto = False
    _order = "month desc, team_id"

    month = fields.Date(readonly=True)
    team_id = fields.Many2one("aftersales.team", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one("res.currency", readonly=True)
    claims_received = fields.Integer(readonly=True)
    claims_resolved = fields.Integer(readonly=True)
    claims_on_time = fields.Integer(
        readonly=True, help="Resolved on or before their legal resolution date."
    )
    on_time_rate = fields.Float(
        string="On Time (%)", readonly=True, aggregator="avg", digits=(5, 1)
    )
    median_days = fields.Float(
        string="Median Resolution (days)", readonly=True, aggregator="avg", digits=(16, 1)
    )
    p90_days = fields.Float(
        string="90th Percentile (days)", readonly=True, aggregator="max", digits=(16, 1)
    )
    orders_done = fields.Integer(readonly=True)
    labor_hours = fields.Float(readonly=True)
    parts_cost = fields.Monetary(readonly=True)
    warranty_cost = fields.Monetary(readonly=True)

    def _query(self):
        return SQL(
            """
            WITH claim_team AS (
                SELECT c.id, c.company_id, c.date_received, c.date_resolved,
                       c.date_resolution_due,
                       (SELECT t.id
                          FROM aftersales_team t
                          JOIN aftersales_team_country_rel r ON r.team_id = t.id
                         WHERE t.company_id = c.company_id AND t.active
                           AND r.country_id = p.country_id
                         ORDER BY t.sequence, t.id
                         LIMIT 1) AS team_id
                  FROM aftersales_claim c
                  LEFT JOIN res_partner p ON p.id = c.partner_id
            ), received AS (
                SELECT company_id, team_id,
                       date_trunc('month', date_received)::date AS month,
                       COUNT(*) AS claims_received
                  FROM claim_team
                 GROUP BY 1, 2, 3
            ), resolved AS (
                SELECT company_id, team_id,
                       date_trunc('month', date_resolved)::date AS month,
                       COUNT(*) AS claims_resolved,
                       COUNT(*) FILTER (
                           WHERE date_resolution_due IS NULL
                              OR date_resolved::date <= date_resolution_due
                       ) AS claims_on_time,
                       percentile_cont(0.5) WITHIN GROUP (
                           ORDER BY EXTRACT(EPOCH FROM date_resolved - date_received) / 86400.0
                       ) AS median_days,
                       percentile_cont(0.9) WITHIN GROUP (
                           ORDER BY EXTRACT(EPOCH FROM date_resolved - date_received) / 86400.0
                       ) AS p90_days
                  FROM claim_team
                 WHERE date_resolved IS NOT NULL
                 GROUP BY 1, 2, 3
            ), orders AS (
                SELECT company_id, aftersales_team_id AS team_id,
                       date_trunc('month', schedule_date)::date AS month,
                       COUNT(*) AS orders_done,
                       SUM(aftersales_labor_hours) AS labor_hours,
                       SUM(aftersales_cost_parts) AS parts_cost,
                       SUM(aftersales_amount_warranty) AS warranty_cost
                  FROM repair_order
                 WHERE state = 'done'
                 GROUP BY 1, 2, 3
            ), keys AS (
                SELECT company_id, team_id, month FROM received
                 UNION SELECT company_id, team_id, month FROM resolved
                 UNION SELECT company_id, team_id, month FROM orders
            )
            SELECT ROW_NUMBER() OVER (ORDER BY k.month, k.company_id, k.team_id) AS id,
                   k.month, k.team_id, k.company_id, co.currency_id,
                   COALESCE(rc.claims_received, 0) AS claims_received,
                   COALESCE(rs.claims_resolved, 0) AS claims_resolved,
                   COALESCE(rs.claims_on_time, 0) AS claims_on_time,
                   CASE WHEN rs.claims_resolved > 0
                        THEN 100.0 * rs.claims_on_time / rs.claims_resolved END AS on_time_rate,
                   rs.median_days, rs.p90_days,
                   COALESCE(o.orders_done, 0) AS orders_done,
                   COALESCE(o.labor_hours, 0) AS labor_hours,
                   COALESCE(o.parts_cost, 0) AS parts_cost,
                   COALESCE(o.warranty_cost, 0) AS warranty_cost
              FROM keys k
              JOIN res_company co ON co.id = k.company_id
              LEFT JOIN received rc ON rc.company_id = k.company_id AND rc.month = k.month
                   AND rc.team_id IS NOT DISTINCT FROM k.team_id
              LEFT JOIN resolved rs ON rs.company_id = k.company_id AND rs.month = k.month
                   AND rs.team_id IS NOT DISTINCT FROM k.team_id
              LEFT JOIN orders o ON o.company_id = k.company_id AND o.month = k.month
                   AND o.team_id IS NOT DISTINCT FROM k.team_id
            """
        )

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(
            SQL("CREATE OR REPLACE VIEW %s AS (%s)", SQL.identifier(self._table), self._query())
        )
