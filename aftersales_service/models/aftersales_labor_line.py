from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import float_compare

from ..rules import shares
from .repair_order_guard import check_amount

# A labor line is one technician's work on one day: more than 24 hours is a typo.
MAX_HOURS_PER_LINE = 24.0
NUMBER_FIELDS = ("hours", "unit_cost", "price_unit", "coverage")


class AftersalesLaborLine(models.Model):
    _name = "aftersales.labor.line"
    _description = "Service Order Labor Line"
    _order = "repair_id, sequence, id"
    _check_company_auto = True

    # Order and technician
    sequence = fields.Integer(default=10)
    repair_id = fields.Many2one(
        "repair.order",
        string="Service Order",
        required=True,
        ondelete="cascade",
        index=True,
        check_company=True,
    )
    company_id = fields.Many2one(related="repair_id.company_id", store=True, index=True)
    currency_id = fields.Many2one(related="company_id.currency_id", string="Currency")
    partner_id = fields.Many2one(related="repair_id.partner_id", string="Customer", store=True)
    user_id = fields.Many2one(
        "res.users",
        string="Technician",
        default=lambda self: self.env.user,
        index=True,
        domain="[('share', '=', False)]",
    )
    date = fields.Date(default=fields.Date.context_today, required=True, index=True)

    # Work
    product_id = fields.Many2one(
        "product.product",
        string="Service",
        domain="[('type', '=', 'service'), "
        "'|', ('company_id', '=', False), ('company_id', '=', company_id)]",
        required=True,
        check_company=True,
    )
    name = fields.Char(string="Description")
    hours = fields.Float(digits="Product Unit of Measure", default=1.0)
    unit_cost = fields.Monetary(
        string="Cost per Hour",
        compute="_compute_from_product",
        store=True,
        readonly=False,
    )
    price_unit = fields.Monetary(
        string="Price per Hour",
        compute="_compute_from_product",
        store=True,
        readonly=False,
        currency_field="pricing_currency_id",
        help="Sale price per hour, in the order's pricing currency (its pricelist's).",
    )
    pricing_currency_id = fields.Many2one(
        related="repair_id.aftersales_pricing_currency_id", string="Pricing Currency"
    )

    # Coverage (percent the company pays)
    coverage = fields.Float(
        string="Coverage (%)",
        compute="_compute_coverage",
        store=True,
        readonly=False,
        precompute=True,
        digits=(5, 2),
    )
    coverage_reason = fields.Char(
        string="Coverage Override Reason",
        help="Why a manager changed this line's coverage from the order's labor coverage.",
    )

    # Amounts (company currency), computed before the INSERT (``precompute``): a new line is
    # inserted with them, not updated right after.
    cost_amount = fields.Monetary(
        string="Cost", compute="_compute_amounts", store=True, precompute=True
    )
    price_amount = fields.Monetary(
        string="Price",
        compute="_compute_amounts",
        store=True,
        precompute=True,
        currency_field="pricing_currency_id",
    )
    billable_amount = fields.Monetary(
        string="Customer Share", compute="_compute_amounts", store=True, precompute=True
    )
    warranty_amount = fields.Monetary(
        string="Warranty Share", compute="_compute_amounts", store=True, precompute=True
    )

    _sql_constraints = [  # noqa: RUF012
        ("hours_positive", "CHECK(hours >= 0)", "Labor hours cannot be negative."),
        (
            "hours_per_day",
            "CHECK(hours <= 24)",
            "A labor line cannot have more than 24 hours (one technician, one day).",
        ),
        (
            "coverage_range",
            "CHECK(coverage >= 0 AND coverage <= 100)",
            "Labor coverage must be between 0 and 100 %.",
        ),
    ]

    @api.depends("product_id", "company_id", "repair_id.aftersales_pricelist_id")
    def _compute_from_product(self):
        for line in self:
            product = line.product_id.with_company(line.company_id or self.env.company)
            line.unit_cost = product.standard_price
            line.price_unit = line._price_from_order(product, line.repair_id)

    @api.model
    def _price_from_order(self, product, repair):
        """Hourly sale price: the order's pricelist (in its currency), else the product's."""
        if repair and product:
            return repair._aftersales_sale_price(product, 1.0, product.uom_id)
        return product.lst_price

    @api.depends("repair_id.aftersales_labor_coverage")
    def _compute_coverage(self):
        for line in self:
            line.coverage = line.repair_id.aftersales_labor_coverage

    @api.depends(
        "hours", "unit_cost", "price_unit", "coverage", "repair_id.aftersales_pricing_currency_id"
    )
    def _compute_amounts(self):
        for line in self:
            line.cost_amount = line.hours * line.unit_cost
            line.price_amount = line.hours * line.price_unit
            # The customer pays the uncovered hours at the sale price, the warranty bears the
            # covered hours at cost (``rules.shares``); split from the stored amounts.
            billable, line.warranty_amount = shares.split_line(
                line.price_amount, line.cost_amount, line.coverage
            )
            # The customer's share is a company-currency figure, like the order's.
            line.billable_amount = (
                line.repair_id._aftersales_to_company_currency(billable)
                if line.repair_id
                else billable
            )

    @api.constrains("hours", "coverage", "unit_cost", "price_unit")
    def _check_values(self):
        for line in self:
            for fname in NUMBER_FIELDS:
                check_amount(self.env, line[fname], line._fields[fname].string, minimum=None)
            if line.hours < 0:
                raise ValidationError(self.env._("Labor hours cannot be negative."))
            if line.hours > MAX_HOURS_PER_LINE:
                raise ValidationError(
                    self.env._(
                        "A labor line cannot have more than %(max)s hours (one technician, "
                        "one day): split the work into one line per day.",
                        max=MAX_HOURS_PER_LINE,
                    )
                )
            if not 0.0 <= line.coverage <= 100.0:
                raise ValidationError(self.env._("Labor coverage must be between 0 and 100 %."))
            if line.unit_cost < 0 or line.price_unit < 0:
                raise ValidationError(self.env._("Labor cost and price cannot be negative."))

    @api.constrains("product_id")
    def _check_service_product(self):
        """Labor is a service: a goods product here would be invoiced without leaving stock
        and booked as labor cost."""
        for line in self:
            if line.product_id.type != "service":
                raise ValidationError(
                    self.env._(
                        "%(product)s is not a service product: labor lines take services only.",
                        product=line.product_id.display_name,
                    )
                )

    def _check_numbers(self, vals):
        """Numbers as numbers before the ORM converts them (a string, NaN or Infinity sent
        over RPC gets a clear message, not a conversion traceback)."""
        for fname in NUMBER_FIELDS:
            if fname in vals:
                check_amount(self.env, vals[fname], self._fields[fname].string, minimum=None)
        if "hours" in vals:
            # Before the insert: the SQL CHECK would otherwise answer first, less clearly.
            check_amount(
                self.env,
                vals["hours"],
                self._fields["hours"].string,
                minimum=0.0,
                maximum=MAX_HOURS_PER_LINE,
            )

    def _aftersales_invoice_label(self):
        self.ensure_one()
        label = self.name or self.product_id.display_name
        if self.user_id:
            label = f"{label} ({self.user_id.name})"
        return label

    # Coverage overrides and locking

    def _check_coverage_override(self, coverage, reason):
        """A line's coverage differing from its order's needs a manager and a reason."""
        self.env["repair.order"]._aftersales_check_override_rights(reason)
        for line in self:
            line.repair_id.message_post(
                body=self.env._(
                    "Labor coverage of %(line)s set to %(coverage)s %%: %(reason)s",
                    line=line._aftersales_invoice_label(),
                    coverage=coverage,
                    reason=reason,
                )
            )

    def _check_order_open(self):
        if self.repair_id.filtered("aftersales_invoiced"):
            raise UserError(self.env._("The labor of an invoiced service order cannot change."))
        if self.repair_id.filtered(lambda o: o.state == "cancel"):
            raise UserError(self.env._("The labor of a cancelled service order cannot change."))

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            self._check_numbers(vals)
            # Lines created through the order's form may skip the compute: default here.
            if vals.get("product_id") and ("unit_cost" not in vals or "price_unit" not in vals):
                repair = self.env["repair.order"].browse(vals.get("repair_id"))
                product = (
                    self.env["product.product"]
                    .browse(vals["product_id"])
                    .with_company(repair.company_id or self.env.company)
                )
                vals.setdefault("unit_cost", product.standard_price)
                if "price_unit" not in vals:
                    vals["price_unit"] = self._price_from_order(product, repair)
        lines = super().create(vals_list)
        lines._check_order_open()
        for line, vals in zip(lines, vals_list, strict=True):
            if "coverage" in vals and float_compare(
                line.coverage, line.repair_id.aftersales_labor_coverage, precision_digits=2
            ):
                line._check_coverage_override(line.coverage, vals.get("coverage_reason"))
        return lines

    def write(self, vals):
        self._check_numbers(vals)
        self._check_order_open()
        if "coverage" in vals:
            changed = self.filtered(
                lambda line: float_compare(
                    line.coverage, vals["coverage"] or 0.0, precision_digits=2
                )
            )
            if changed:
                changed._check_coverage_override(vals["coverage"], vals.get("coverage_reason"))
        res = super().write(vals)
        if "repair_id" in vals:
            self._check_order_open()
        return res

    @api.ondelete(at_uninstall=False)
    def _unlink_except_invoiced(self):
        self._check_order_open()
