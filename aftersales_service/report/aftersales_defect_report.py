# Copyright 2026 aftersales_service authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models
from odoo.tools import SQL

from ..models.aftersales_warranty import BASE_KINDS


class AftersalesDefectReport(models.Model):
    """Failure analysis: failures per product, component, supplier, code and month, against
    the units delivered.

    A SQL view with two kinds of rows: one ``failure`` row per defect (its product,
    component, lot, supplier, codes, age in service) and one ``delivery`` row per serial
    delivered (its first legal or manufacturer warranty: the registration of the sale).
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
    date = fields.Date(readonly=True, help="Failure date (delivery rows: delivery date).")
    company_id = fields.Many2one("res.company", readonly=True)
    product_id = fields.Many2one("product.product", readonly=True)
    categ_id = fields.Many2one("product.category", string="Category", readonly=True)
    lot_id = fields.Many2one("stock.lot", string="Serial", readonly=True)
    component_id = fields.Many2one("product.product", readonly=True)
    component_lot_id = fields.Many2one("stock.lot", readonly=True)
    supplier_id = fields.Many2one("res.partner", readonly=True)
    symptom_code_id = fields.Many2one("aftersales.defect.code", string="Symptom", readonly=True)
    fault_code_id = fields.Many2one("aftersales.defect.code", string="Fault", readonly=True)
    cause_code_id = fields.Many2one("aftersales.defect.code", string="Cause", readonly=True)
    resolution_code_id = fields.Many2one(
        "aftersales.defect.code", string="Resolution", readonly=True
    )
    repair_id = fields.Many2one("repair.order", string="Service Order", readonly=True)
    claim_id = fields.Many2one("aftersales.claim", readonly=True)
    age_months = fields.Integer(string="Age in Service (months)", readonly=True, aggregator="avg")
    failures = fields.Integer(readonly=True, aggregator="sum")
    units_delivered = fields.Integer(readonly=True, aggregator="sum")
    failure_rate = fields.Float(
        string="Failure Rate (%)",
        readonly=True,
        aggregator="max",
        help="Failures per 100 units delivered, in each group (group by product).",
    )

    def init(self):
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
            SELECT d.id * 2 AS id,
                   'failure' AS row_type,
                   d.date,
                   d.company_id,
                   d.product_id,
                   d.categ_id,
                   d.lot_id,
                   d.component_id,
                   d.component_lot_id,
                   d.supplier_id,
                   d.symptom_code_id,
                   d.fault_code_id,
                   d.cause_code_id,
                   d.resolution_code_id,
                   d.repair_id,
                   d.claim_id,
                   d.age_months,
                   1 AS failures,
                   0 AS units_delivered,
                   0.0::float AS failure_rate
              FROM aftersales_defect d
         UNION ALL
            SELECT w.id * 2 + 1 AS id,
                   'delivery' AS row_type,
                   w.date_start AS date,
                   w.company_id,
                   w.product_id,
                   pt.categ_id,
                   w.lot_id,
                   NULL AS component_id,
                   NULL AS component_lot_id,
                   NULL AS supplier_id,
                   NULL AS symptom_code_id,
                   NULL AS fault_code_id,
                   NULL AS cause_code_id,
                   NULL AS resolution_code_id,
                   NULL AS repair_id,
                   NULL AS claim_id,
                   NULL AS age_months,
                   0 AS failures,
                   1 AS units_delivered,
                   0.0::float AS failure_rate
              FROM (SELECT DISTINCT ON (lot_id) id, lot_id, product_id, company_id, date_start
                      FROM aftersales_warranty
                     WHERE kind IN %s AND state != 'void'
                  ORDER BY lot_id, date_start, id) w
              JOIN product_product pp ON pp.id = w.product_id
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
