# Copyright 2026 aftersales_service authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models, tools
from odoo.tools import SQL


class AftersalesCompetitorComparison(models.Model):
    """Each competitor policy against our own warranty in its category: the longest legal
    or manufacturer term that applies to the category (set on it or on a parent)."""

    _name = "aftersales.competitor.comparison"
    _description = "Warranty Comparison with Competitors"
    _auto = False
    _order = "categ_id, competitor_id"

    policy_id = fields.Many2one("aftersales.competitor.policy", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one("res.currency", readonly=True)
    categ_id = fields.Many2one("product.category", string="Product Category", readonly=True)
    competitor_id = fields.Many2one("res.partner", readonly=True)
    date = fields.Date(readonly=True)
    their_months = fields.Float(string="Their Warranty (months)", readonly=True, aggregator="avg")
    our_months = fields.Float(string="Our Warranty (months)", readonly=True, aggregator="avg")
    gap_months = fields.Float(
        string="Our Advance (months)",
        readonly=True,
        aggregator="avg",
        help="Our warranty minus theirs: negative when they give more.",
    )
    their_extended_price = fields.Monetary(readonly=True, aggregator="avg")

    def _query(self):
        return SQL(
            """
            SELECT p.id AS id,
                   p.id AS policy_id,
                   p.company_id,
                   c.currency_id,
                   p.categ_id,
                   p.competitor_id,
                   p.date,
                   p.warranty_months AS their_months,
                   COALESCE(ours.months, 0) AS our_months,
                   COALESCE(ours.months, 0) - p.warranty_months AS gap_months,
                   p.extended_price AS their_extended_price
              FROM aftersales_competitor_policy p
              JOIN res_company c ON c.id = p.company_id
              JOIN product_category pc ON pc.id = p.categ_id
              LEFT JOIN LATERAL (
                    SELECT MAX(CASE t.duration_unit
                                    WHEN 'year' THEN t.duration * 12.0
                                    WHEN 'month' THEN t.duration * 1.0
                                    ELSE t.duration / 30.4375 END) AS months
                      FROM aftersales_warranty_term t
                      JOIN aftersales_warranty_term_categ_rel r ON r.term_id = t.id
                      JOIN product_category tc ON tc.id = r.categ_id
                     WHERE t.active
                       AND t.kind IN ('legal', 'manufacturer')
                       AND (t.company_id IS NULL OR t.company_id = p.company_id)
                       AND starts_with(pc.parent_path, tc.parent_path)
              ) ours ON TRUE
             WHERE p.active
            """
        )

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(
            SQL("CREATE OR REPLACE VIEW %s AS (%s)", SQL.identifier(self._table), self._query())
        )
