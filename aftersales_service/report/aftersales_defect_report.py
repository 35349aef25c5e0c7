# Copyright 2026 aftersales_service authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models, tools
from odoo.tools import SQL

from ..models.aftersales_warranty import BASE_KINDS
from . import aftersales_defect_stat

# What delivery rows have: grouped by anything else, only failure rows count.
DELIVERY_KEYS = frozenset({"row_type", "date", "company_id", "product_id", "categ_id"})


class AftersalesDefectReport(models.Model):
    """Failure analysis: failures per product, component, supplier, code and month, against
    the units delivered.

    A SQL view with two kinds of rows: ``failure`` rows, the failure counts per month and
    analysis keys (product, category, component, its lot, supplier, codes, age in service)
    that the database keeps up to date on every change of a defect (see
    ``aftersales_defect_stat``: a grouped read costs the number of key combinations, not
    the number of defects), and one ``delivery`` row per product and month with the
    serials delivered then (their first legal or manufacturer warranty: the registration
    of the sale), so the denominator of the rate is a few rows per product, not one per
    serial.
    Grouped by product and month, ``failures`` / ``units_delivered`` is the failure rate;
    ``read_group`` computes ``failure_rate`` from the two sums of each group.
    """

    _name = "aftersales.defect.report"
    _description = "Defect Analysis"
    _auto = False
    _order = "date desc"
    _rec_name = "product_id"

    row_type = fields.Selection(
        [("failure", "Failure"), ("delivery", "Delivery")], string="Row", readonly=True
    )
    date = fields.Date(
        readonly=True, help="Month of the failures (delivery rows: of the deliveries)."
    )
    company_id = fields.Many2one("res.company", readonly=True)
    product_id = fields.Many2one("product.product", readonly=True)
    categ_id = fields.Many2one("product.category", string="Category", readonly=True)
    component_id = fields.Many2one("product.product", readonly=True)
    component_lot_id = fields.Many2one("stock.lot", readonly=True)
    supplier_id = fields.Many2one("res.partner", readonly=True)
    symptom_code_id = fields.Many2one("aftersales.defect.code", string="Symptom", readonly=True)
    fault_code_id = fields.Many2one("aftersales.defect.code", string="Fault", readonly=True)
    cause_code_id = fields.Many2one("aftersales.defect.code", string="Cause", readonly=True)
    resolution_code_id = fields.Many2one(
        "aftersales.defect.code", string="Resolution", readonly=True
    )
    age_months = fields.Integer(
        string="Age in Service (months)",
        readonly=True,
        aggregator=False,
        help="Months from the serial's delivery to the failure: group by it for the cohorts.",
    )
    failures = fields.Integer(readonly=True, aggregator="sum")
    units_delivered = fields.Integer(readonly=True, aggregator="sum")
    failure_rate = fields.Float(
        string="Failure Rate (%)",
        readonly=True,
        aggregator="max",
        help="Failures per 100 units delivered, in each group (group by product).",
    )

    def init(self):
        aftersales_defect_stat.install(self.env.cr)
        # The serials delivered: each serial's first legal or manufacturer warranty, read in
        # index order (no sort of the registrations at each read).
        self.env.cr.execute(
            SQL(
                "CREATE INDEX IF NOT EXISTS aftersales_warranty_delivery_index"
                " ON aftersales_warranty (lot_id, date_start, id)"
                " INCLUDE (product_id, company_id)"
                " WHERE kind IN %s AND state != 'void'",
                tuple(BASE_KINDS),
            )
        )
        # Dropped first: an update that removes a column cannot replace the view in place.
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(
            SQL(
                "CREATE OR REPLACE VIEW %s AS (%s)",
                SQL.identifier(self._table),
                self._view_query(),
            )
        )

    def _view_query(self):
        return SQL(
            """
            SELECT s.id * 2 AS id,
                   'failure' AS row_type,
                   s.month AS date,
                   s.company_id,
                   NULLIF(s.product_id, 0) AS product_id,
                   NULLIF(s.categ_id, 0) AS categ_id,
                   NULLIF(s.component_id, 0) AS component_id,
                   NULLIF(s.component_lot_id, 0) AS component_lot_id,
                   NULLIF(s.supplier_id, 0) AS supplier_id,
                   NULLIF(s.symptom_code_id, 0) AS symptom_code_id,
                   NULLIF(s.fault_code_id, 0) AS fault_code_id,
                   NULLIF(s.cause_code_id, 0) AS cause_code_id,
                   NULLIF(s.resolution_code_id, 0) AS resolution_code_id,
                   NULLIF(s.age_months, -1) AS age_months,
                   s.failures,
                   0 AS units_delivered,
                   0.0::float AS failure_rate
              FROM aftersales_defect_stat s
             WHERE s.failures != 0
         UNION ALL
            SELECT g.id * 2 + 1 AS id,
                   'delivery' AS row_type,
                   g.month AS date,
                   g.company_id,
                   g.product_id,
                   pt.categ_id,
                   NULL AS component_id,
                   NULL AS component_lot_id,
                   NULL AS supplier_id,
                   NULL AS symptom_code_id,
                   NULL AS fault_code_id,
                   NULL AS cause_code_id,
                   NULL AS resolution_code_id,
                   NULL AS age_months,
                   0 AS failures,
                   g.units AS units_delivered,
                   0.0::float AS failure_rate
              FROM (SELECT MIN(w.id) AS id,
                           w.company_id,
                           w.product_id,
                           date_trunc('month', w.date_start)::date AS month,
                           COUNT(*)::int AS units
                      FROM (SELECT DISTINCT ON (lot_id) id, lot_id, product_id, company_id,
                                   date_start
                              FROM aftersales_warranty
                             WHERE kind IN %s AND state != 'void'
                          ORDER BY lot_id, date_start, id) w
                  GROUP BY w.company_id, w.product_id, date_trunc('month', w.date_start)) g
              JOIN product_product pp ON pp.id = g.product_id
              JOIN product_template pt ON pt.id = pp.product_tmpl_id
            """,
            tuple(BASE_KINDS),
        )

    @api.model
    def read_group(self, domain, fields, groupby, offset=0, limit=None, orderby=False, lazy=True):
        """The failure rate of a group is its failures over its units delivered (a ratio
        of sums, which no SQL aggregate of the rows gives)."""
        wants_rate = not fields or any(f.split(":")[0] == "failure_rate" for f in fields)
        if fields and wants_rate:
            fields = [
                *[f for f in fields if f.split(":")[0] != "failure_rate"],
                "failures:sum",
                "units_delivered:sum",
            ]
        if not orderby:
            orderby = self._default_group_order(groupby, lazy)
        specs = [groupby] if isinstance(groupby, str) else list(groupby or [])
        if specs and not {spec.split(":")[0] for spec in specs} & DELIVERY_KEYS:
            # Grouped by failure keys only (component, supplier, codes, age): deliveries
            # have none of them; leaving their rows out spares the database their count.
            domain = [*(domain or []), ("row_type", "=", "failure")]
        groups = super().read_group(
            domain, fields, groupby, offset=offset, limit=limit, orderby=orderby, lazy=lazy
        )
        if wants_rate:
            for group in groups:
                units = group.get("units_delivered") or 0
                failures = group.get("failures") or 0
                group["failure_rate"] = 100.0 * failures / units if units else 0.0
        return groups

    def _default_group_order(self, groupby, lazy):
        """Groups by date in date order, the others most failures first (a Pareto of
        products, components, suppliers, codes).

        The host's default orders many2one groups by their model's order (a product's
        name), which joins the product tables to every defect row before grouping: over a
        million defects that join is most of the time of the read."""
        specs = [groupby] if isinstance(groupby, str) else list(groupby)
        specs = specs[:1] if lazy else specs
        terms = [
            spec
            for spec in specs
            if self._fields[spec.split(":")[0]].type in ("date", "datetime", "integer")
        ]
        return ", ".join([*terms, "failures:sum desc"])
