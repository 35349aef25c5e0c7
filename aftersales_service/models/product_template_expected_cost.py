# Copyright 2026 aftersales_service authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import logging

from odoo import api, fields, models
from odoo.tools import SQL

_logger = logging.getLogger(__name__)

DEFAULT_WINDOW = 365


class ProductTemplateExpectedCost(models.Model):
    """Expected after-sales cost of a product: what its warranty cost per unit, from
    history, so that prices (and extended warranties) account for it."""

    _inherit = "product.template"  # pylint: disable=consider-merging-classes-inherited

    aftersales_expected_cost_value = fields.Float(
        string="Expected After-Sales Cost (per company)",
        company_dependent=True,
        readonly=True,
        copy=False,
        help="The expected cost per company, in that company's currency (set by the nightly "
        "job only).",
    )
    aftersales_expected_cost = fields.Monetary(
        string="Expected After-Sales Cost",
        # The current company's currency (host field, as the cost of a shared product).
        currency_field="cost_currency_id",
        compute="_compute_aftersales_expected_cost",
        help="Warranty cost per unit in the current company, in its currency: the warranty "
        "share of this company's done service orders on this product's serials divided by "
        "the units it registered under warranty, both over its window (Settings > "
        "After-Sales). Refreshed every night.",
    )

    @api.depends("aftersales_expected_cost_value")
    @api.depends_context("company")
    def _compute_aftersales_expected_cost(self):
        """The current company's figure: each company measures its own history in its own
        currency (a product shared by companies in different currencies never adds them)."""
        for template in self:
            template.aftersales_expected_cost = template.aftersales_expected_cost_value

    @api.model
    def _cron_aftersales_expected_cost(self, today=None):
        """Refresh every product's expected cost, per company, in one SQL statement.

        Per company and product: numerator, the warranty share
        (``repair.order.aftersales_amount_warranty``, what the company bore, dealers' bills
        included, in its currency) of its done orders on a serial, scheduled within its
        window; denominator, the distinct serials of the product whose warranty (a
        non-void layer) it registered within its window. A company with no unit registered
        in the window has no figure (0). Each company's figure is rounded to its currency
        and stored under that company (company-dependent field): companies in different
        currencies never add their amounts. Only changed products are written."""
        today = fields.Date.to_date(today) or fields.Date.context_today(self)
        # Orders, registrations and the companies' windows as they are now.
        self.env.flush_all()
        query = SQL(
            """
            WITH units AS (
                SELECT w.company_id, pp.product_tmpl_id AS tmpl, COUNT(DISTINCT w.lot_id) AS n
                  FROM aftersales_warranty w
                  JOIN res_company c ON c.id = w.company_id
                  JOIN stock_lot l ON l.id = w.lot_id
                  JOIN product_product pp ON pp.id = l.product_id
                 WHERE w.state != 'void'
                   AND w.date_start > %(today)s::date
                       - COALESCE(NULLIF(c.aftersales_expected_cost_days, 0), %(default)s)
                   AND w.date_start <= %(today)s::date
                 GROUP BY 1, 2
            ), cost AS (
                SELECT r.company_id, pp.product_tmpl_id AS tmpl,
                       SUM(r.aftersales_amount_warranty) AS amount
                  FROM repair_order r
                  JOIN res_company c ON c.id = r.company_id
                  JOIN product_product pp ON pp.id = r.product_id
                 WHERE r.state = 'done'
                   AND r.lot_id IS NOT NULL
                   AND r.schedule_date::date > %(today)s::date
                       - COALESCE(NULLIF(c.aftersales_expected_cost_days, 0), %(default)s)
                   AND r.schedule_date::date <= %(today)s::date
                 GROUP BY 1, 2
            ), figures AS (
                SELECT units.tmpl,
                       jsonb_object_agg(
                           units.company_id::text,
                           ROUND(cost.amount / units.n, cur.decimal_places)
                       ) FILTER (
                           WHERE ROUND(cost.amount / units.n, cur.decimal_places) != 0
                       ) AS value
                  FROM units
                  JOIN res_company c ON c.id = units.company_id
                  JOIN res_currency cur ON cur.id = c.currency_id
                  JOIN cost ON cost.tmpl = units.tmpl AND cost.company_id = units.company_id
                 WHERE units.n > 0
                 GROUP BY units.tmpl
            )
            UPDATE product_template pt
               SET aftersales_expected_cost_value = figures.value
              FROM product_template src
              LEFT JOIN figures ON figures.tmpl = src.id
             WHERE src.id = pt.id
               AND pt.aftersales_expected_cost_value IS DISTINCT FROM figures.value
            """,
            today=today,
            default=DEFAULT_WINDOW,
        )
        self.env.cr.execute(query)
        changed = self.env.cr.rowcount
        self.invalidate_model(["aftersales_expected_cost_value", "aftersales_expected_cost"])
        _logger.info("Expected after-sales cost refreshed on %s products", changed)
        return changed
