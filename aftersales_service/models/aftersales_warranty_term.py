# Copyright 2026 aftersales_service authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..rules import warranty_dates


class AftersalesWarrantyTerm(models.Model):
    """A template of coverage: what the company owes on a unit, for how long, from when.

    Terms are attached to product templates and product categories; a product gets the terms of
    its template and of its category and every parent category. Delivering a serial registers
    one ``aftersales.warranty`` layer per applicable term.
    """

    _name = "aftersales.warranty.term"
    _inherit = "aftersales.shared.config.mixin"
    _description = "Warranty Term"
    _order = "sequence, id"
    _check_company_auto = True

    # Identity
    name = fields.Char(required=True, translate=True)
    active = fields.Boolean(default=True)
    sequence = fields.Integer(default=10)
    company_id = fields.Many2one(
        "res.company",
        default=lambda self: self.env.company,
        index=True,
        help="Leave empty to share the term between companies.",
    )
    kind = fields.Selection(
        [
            ("legal", "Legal Guarantee"),
            ("manufacturer", "Manufacturer Warranty"),
            ("extended", "Extended Warranty"),
            ("component", "Component Warranty"),
        ],
        required=True,
        default="manufacturer",
        index=True,
    )
    description = fields.Text(translate=True, help="Conditions printed for the customer.")

    # Duration
    duration = fields.Integer(required=True, default=2)
    duration_unit = fields.Selection(
        [("day", "Days"), ("month", "Months"), ("year", "Years")],
        required=True,
        default="year",
    )
    start_basis = fields.Selection(
        [
            ("delivery", "Delivery Date"),
            ("invoice", "Invoice Date"),
            ("installation", "Installation Date"),
        ],
        required=True,
        default="delivery",
        help="Delivery: the day the unit left to the customer. Invoice: the date of the posted "
        "customer invoice of the sale line when there is one at delivery, else the delivery "
        "date. Installation: registered from the delivery date; set the real installation "
        "date on the warranty and its end date follows.",
    )
    extension_start = fields.Selection(
        [("after_base", "After the Base Warranties"), ("basis", "On the Start Basis")],
        default="after_base",
        help="Extended terms only: start the day after the latest legal or manufacturer layer "
        "ends (an extension extends), or on the start basis like any other term.",
    )
    extend_by_downtime = fields.Boolean(
        string="Extend by Downtime",
        help="Days the unit spends in service push the end date out.",
    )
    transferable = fields.Boolean(
        default=True, help="The warranty follows the unit when it changes owner."
    )

    # Coverage (percent)
    parts_coverage = fields.Float(string="Parts Coverage (%)", default=100.0)
    labor_coverage = fields.Float(string="Labor Coverage (%)", default=100.0)
    logistics_coverage = fields.Float(string="Logistics Coverage (%)", default=100.0)

    # Scope
    product_tmpl_ids = fields.Many2many(
        "product.template",
        "aftersales_warranty_term_product_tmpl_rel",
        "term_id",
        "product_tmpl_id",
        string="Products",
    )
    categ_ids = fields.Many2many(
        "product.category",
        "aftersales_warranty_term_categ_rel",
        "term_id",
        "categ_id",
        string="Product Categories",
        help="The term applies to the products of these categories and their subcategories.",
    )
    extension_product_id = fields.Many2one(
        "product.product",
        index="btree_not_null",
        check_company=True,
        domain="[('type', '=', 'service')]",
        help="Extended terms: the service product whose sale adds this layer to the serials "
        "delivered on the same sale order.",
    )
    warranty_count = fields.Integer(compute="_compute_warranty_count", string="Warranties")

    _sql_constraints = [  # noqa: RUF012
        (
            "duration_positive",
            "CHECK(duration > 0)",
            "The duration of a warranty term must be positive.",
        ),
        (
            "duration_bounded",
            (
                "CHECK(duration <= CASE duration_unit "
                f"WHEN 'day' THEN {warranty_dates.MAX_DURATION['day']} "
                f"WHEN 'month' THEN {warranty_dates.MAX_DURATION['month']} "
                f"ELSE {warranty_dates.MAX_DURATION['year']} END)"
            ),
            "The duration of a warranty term is at most 100 years.",
        ),
        (
            "coverage_range",
            (
                "CHECK(parts_coverage BETWEEN 0 AND 100 AND labor_coverage BETWEEN 0 AND 100 "
                "AND logistics_coverage BETWEEN 0 AND 100)"
            ),
            "Coverage is a percentage between 0 and 100.",
        ),
    ]

    @api.model
    def _check_term_values(self, vals, term=None):
        """Duration and coverage rules, checked on the values before anything is written
        (merged on ``term`` when it is written).

        Durations are bounded to 100 years (``warranty_dates.MAX_DURATION``): a 20,000-year
        term cannot be delivered (its end date is past year 9999). The SQL constraints
        guarantee the same in the database; this gives the readable error.
        """
        name = vals.get("name") or (term.name if term else "") or ""
        if {"duration", "duration_unit"} & set(vals):
            duration = vals.get("duration", term.duration if term else 2)
            unit = vals.get("duration_unit", term.duration_unit if term else "year")
            if isinstance(duration, int) and not isinstance(duration, bool) and duration <= 0:
                raise ValidationError(
                    self.env._("The duration of the warranty term '%s' must be positive.", name)
                )
            if not warranty_dates.duration_in_bounds(duration, unit):
                raise ValidationError(
                    self.env._(
                        "The duration of the warranty term '%(term)s' must be a whole number "
                        "of at most 100 years (%(days)s days, %(months)s months); got "
                        "%(value)s %(unit)s.",
                        term=name,
                        days=warranty_dates.MAX_DURATION["day"],
                        months=warranty_dates.MAX_DURATION["month"],
                        value=duration,
                        unit=unit,
                    )
                )
        for field in ("parts_coverage", "labor_coverage", "logistics_coverage"):
            value = vals.get(field) or 0.0
            if field in vals and (
                isinstance(value, bool)
                or not isinstance(value, int | float)
                or not 0.0 <= value <= 100.0
            ):
                raise ValidationError(
                    self.env._(
                        "%(field)s of the warranty term '%(term)s' must be between 0 and 100.",
                        field=self._fields[field].get_description(self.env)["string"],
                        term=name,
                    )
                )

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            self._check_term_values(vals)
        return super().create(vals_list)

    def write(self, vals):
        for term in self:
            self._check_term_values(vals, term)
        return super().write(vals)

    @api.constrains("duration", "duration_unit")
    def _check_duration_bounds(self):
        for term in self:
            term._check_term_values(
                {"duration": term.duration, "duration_unit": term.duration_unit}, term
            )

    @api.constrains("kind", "extension_product_id")
    def _check_extension_product(self):
        for term in self:
            if term.kind == "extended" and not term.extension_product_id:
                raise ValidationError(
                    self.env._(
                        "The extended warranty term '%s' needs the service product whose sale "
                        "adds it.",
                        term.name,
                    )
                )

    def _compute_warranty_count(self):
        counts = dict(
            self.env["aftersales.warranty"]._read_group(
                [("term_id", "in", self.ids), ("state", "!=", "void")], ["term_id"], ["__count"]
            )
        )
        for term in self:
            term.warranty_count = counts.get(term, 0)

    # Business methods

    def _get_date_end(self, date_start, downtime_days=0):
        """End date of a layer of this term starting on ``date_start``."""
        self.ensure_one()
        return warranty_dates.end_date(date_start, self.duration, self.duration_unit, downtime_days)

    @api.model
    def _get_terms_by_product(self, products, company):
        """Map each product to its applicable non-extended terms, in a constant number of queries.

        A product gets the terms of its template and of its category and all parent
        categories; only active terms shared or of ``company``.
        """
        categ_ids_by_product = {
            product: [int(c) for c in (product.categ_id.parent_path or "").split("/") if c]
            for product in products
        }
        all_categ_ids = {c for ids in categ_ids_by_product.values() for c in ids}
        terms = self.search(
            [
                ("kind", "!=", "extended"),
                ("company_id", "in", [False, company.id]),
                "|",
                ("product_tmpl_ids", "in", products.product_tmpl_id.ids),
                ("categ_ids", "in", list(all_categ_ids)),
            ]
        )
        # Read both scopes in one go for all terms (prefetch).
        terms.fetch(["product_tmpl_ids", "categ_ids"])
        result = {}
        for product in products:
            categ_ids = set(categ_ids_by_product[product])
            result[product] = terms.filtered(
                lambda t, p=product, c=categ_ids: (
                    p.product_tmpl_id in t.product_tmpl_ids or c.intersection(t.categ_ids.ids)
                )
            )
        return result

    def _applies_to_product(self, product):
        """Whether this term's scope covers ``product`` (an empty scope covers every product)."""
        self.ensure_one()
        if not self.product_tmpl_ids and not self.categ_ids:
            return True
        if product.product_tmpl_id in self.product_tmpl_ids:
            return True
        categ_ids = {int(c) for c in (product.categ_id.parent_path or "").split("/") if c}
        return bool(categ_ids.intersection(self.categ_ids.ids))

    def action_view_warranties(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "aftersales_service.aftersales_warranty_action"
        )
        action["domain"] = [("term_id", "=", self.id)]
        action["context"] = {"search_default_filter_not_void": 1}
        return action
