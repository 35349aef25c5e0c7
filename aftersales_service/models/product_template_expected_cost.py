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

    aftersales_expected_cost = fields.Monetary(
        string="Expected After-Sales Cost",
        currency_field="currency_id",
        readonly=True,
        copy=False,
        help="Warranty cost per unit: the warranty share of the done service orders on this "
        "product's serials divided by the units registered under warranty, both over the "
        "company's window (Settings > After-Sales). Refreshed every night.",
    )

    @api.model
    def _cron_aftersales_expected_cost(self, today=None):
        """Refresh every product's expected cost in one SQL statement.

        Numerator: the warranty share (``repair.order.aftersales_amount_warranty``, what the
        company bore, dealers' bills included) of done orders on a serial, scheduled within
        the window of the order's company. Denominator: the distinct serials of the product
        whose warranty (a non-void layer) started within the window of its company. A
        product with no unit registered in the window gets 0. Only changed values are
        written. Amounts are in the companies' currency (one currency assumed)."""
        today = fields.Date.to_date(today) or fields.Date.context_today(self)
        # Orders, registrations and the companies' windows as they are now.
        self.env.flush_all()
        query = SQL(
            """
            WITH units AS (
                SELECT pp.product_tmpl_id AS tmpl, COUNT(DISTINCT w.lot_id) AS n
                  FROM aftersales_warranty w
                  JOIN res_company c ON c.id = w.company_id
                  JOIN stock_lot l ON l.id = w.lot_id
                  JOIN product_product pp ON pp.id = l.product_id
                 WHERE w.state != 'void'
                   AND w.date_start > %(today)s::date
                       - COALESCE(NULLIF(c.aftersales_expected_cost_days, 0), %(default)s)
                   AND w.date_start <= %(today)s::date
                 GROUP BY pp.product_tmpl_id
            ), cost AS (
                SELECT pp.product_tmpl_id AS tmpl, SUM(r.aftersales_amount_warranty) AS amount
                  FROM repair_order r
                  JOIN res_company c ON c.id = r.company_id
                  JOIN product_product pp ON pp.id = r.product_id
                 WHERE r.state = 'done'
                   AND r.lot_id IS NOT NULL
                   AND r.schedule_date::date > %(today)s::date
                       - COALESCE(NULLIF(c.aftersales_expected_cost_days, 0), %(default)s)
                   AND r.schedule_date::date <= %(today)s::date
                 GROUP BY pp.product_tmpl_id
            ), figures AS (
                SELECT pt.id,
                       CASE WHEN units.n > 0
                            THEN ROUND(COALESCE(cost.amount, 0) / units.n, 2)
                            ELSE 0 END AS value
                  FROM product_template pt
                  LEFT JOIN units ON units.tmpl = pt.id
                  LEFT JOIN cost ON cost.tmpl = pt.id
            )
            UPDATE product_template pt
               SET aftersales_expected_cost = figures.value
              FROM figures
             WHERE figures.id = pt.id
               AND pt.aftersales_expected_cost IS DISTINCT FROM figures.value
            """,
            today=today,
            default=DEFAULT_WINDOW,
        )
        self.env.cr.execute(query)
        changed = self.env.cr.rowcount
        self.invalidate_model(["aftersales_expected_cost"])
        _logger.info("Expected after-sales cost refreshed on %s products", changed)
        return changed
