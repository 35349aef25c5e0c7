# Copyright 2026 aftersales_service authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models, tools
from odoo.tools import SQL

# Ratio fields of a group: (numerator, denominator, factor) of the sums of its rows.
WEIGHTED = {
    "on_time_rate": ("claims_on_time", "claims_resolved", 100.0),
    "rating_avg": ("rating_total", "rating_count", 1.0),
}


class AftersalesVolumeReport(models.Model):
    """Volume and timing of the after-sales work per month and team: claims received and
    resolved, how long resolution took against the legal clock, the service orders done and
    what they cost.

    A claim belongs to the team serving its customer's country; an order to its own team.
    Claims count in the month they were received (received) or resolved (resolved, timing);
    orders in the month they were scheduled.

    The on-time rate and the average rating of a group of rows (months, teams) are ratios of
    the group's sums, weighted by claims and ratings (``_read_group_select``), not averages
    of the rows' ratios: a month of one rating weighs as much as one rating."""

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
    recovered_amount = fields.Monetary(
        string="Recovered from Suppliers",
        readonly=True,
        help="The done orders' share of what suppliers accepted to pay back on their claims.",
    )
    rating_count = fields.Integer(
        string="Ratings", readonly=True, help="Customers' ratings of the claims resolved."
    )
    rating_total = fields.Float(string="Rating Points", readonly=True)
    rating_avg = fields.Float(
        string="Average Rating", readonly=True, aggregator="avg", digits=(16, 2)
    )

    def _claim_team_query(self):
        """Each claim with the team serving its customer's country (first by sequence)."""
        return SQL(
            """
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
            """
        )

    def _query(self):
        return SQL(
            """
            WITH claim_team AS (%(claim_team)s), received AS (
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
                       SUM(aftersales_amount_warranty) AS warranty_cost,
                       SUM(aftersales_amount_recovered) AS recovered_amount
                  FROM repair_order
                 WHERE state = 'done'
                 GROUP BY 1, 2, 3
            ), ratings AS (
                -- The ratings given by customers (host rating.rating) to the claims,
                -- in the month the claim was resolved (the rating judges that work).
                SELECT ct.company_id, ct.team_id,
                       date_trunc('month', COALESCE(ct.date_resolved, rr.write_date))::date
                           AS month,
                       COUNT(*) AS rating_count,
                       SUM(rr.rating) AS rating_total
                  FROM rating_rating rr
                  JOIN claim_team ct ON ct.id = rr.res_id
                 WHERE rr.res_model = 'aftersales.claim'
                   AND rr.consumed
                   AND rr.rating > 0
                 GROUP BY 1, 2, 3
            ), keys AS (
                SELECT company_id, team_id, month FROM received
                 UNION SELECT company_id, team_id, month FROM resolved
                 UNION SELECT company_id, team_id, month FROM orders
                 UNION SELECT company_id, team_id, month FROM ratings
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
                   COALESCE(o.warranty_cost, 0) AS warranty_cost,
                   COALESCE(o.recovered_amount, 0) AS recovered_amount,
                   COALESCE(ra.rating_count, 0) AS rating_count,
                   COALESCE(ra.rating_total, 0) AS rating_total,
                   ra.rating_total / NULLIF(ra.rating_count, 0) AS rating_avg
              FROM keys k
              JOIN res_company co ON co.id = k.company_id
              LEFT JOIN received rc ON rc.company_id = k.company_id AND rc.month = k.month
                   AND rc.team_id IS NOT DISTINCT FROM k.team_id
              LEFT JOIN resolved rs ON rs.company_id = k.company_id AND rs.month = k.month
                   AND rs.team_id IS NOT DISTINCT FROM k.team_id
              LEFT JOIN orders o ON o.company_id = k.company_id AND o.month = k.month
                   AND o.team_id IS NOT DISTINCT FROM k.team_id
              LEFT JOIN ratings ra ON ra.company_id = k.company_id AND ra.month = k.month
                   AND ra.team_id IS NOT DISTINCT FROM k.team_id
            """,
            claim_team=self._claim_team_query(),
        )

    def _read_group_select(self, aggregate_spec, query):
        """A ratio of a group is the ratio of its sums (what the printed report's totals
        give): the average of the months' ratios would make one month of one rating weigh
        as much as a month of a hundred."""
        fname, _sep, func = aggregate_spec.partition(":")
        if fname not in WEIGHTED or func != "avg":
            return super()._read_group_select(aggregate_spec, query)
        numerator, denominator, factor = WEIGHTED[fname]
        return SQL(
            "(%s * SUM(%s) / NULLIF(SUM(%s), 0))::float",
            factor,
            self._field_to_sql(self._table, numerator, query),
            self._field_to_sql(self._table, denominator, query),
        )

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(
            SQL("CREATE OR REPLACE VIEW %s AS (%s)", SQL.identifier(self._table), self._query())
        )
