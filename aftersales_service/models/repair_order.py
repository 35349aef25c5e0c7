from collections import defaultdict

from odoo import Command, api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import float_compare, float_is_zero, float_round

COVERAGE_FIELDS = (
    "aftersales_parts_coverage",
    "aftersales_labor_coverage",
    "aftersales_logistics_coverage",
)
COVERAGE_KEYS = {
    "aftersales_parts_coverage": "parts",
    "aftersales_labor_coverage": "labor",
    "aftersales_logistics_coverage": "logistics",
}


class RepairOrder(models.Model):
    _name = "repair.order"
    _inherit = ["repair.order", "analytic.mixin"]  # noqa: RUF012

    # Claim and coverage
    aftersales_claim_id = fields.Many2one(
        "aftersales.claim", string="Claim", index="btree_not_null", check_company=True, copy=False
    )
    aftersales_parts_coverage = fields.Float(
        string="Parts Coverage (%)",
        compute="_compute_aftersales_coverage",
        store=True,
        readonly=False,
        tracking=True,
        digits=(5, 2),
        help="Share of the parts the company pays (warranty). Comes from the claim or the "
        "serial's warranty; only an after-sales manager can change it, with a reason.",
    )
    aftersales_labor_coverage = fields.Float(
        string="Labour Coverage (%)",
        compute="_compute_aftersales_coverage",
        store=True,
        readonly=False,
        tracking=True,
        digits=(5, 2),
    )
    aftersales_logistics_coverage = fields.Float(
        string="Logistics Coverage (%)",
        compute="_compute_aftersales_coverage",
        store=True,
        readonly=False,
        tracking=True,
        digits=(5, 2),
    )
    aftersales_coverage_reason = fields.Char(
        string="Coverage Override Reason",
        tracking=True,
        copy=False,
        help="Why a manager changed the coverage that came from the claim or the serial.",
    )
    aftersales_in_warranty = fields.Boolean(
        string="In Warranty", compute="_compute_aftersales_coverage", store=True
    )
    aftersales_can_override_coverage = fields.Boolean(
        compute="_compute_aftersales_can_override_coverage"
    )

    # Labour
    aftersales_labor_ids = fields.One2many(
        "aftersales.labor.line", "repair_id", string="Labour", copy=True
    )
    aftersales_labor_hours = fields.Float(
        string="Labour Hours", compute="_compute_aftersales_costs", store=True
    )

    # Intake and return of the customer's unit
    aftersales_on_site = fields.Boolean(
        string="On Site",
        help="The unit is repaired at the customer's: no intake and no return transfer.",
    )
    aftersales_intake_picking_id = fields.Many2one(
        "stock.picking",
        string="Intake",
        copy=False,
        readonly=True,
        index="btree_not_null",
        check_company=True,
        help="Receipt of the customer's unit into the repair location.",
    )
    aftersales_return_picking_id = fields.Many2one(
        "stock.picking",
        string="Return to Customer",
        copy=False,
        readonly=True,
        index="btree_not_null",
        check_company=True,
        help="Delivery of the repaired unit back to the customer, created when the order is done.",
    )
    aftersales_date_intake = fields.Datetime(
        string="Unit Received", related="aftersales_intake_picking_id.date_done"
    )
    aftersales_downtime_days = fields.Integer(
        string="Service Days",
        copy=False,
        readonly=True,
        help="Days from intake (or order creation for on-site orders) until the order was done; "
        "added to warranties that extend by downtime.",
    )
    aftersales_can_create_intake = fields.Boolean(compute="_compute_aftersales_can")

    # Costs and shares (company currency)
    aftersales_currency_id = fields.Many2one(related="company_id.currency_id", string="Currency")
    aftersales_cost_parts = fields.Monetary(
        string="Parts Cost",
        currency_field="aftersales_currency_id",
        compute="_compute_aftersales_costs",
        store=True,
        help="Stock valuation of the consumed parts (estimated at product cost until done).",
    )
    aftersales_cost_labor = fields.Monetary(
        string="Labour Cost",
        currency_field="aftersales_currency_id",
        compute="_compute_aftersales_costs",
        store=True,
    )
    aftersales_cost_logistics = fields.Monetary(
        string="Logistics Cost",
        currency_field="aftersales_currency_id",
        copy=False,
        help="Transport of the unit (carrier, courier) for this order.",
    )
    aftersales_cost_total = fields.Monetary(
        string="Total Cost",
        currency_field="aftersales_currency_id",
        compute="_compute_aftersales_costs",
        store=True,
    )
    aftersales_amount_billable = fields.Monetary(
        string="Customer Share",
        currency_field="aftersales_currency_id",
        compute="_compute_aftersales_costs",
        store=True,
        help="What the customer pays, at sale prices, before taxes.",
    )
    aftersales_amount_warranty = fields.Monetary(
        string="Warranty Share",
        currency_field="aftersales_currency_id",
        compute="_compute_aftersales_costs",
        store=True,
        help="What the company bears under warranty, at cost.",
    )

    # Invoicing and warranty entry
    aftersales_invoice_id = fields.Many2one(
        "account.move",
        string="Customer Invoice",
        copy=False,
        readonly=True,
        index="btree_not_null",
        check_company=True,
    )
    aftersales_warranty_move_id = fields.Many2one(
        "account.move",
        string="Warranty Entry",
        copy=False,
        readonly=True,
        index="btree_not_null",
        check_company=True,
    )
    aftersales_invoiced = fields.Boolean(
        string="Settled",
        copy=False,
        readonly=True,
        tracking=True,
        help="The customer share was invoiced and the warranty share booked.",
    )
    aftersales_can_invoice = fields.Boolean(compute="_compute_aftersales_can")

    # ------------------------------------------------------------------------------------
    # Coverage
    # ------------------------------------------------------------------------------------

    @api.model
    def _aftersales_default_coverage(self, lot, claim, on_date=None):
        """Coverage from the claim (kept as received) or else from the serial's layers."""
        coverage = {"in_warranty": False, "parts": 0.0, "labor": 0.0, "logistics": 0.0}
        if claim:
            coverage["in_warranty"] = claim.in_warranty
            for key in ("parts", "labor", "logistics"):
                coverage[key] = claim[f"{key}_coverage"] or 0.0
            return coverage
        if lot:
            found = lot.sudo().aftersales_get_coverage(on_date=on_date)
            for key, default in coverage.items():
                coverage[key] = found[key] or default
        return coverage

    @api.depends("aftersales_claim_id", "lot_id")
    def _compute_aftersales_coverage(self):
        for order in self:
            coverage = self._aftersales_default_coverage(order.lot_id, order.aftersales_claim_id)
            order.aftersales_in_warranty = coverage["in_warranty"]
            for fname, key in COVERAGE_KEYS.items():
                order[fname] = coverage[key]

    def _compute_aftersales_can_override_coverage(self):
        allowed = self.env.user.has_group("aftersales_service.group_aftersales_manager")
        self.aftersales_can_override_coverage = allowed

    @api.constrains(*COVERAGE_FIELDS)
    def _check_aftersales_coverage(self):
        for order in self:
            for fname in COVERAGE_FIELDS:
                if not 0.0 <= order[fname] <= 100.0:
                    raise ValidationError(
                        self.env._(
                            "%(field)s must be between 0 and 100 %% (order %(order)s).",
                            field=order._fields[fname].string,
                            order=order.name,
                        )
                    )

    @api.model
    def _aftersales_check_override_rights(self, reason):
        """Only after-sales managers may change the coverage, and never without a reason."""
        if not self.env.su and not self.env.user.has_group(
            "aftersales_service.group_aftersales_manager"
        ):
            raise AccessError(
                self.env._("Only an after-sales manager can change the warranty coverage.")
            )
        if not (reason or "").strip():
            raise UserError(self.env._("Give a reason for changing the warranty coverage."))

    def _aftersales_coverage_overridden(self, vals, expected):
        return any(
            fname in vals
            and float_compare(
                vals[fname] or 0.0, expected[COVERAGE_KEYS[fname]], precision_digits=2
            )
            for fname in COVERAGE_FIELDS
        )

    # ------------------------------------------------------------------------------------
    # Costs and shares
    # ------------------------------------------------------------------------------------

    @api.depends(
        "state",
        "move_ids.state",
        "move_ids.quantity",
        "move_ids.product_uom_qty",
        "move_ids.aftersales_coverage",
        "move_ids.stock_valuation_layer_ids",
        "aftersales_labor_ids.hours",
        "aftersales_labor_ids.cost_amount",
        "aftersales_labor_ids.billable_amount",
        "aftersales_labor_ids.warranty_amount",
        "aftersales_cost_logistics",
        "aftersales_logistics_coverage",
    )
    def _compute_aftersales_costs(self):
        for order in self:
            currency = order.company_id.currency_id
            parts_cost = parts_billable = parts_warranty = 0.0
            for move in order.move_ids._aftersales_part_moves():
                cost = move._aftersales_cost()
                coverage = move.aftersales_coverage / 100.0
                parts_cost += cost
                parts_billable += move._aftersales_price() * (1.0 - coverage)
                parts_warranty += cost * coverage
            labor = order.aftersales_labor_ids
            labor_cost = sum(labor.mapped("cost_amount"))
            logistics_warranty = (
                order.aftersales_cost_logistics * order.aftersales_logistics_coverage / 100.0
            )
            order.aftersales_labor_hours = sum(labor.mapped("hours"))
            order.aftersales_cost_parts = currency.round(parts_cost)
            order.aftersales_cost_labor = currency.round(labor_cost)
            order.aftersales_cost_total = currency.round(
                parts_cost + labor_cost + order.aftersales_cost_logistics
            )
            order.aftersales_amount_billable = currency.round(
                parts_billable + sum(labor.mapped("billable_amount"))
            )
            order.aftersales_amount_warranty = currency.round(
                parts_warranty + sum(labor.mapped("warranty_amount")) + logistics_warranty
            )

    @api.depends(
        "state",
        "aftersales_invoiced",
        "aftersales_on_site",
        "aftersales_intake_picking_id",
        "product_id",
        "partner_id",
    )
    def _compute_aftersales_can(self):
        for order in self:
            order.aftersales_can_invoice = order.state == "done" and not order.aftersales_invoiced
            order.aftersales_can_create_intake = (
                not order.aftersales_on_site
                and not order.aftersales_intake_picking_id
                and order.state in ("draft", "confirmed", "under_repair")
                and bool(order.product_id.is_storable and order.partner_id)
            )

    @api.depends("picking_type_id", "aftersales_on_site")
    def _compute_product_location_src_id(self):
        """An on-site unit never leaves the customer: the host's move of the repaired unit
        goes from the customer location to itself, leaving our stock untouched."""
        res = super()._compute_product_location_src_id()
        for order in self.filtered("aftersales_on_site"):
            order.product_location_src_id = order._aftersales_customer_location()
        return res

    @api.depends("picking_type_id", "aftersales_on_site")
    def _compute_product_location_dest_id(self):
        res = super()._compute_product_location_dest_id()
        for order in self.filtered("aftersales_on_site"):
            order.product_location_dest_id = order._aftersales_customer_location()
        return res

    def _aftersales_customer_location(self):
        self.ensure_one()
        return self.partner_id.with_company(
            self.company_id
        ).property_stock_customer or self.env.ref("stock.stock_location_customers")

    # ------------------------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        checks = []
        for vals in vals_list:
            if any(fname in vals for fname in COVERAGE_FIELDS):
                lot = self.env["stock.lot"].browse(vals.get("lot_id"))
                claim = self.env["aftersales.claim"].browse(vals.get("aftersales_claim_id"))
                expected = self._aftersales_default_coverage(lot, claim)
                if self._aftersales_coverage_overridden(vals, expected):
                    checks.append(vals.get("aftersales_coverage_reason"))
        for reason in checks:
            self._aftersales_check_override_rights(reason)
        return super().create(vals_list)

    def write(self, vals):
        if any(fname in vals for fname in COVERAGE_FIELDS):
            for order in self:
                if "lot_id" in vals or "aftersales_claim_id" in vals:
                    lot = self.env["stock.lot"].browse(vals.get("lot_id", order.lot_id.id))
                    claim = self.env["aftersales.claim"].browse(
                        vals.get("aftersales_claim_id", order.aftersales_claim_id.id)
                    )
                    expected = self._aftersales_default_coverage(lot, claim)
                else:
                    expected = {key: order[fname] for fname, key in COVERAGE_KEYS.items()}
                if self._aftersales_coverage_overridden(vals, expected):
                    if order.aftersales_invoiced:
                        raise UserError(
                            self.env._(
                                "Order %(order)s is settled: its coverage cannot change.",
                                order=order.name,
                            )
                        )
                    self._aftersales_check_override_rights(vals.get("aftersales_coverage_reason"))
        if "aftersales_on_site" in vals and self.filtered("aftersales_intake_picking_id"):
            raise UserError(
                self.env._("The unit already has an intake transfer: it cannot become on site.")
            )
        return super().write(vals)

    # ------------------------------------------------------------------------------------
    # Workflow hooks
    # ------------------------------------------------------------------------------------

    def action_validate(self):
        """An on-site unit is not in our stock: skip the host's availability check."""
        if self.aftersales_on_site:
            return self._action_repair_confirm()
        return super().action_validate()

    def action_repair_done(self):
        res = super().action_repair_done()
        done = self.filtered(lambda order: order.state == "done")
        if done:
            done._aftersales_create_return_pickings()
            done._aftersales_extend_warranties_by_downtime()
        return res

    def action_repair_cancel(self):
        # The host refuses done orders and cancels the part moves (releasing reservations).
        res = super().action_repair_cancel()
        self._aftersales_cancel_unit_transfers()
        return res

    def action_repair_cancel_draft(self):
        """Reopening a cancelled order: a unit already sent back needs a new intake; a return
        not shipped yet is cancelled (the unit is still here)."""
        res = super().action_repair_cancel_draft()
        for order in self:
            back = order.aftersales_return_picking_id
            if back.state == "done":
                order.write(
                    {"aftersales_intake_picking_id": False, "aftersales_return_picking_id": False}
                )
            elif back:
                back.action_cancel()
                order.aftersales_return_picking_id = False
        return res

    # ------------------------------------------------------------------------------------
    # Intake and return
    # ------------------------------------------------------------------------------------

    def _aftersales_warehouse(self):
        self.ensure_one()
        return self.picking_type_id.warehouse_id or self.env["stock.warehouse"].search(
            [("company_id", "=", self.company_id.id)], limit=1
        )

    def _prepare_aftersales_intake_picking_vals(self):
        """Receipt of the customer's unit into the repair location.

        The unit stays the customer's property (``owner_id``): it is not valued in our stock,
        and the host's repair finds it as the customer's quant when the order is done.
        """
        self.ensure_one()
        company = self.company_id
        warehouse = self._aftersales_warehouse()
        source = self._aftersales_customer_location()
        return {
            "picking_type_id": warehouse.in_type_id.id,
            "partner_id": self.partner_id.id,
            "owner_id": self.partner_id.id,
            "location_id": source.id,
            "location_dest_id": self.product_location_src_id.id,
            "origin": self.name,
            "company_id": company.id,
            "aftersales_repair_id": self.id,
            "aftersales_claim_id": self.aftersales_claim_id.id,
            "aftersales_purpose": "intake",
            "move_ids": [
                Command.create(
                    {
                        "name": self.name,
                        "product_id": self.product_id.id,
                        "product_uom": (self.product_uom or self.product_id.uom_id).id,
                        "product_uom_qty": self.product_qty,
                        "location_id": source.id,
                        "location_dest_id": self.product_location_src_id.id,
                        "partner_id": self.partner_id.id,
                        "company_id": company.id,
                        "to_refund": False,
                    }
                )
            ],
        }

    def _prepare_aftersales_intake_move_line_vals(self, picking, move_vals):
        """Detailed line of the intake: the customer's serial, owned by the customer."""
        self.ensure_one()
        return {
            "picking_id": picking.id,
            "product_id": move_vals["product_id"],
            "product_uom_id": move_vals["product_uom"],
            "quantity": move_vals["product_uom_qty"],
            "lot_id": self.lot_id.id,
            "owner_id": self.partner_id.id,
            "location_id": move_vals["location_id"],
            "location_dest_id": move_vals["location_dest_id"],
            "company_id": move_vals["company_id"],
        }

    def _aftersales_create_unit_pickings(self, vals_list, line_vals=None):
        """Create the transfers of the customer's unit (one per order of ``self``, from
        ``_prepare_aftersales_*_picking_vals``): the pickings first, then their moves, already
        knowing their picking, operation type, description and, from ``line_vals(order,
        picking, move_vals)``, their detailed lines — each record inserted once, complete,
        rather than created empty and completed by later writes (each of which makes the ORM
        look for the records depending on the picking's state)."""
        moves_vals = [
            [command[2] for command in vals.pop("move_ids", [])] for vals in vals_list
        ]
        pickings = self.env["stock.picking"].create(vals_list)
        all_moves_vals = []
        for order, picking, picking_moves_vals in zip(self, pickings, moves_vals, strict=True):
            picking_type = picking.picking_type_id
            lang = picking.partner_id.lang or self.env.user.lang
            for move_vals in picking_moves_vals:
                product = self.env["product.product"].browse(move_vals["product_id"])
                move_vals.update(
                    picking_id=picking.id,
                    picking_type_id=picking_type.id,
                    description_picking=product.with_context(lang=lang)._get_description(
                        picking_type
                    ),
                )
                if line_vals:
                    move_vals["move_line_ids"] = [
                        Command.create(vals) for vals in line_vals(order, picking, move_vals)
                    ]
                all_moves_vals.append(move_vals)
        self.env["stock.move"].create(all_moves_vals)
        return pickings

    def action_aftersales_create_intake(self):
        """Create the receipt that brings the customer's unit in (serial set)."""
        for order in self:
            if not order.aftersales_can_create_intake:
                raise UserError(
                    self.env._(
                        "Order %(order)s cannot get an intake transfer: it needs a customer and "
                        "a storable product, must not be on site, done or cancelled, and must "
                        "not have one already.",
                        order=order.name,
                    )
                )
            if order.tracking != "none" and not order.lot_id:
                raise UserError(
                    self.env._("Set the serial number of order %(order)s first.", order=order.name)
                )
        # The detailed line (serial, owner) is given before confirmation, so the host assigns
        # the receipt as it is, at the repair location: no line of its own to fill in later,
        # and no putaway elsewhere, where the repair would not find the unit.
        pickings = self._aftersales_create_unit_pickings(
            [order._prepare_aftersales_intake_picking_vals() for order in self],
            line_vals=lambda order, picking, move_vals: [
                order._prepare_aftersales_intake_move_line_vals(picking, move_vals)
            ],
        )
        pickings.action_confirm()  # receipts from customers are assigned at once
        for order, picking in zip(self, pickings, strict=True):
            order.aftersales_intake_picking_id = picking
        if len(self) == 1:
            return self.action_aftersales_view_intake()
        return True

    def _aftersales_unit_owner(self):
        """The partner who owns the unit in our repair location (from a done intake)."""
        self.ensure_one()
        intake = self.aftersales_intake_picking_id
        if intake.state == "done":
            return intake.move_line_ids.owner_id[:1] or intake.owner_id
        return self.env["res.partner"]

    def _prepare_aftersales_return_picking_vals(self):
        """Delivery of the repaired unit from the repair location back to its owner."""
        self.ensure_one()
        company = self.company_id
        warehouse = self._aftersales_warehouse()
        owner = self._aftersales_unit_owner()
        destination = self._aftersales_customer_location()
        source = (
            self.product_location_dest_id
            if self.state == "done"
            else (self.product_location_src_id)
        )
        return {
            "picking_type_id": warehouse.out_type_id.id,
            "partner_id": self.partner_id.id,
            "owner_id": owner.id,
            "location_id": source.id,
            "location_dest_id": destination.id,
            "origin": self.name,
            "company_id": company.id,
            "aftersales_repair_id": self.id,
            "aftersales_claim_id": self.aftersales_claim_id.id,
            "aftersales_purpose": "unit_return",
            "move_ids": [
                Command.create(
                    {
                        "name": self.name,
                        "product_id": self.product_id.id,
                        "product_uom": (self.product_uom or self.product_id.uom_id).id,
                        "product_uom_qty": self.product_qty,
                        "location_id": source.id,
                        "location_dest_id": destination.id,
                        "partner_id": self.partner_id.id,
                        "restrict_partner_id": owner.id,
                        "company_id": company.id,
                    }
                )
            ],
        }

    def _aftersales_create_return_pickings(self):
        """Send back every unit that came in through an intake (not on site)."""
        orders = self.filtered(
            lambda o: (
                not o.aftersales_on_site
                and not o.aftersales_return_picking_id
                and o.aftersales_intake_picking_id.state == "done"
            )
        )
        if not orders:
            return self.env["stock.picking"]
        pickings = orders._aftersales_create_unit_pickings(
            [order._prepare_aftersales_return_picking_vals() for order in orders]
        )
        # Reservation takes the order's serial (see stock.move._update_reserved_quantity).
        pickings.action_confirm()
        for order, picking in zip(orders, pickings, strict=True):
            order.aftersales_return_picking_id = picking
        return pickings

    def _aftersales_cancel_unit_transfers(self):
        """A cancelled order gives the unit back (or drops the intake not yet received)."""
        self.aftersales_intake_picking_id.filtered(
            lambda p: p.state not in ("done", "cancel")
        ).action_cancel()
        self.filtered(lambda o: o.state == "cancel")._aftersales_create_return_pickings()

    def _aftersales_downtime_start(self):
        self.ensure_one()
        if self.aftersales_intake_picking_id.date_done:
            return fields.Date.context_today(self, self.aftersales_intake_picking_id.date_done)
        return fields.Date.context_today(self, self.create_date)

    def _aftersales_extend_warranties_by_downtime(self):
        """Add the days the unit spent in service to the layers that extend by downtime."""
        today = fields.Date.context_today(self)
        for order in self:
            order.aftersales_downtime_days = max(
                (today - order._aftersales_downtime_start()).days, 0
            )
        if "aftersales.warranty" not in self.env:
            return
        Warranty = self.env["aftersales.warranty"].sudo()
        if not {"downtime_days", "extend_by_downtime"} <= set(Warranty._fields):
            return
        orders = self.filtered(lambda o: o.lot_id and o.aftersales_downtime_days > 0)
        if not orders:
            return
        layers = Warranty.search(
            [
                ("lot_id", "in", orders.lot_id.ids),
                ("state", "!=", "void"),
                ("extend_by_downtime", "=", True),
            ]
        )
        by_lot = layers.grouped("lot_id")
        for order in orders:
            lot_layers = by_lot.get(order.lot_id)
            if not lot_layers:
                continue
            lot_layers.add_downtime(order.aftersales_downtime_days)
            order.message_post(
                body=self.env._(
                    "%(days)s service days added to the warranty of %(lot)s.",
                    days=order.aftersales_downtime_days,
                    lot=order.lot_id.name,
                )
            )

    # ------------------------------------------------------------------------------------
    # Invoicing and warranty entry
    # ------------------------------------------------------------------------------------

    def _aftersales_check_can_invoice(self):
        for order in self:
            if order.state != "done":
                raise UserError(
                    self.env._(
                        "Order %(order)s is not done: only finished orders are invoiced.",
                        order=order.name,
                    )
                )
            if order.aftersales_invoiced:
                raise UserError(
                    self.env._("Order %(order)s is already invoiced.", order=order.name)
                )
            if order.sale_order_id:
                raise UserError(
                    self.env._(
                        "Order %(order)s is billed through sale order %(so)s.",
                        order=order.name,
                        so=order.sale_order_id.name,
                    )
                )
            if not order.partner_id and not order._aftersales_billable_is_zero():
                raise UserError(
                    self.env._("Order %(order)s has no customer to invoice.", order=order.name)
                )

    def _aftersales_billable_is_zero(self):
        self.ensure_one()
        return self.company_id.currency_id.is_zero(self.aftersales_amount_billable)

    def _prepare_aftersales_invoice_line_vals(
        self, product, quantity, uom, price_unit, coverage, name=None
    ):
        """One customer invoice line: sale price, coverage as the discount, product taxes."""
        vals = {
            "product_id": product.id,
            "quantity": quantity,
            "product_uom_id": uom.id,
            "price_unit": price_unit,
            "discount": coverage,
        }
        if name:
            vals["name"] = name
        if self.analytic_distribution:
            vals["analytic_distribution"] = self.analytic_distribution
        return vals

    def _prepare_aftersales_invoice_vals(self):
        """Customer invoice of the billable share; None when the customer owes nothing.

        Fully covered parts and labour get no line at all: a warranty order never shows a
        priced line, and a partly covered one shows the coverage as the line's discount.
        """
        self.ensure_one()
        lines = []
        for move in self.move_ids._aftersales_part_moves().filtered(lambda m: m.state == "done"):
            if float_compare(move.aftersales_coverage, 100.0, precision_digits=2) >= 0:
                continue
            lines.append(
                self._prepare_aftersales_invoice_line_vals(
                    move.product_id,
                    move.quantity,
                    move.product_uom,
                    move._aftersales_price_unit(),
                    move.aftersales_coverage,
                )
            )
        for labor in self.aftersales_labor_ids:
            if float_compare(labor.coverage, 100.0, precision_digits=2) >= 0 or float_is_zero(
                labor.hours, precision_digits=4
            ):
                continue
            lines.append(
                self._prepare_aftersales_invoice_line_vals(
                    labor.product_id,
                    labor.hours,
                    labor.product_id.uom_id,
                    labor.price_unit,
                    labor.coverage,
                    name=labor._aftersales_invoice_label(),
                )
            )
        if not lines or self._aftersales_billable_is_zero():
            return None
        return {
            "move_type": "out_invoice",
            "partner_id": self.partner_id.id,
            "company_id": self.company_id.id,
            "invoice_origin": self.name,
            "ref": self.name,
            "currency_id": self.company_id.currency_id.id,
            "invoice_line_ids": [Command.create(vals) for vals in lines],
        }

    def _aftersales_part_credit_account(self, move, billed):
        """Account the covered share of a consumed part is taken from.

        The host's stock valuation booked the consumption (debit: stock output or the
        production location's account; credit: stock valuation). Under anglo-saxon
        accounting, posting the invoice moves the cost of every billed part from stock output
        to the product's expense account (COGS); so a billed part is reclassified from that
        expense account, and a part that is not billed at all from the consumption account.
        """
        company = self.company_id
        accounts = move.product_id.product_tmpl_id.with_company(company).get_product_accounts()
        if billed and company.anglo_saxon_accounting and accounts.get("expense"):
            return accounts["expense"]
        valuation = accounts.get("stock_valuation")
        consumption = (
            move.sudo()
            .stock_valuation_layer_ids.account_move_id.line_ids.filtered(
                lambda line: line.debit and line.account_id != valuation
            )
            .account_id[:1]
        )
        account = consumption or accounts.get("expense")
        if not account:
            raise UserError(
                self.env._(
                    "No expense account for %(product)s in %(company)s.",
                    product=move.product_id.display_name,
                    company=company.name,
                )
            )
        return account

    def _aftersales_service_credit_account(self, product=None):
        """Account the covered labour and logistics cost is taken from."""
        company = self.company_id
        account = company.aftersales_service_cost_account_id
        if not account and product:
            account = product.product_tmpl_id.with_company(company).get_product_accounts()[
                "expense"
            ]
        if not account:
            category = self.env.ref("product.product_category_all", raise_if_not_found=False)
            account = category and category.with_company(company).property_account_expense_categ_id
        if not account:
            raise UserError(
                self.env._(
                    "Set a service cost account for %(company)s in the After-Sales settings.",
                    company=company.name,
                )
            )
        return account

    def _prepare_aftersales_warranty_move_vals(self):
        """Journal entry booking the warranty share at cost; None when nothing is covered.

        Debit: the company's warranty expense account, one line per covered part, labour line
        and logistics, with the order's analytic distribution. Credit: the accounts the cost
        is already in (see ``_aftersales_part_credit_account`` and
        ``_aftersales_service_credit_account``), so nothing is counted twice.
        """
        self.ensure_one()
        company = self.company_id
        currency = company.currency_id
        expense = company._aftersales_get_warranty_expense_account()
        debits = []
        credits = defaultdict(float)
        for move in self.move_ids._aftersales_part_moves().filtered(lambda m: m.state == "done"):
            amount = currency.round(move._aftersales_cost() * move.aftersales_coverage / 100.0)
            if currency.is_zero(amount):
                continue
            billed = float_compare(move.aftersales_coverage, 100.0, precision_digits=2) < 0
            debits.append(
                (
                    move.product_id,
                    self.env._("Warranty parts: %s", move.product_id.display_name),
                    amount,
                )
            )
            credits[self._aftersales_part_credit_account(move, billed)] += amount
        for labor in self.aftersales_labor_ids:
            amount = currency.round(labor.warranty_amount)
            if currency.is_zero(amount):
                continue
            debits.append(
                (
                    labor.product_id,
                    self.env._("Warranty labour: %s", labor._aftersales_invoice_label()),
                    amount,
                )
            )
            credits[self._aftersales_service_credit_account(labor.product_id)] += amount
        logistics = currency.round(
            self.aftersales_cost_logistics * self.aftersales_logistics_coverage / 100.0
        )
        if not currency.is_zero(logistics):
            debits.append(
                (self.env["product.product"], self.env._("Warranty logistics"), logistics)
            )
            credits[self._aftersales_service_credit_account()] += logistics
        if not debits:
            return None
        journal = company._aftersales_get_warranty_journal()
        line_vals = [
            Command.create(
                {
                    "name": f"{self.name} - {label}",
                    "account_id": expense.id,
                    "product_id": product.id,
                    "partner_id": self.partner_id.id,
                    "debit": amount,
                    "credit": 0.0,
                    "analytic_distribution": self.analytic_distribution or False,
                }
            )
            for product, label, amount in debits
        ]
        line_vals += [
            Command.create(
                {
                    "name": self.env._("%s - warranty share absorbed", self.name),
                    "account_id": account.id,
                    "partner_id": self.partner_id.id,
                    "debit": 0.0,
                    "credit": currency.round(amount),
                }
            )
            for account, amount in credits.items()
        ]
        return {
            "move_type": "entry",
            "journal_id": journal.id,
            "company_id": company.id,
            "date": fields.Date.context_today(self),
            "ref": self.env._("Warranty cost of %s", self.name),
            "line_ids": line_vals,
        }

    def action_aftersales_invoice(self):
        """Invoice the customer's share and book the company's warranty share.

        The customer invoice is created in draft (the accountant checks and posts it, as for
        any invoice from a sale); the warranty entry is posted at once. Runs once per order.
        """
        self._aftersales_check_can_invoice()
        invoices = self.env["account.move"]
        for order in self:
            order = order.with_company(order.company_id)
            invoice_vals = order._prepare_aftersales_invoice_vals()
            warranty_vals = order._prepare_aftersales_warranty_move_vals()
            invoice = invoice_vals and self.env["account.move"].with_company(
                order.company_id
            ).with_context(default_move_type="out_invoice").create(invoice_vals)
            entry = warranty_vals and self.env["account.move"].with_company(
                order.company_id
            ).create(warranty_vals)
            if entry:
                entry.action_post()
            order.write(
                {
                    "aftersales_invoice_id": invoice.id if invoice else False,
                    "aftersales_warranty_move_id": entry.id if entry else False,
                    "aftersales_invoiced": True,
                }
            )
            invoices |= invoice or self.env["account.move"]
        if len(self) == 1 and invoices:
            return self.action_aftersales_view_invoice()
        return True

    # ------------------------------------------------------------------------------------
    # Smart buttons
    # ------------------------------------------------------------------------------------

    def _aftersales_open_record(self, record):
        return {
            "type": "ir.actions.act_window",
            "res_model": record._name,
            "views": [[False, "form"]],
            "res_id": record.id,
        }

    def action_aftersales_view_intake(self):
        self.ensure_one()
        return self._aftersales_open_record(self.aftersales_intake_picking_id)

    def action_aftersales_view_return(self):
        self.ensure_one()
        return self._aftersales_open_record(self.aftersales_return_picking_id)

    def action_aftersales_view_invoice(self):
        self.ensure_one()
        return self._aftersales_open_record(self.aftersales_invoice_id)

    def action_aftersales_view_warranty_move(self):
        self.ensure_one()
        return self._aftersales_open_record(self.aftersales_warranty_move_id)

    # ------------------------------------------------------------------------------------
    # Demo data
    # ------------------------------------------------------------------------------------

    @api.model
    def _aftersales_demo_process(self, order_ids, stage="done", days_ago=0):
        """Walk demo orders through the real flow: intake, repair, and optionally invoice.

        ``stage``: ``under_repair``, ``done`` or ``invoiced``; ``days_ago`` backdates the
        intake so that service days show.
        """
        orders = self.browse(order_ids)
        orders.filtered("aftersales_can_create_intake").action_aftersales_create_intake()
        for intake in orders.aftersales_intake_picking_id.filtered(lambda p: p.state != "done"):
            intake.move_ids.picked = True
            intake.button_validate()
            if days_ago:
                intake.date_done = fields.Datetime.subtract(fields.Datetime.now(), days=days_ago)
        for order in orders.filtered(lambda o: o.state == "draft"):
            order.action_validate()
        orders.action_assign()
        orders.filtered(lambda o: o.state == "confirmed").action_repair_start()
        if stage in ("done", "invoiced"):
            orders.filtered(lambda o: o.state == "under_repair").action_repair_end()
        if stage == "invoiced":
            orders.filtered("aftersales_can_invoice").action_aftersales_invoice()
        return True

    # --- Parts issuing ---
    # (the parts issuing feature lives in RepairOrderParts below)

class RepairOrderParts(models.Model):
    """Parts issuing: the warehouse issues an order's parts to the workshop, the order consumes
    them from there, and what was not used goes back to stock.

    Active for orders whose component source is their warehouse's workshop location, which
    is what new orders get while the company setting ``aftersales_parts_issue`` is on.
    """

    _inherit = "repair.order"

    # --- Parts issuing ---
    aftersales_parts_picking_ids = fields.One2many(
        "stock.picking",
        "aftersales_repair_id",
        string="Parts Transfers",
        domain=[("aftersales_purpose", "in", ("parts_issue", "parts_return"))],
    )
    aftersales_parts_picking_count = fields.Integer(
        compute="_compute_aftersales_parts_picking_count"
    )
    aftersales_parts_issue_mode = fields.Boolean(
        string="Parts Issued by the Warehouse",
        compute="_compute_aftersales_parts_issue_mode",
    )
    aftersales_parts_state = fields.Selection(
        [
            ("to_request", "Parts to Request"),
            ("waiting", "Waiting for Parts"),
            ("ready", "Parts Ready to Issue"),
            ("issued", "Parts Issued"),
        ],
        string="Parts Status",
        compute="_compute_aftersales_parts_state",
        search="_search_aftersales_parts_state",
    )
    aftersales_purchase_ids = fields.Many2many(
        "purchase.order",
        string="Parts Purchases",
        compute="_compute_aftersales_purchase_ids",
        compute_sudo=True,
    )
    aftersales_purchase_count = fields.Integer(
        compute="_compute_aftersales_purchase_ids", compute_sudo=True
    )
    can_aftersales_issue_parts = fields.Boolean(compute="_compute_aftersales_parts_state")
    aftersales_parts_request_date = fields.Datetime(
        string="Parts Requested On",
        readonly=True,
        copy=False,
        help="Last time parts were requested from the warehouse for this order.",
    )

    @api.depends("picking_type_id")
    def _compute_location_id(self):
        res = super()._compute_location_id()
        for repair in self:
            workshop = repair.picking_type_id.warehouse_id.aftersales_workshop_location_id
            if workshop and repair.company_id.aftersales_parts_issue:
                repair.location_id = workshop
        return res

    @api.depends("location_id")
    def _compute_aftersales_parts_issue_mode(self):
        for repair in self:
            location = repair.location_id
            repair.aftersales_parts_issue_mode = bool(
                location and location.warehouse_id.aftersales_workshop_location_id == location
            )

    @api.depends("aftersales_parts_picking_ids")
    def _compute_aftersales_parts_picking_count(self):
        for repair in self:
            repair.aftersales_parts_picking_count = len(repair.aftersales_parts_picking_ids)

    def _aftersales_part_lines(self):
        """Storable parts added by the order, the lines that go through an issue."""
        return self.move_ids.filtered(
            lambda m: m.repair_line_type == "add"
            and m.product_id.is_storable
            and m.state not in ("done", "cancel")
        )

    @api.depends(
        "state",
        "location_id",
        "move_ids.product_uom_qty",
        "move_ids.state",
        "move_ids.move_orig_ids.state",
        "move_ids.move_orig_ids.quantity",
    )
    def _compute_aftersales_parts_state(self):
        for repair in self:
            state = False
            lines = repair._aftersales_part_lines()
            active = repair.aftersales_parts_issue_mode and repair.state in (
                "confirmed",
                "under_repair",
            )
            if active and lines:
                state = "issued"
                for line in lines:
                    done, pending, reserved = line._aftersales_issue_figures()
                    rounding = line.product_id.uom_id.rounding
                    planned = line.product_qty
                    if float_compare(done + pending, planned, precision_rounding=rounding) < 0:
                        state = "to_request"
                        break
                    if float_compare(done + reserved, planned, precision_rounding=rounding) < 0:
                        state = "waiting"
                    elif state == "issued" and pending:
                        state = "ready"
            repair.aftersales_parts_state = state
            repair.can_aftersales_issue_parts = state == "to_request"

    def _search_aftersales_parts_state(self, operator, value):
        """Orders whose parts are in the given status (open orders issuing parts only)."""
        if operator not in ("=", "!=", "in", "not in"):
            raise NotImplementedError(self.env._("Unsupported search on the parts status."))
        values = list(value) if isinstance(value, list | tuple) else [value]
        workshops = (
            self.env["stock.warehouse"]
            .with_context(active_test=False)
            .search([])
            .aftersales_workshop_location_id
        )
        candidates = self.search(
            [
                ("state", "in", ("confirmed", "under_repair")),
                ("location_id", "in", workshops.ids),
            ]
        )
        matching = candidates.filtered(lambda r: r.aftersales_parts_state in values)
        if operator in ("=", "in"):
            return [("id", "in", matching.ids)]
        return [("id", "not in", matching.ids)]

    @api.depends(
        "move_ids.created_purchase_line_ids",
        "move_ids.move_orig_ids.purchase_line_id",
        "move_ids.move_orig_ids.created_purchase_line_ids",
        "move_ids.move_orig_ids.move_orig_ids.purchase_line_id",
    )
    def _compute_aftersales_purchase_ids(self):
        for repair in self:
            issues = repair.move_ids.move_orig_ids.filtered(
                lambda m: m.aftersales_parts_role == "issue"
            )
            # Direct mode: the part lines themselves are bought (make-to-order).
            parts = repair.move_ids.filtered(lambda m: m.repair_line_type == "add")
            purchases = (
                issues.created_purchase_line_ids.order_id
                | issues.move_orig_ids.purchase_line_id.order_id
                | parts.created_purchase_line_ids.order_id
                | parts.move_orig_ids.purchase_line_id.order_id
            )
            repair.aftersales_purchase_ids = purchases
            repair.aftersales_purchase_count = len(purchases)

    # Issue ----------------------------------------------------------------------------------

    def action_aftersales_issue_parts(self):
        """Request from the warehouse the parts planned and not yet issued (see
        ``_aftersales_issue_parts``); opens the new transfer when called on one order."""
        pickings = self._aftersales_issue_parts()
        if len(self) != 1 or not self.env.context.get("aftersales_open_pickings", True):
            return True
        if not pickings:
            return {
                "type": "ir.actions.client",
                "tag": "display_notification",
                "params": {
                    "type": "info",
                    "message": self.env._("Every part of this order is already requested."),
                    "next": {"type": "ir.actions.act_window_close"},
                },
            }
        return self.action_aftersales_view_parts_pickings()

    def _aftersales_check_can_issue(self):
        bad_state = self.filtered(lambda r: r.state not in ("confirmed", "under_repair"))
        if bad_state:
            raise UserError(
                self.env._(
                    "Parts can only be issued for confirmed service orders: %(orders)s.",
                    orders=", ".join(bad_state.mapped("display_name")),
                )
            )
        no_workshop = self.filtered(lambda r: not r.aftersales_parts_issue_mode)
        if no_workshop:
            raise UserError(
                self.env._(
                    "These service orders take their parts straight from stock, not through "
                    "a workshop issue: %(orders)s.",
                    orders=", ".join(no_workshop.mapped("display_name")),
                )
            )

    def _aftersales_issue_parts(self, quantities=None):
        """Create one issue picking (stock → workshop) per order for its part lines' planned
        quantities not yet issued (done or pending), confirm and reserve them by the host's
        rules, and ask the vendors for what neither stock nor incoming goods cover.

        :param quantities: optional {part stock.move id: quantity in the move's unit} to issue
            instead of what is missing; more than planned needs the manager override
            (context ``aftersales_parts_override``)
        :return: the new pickings
        """
        self._aftersales_check_can_issue()
        # Two requests for the same order at the same time: the second waits here, then
        # fails to serialize on the row the first one updated (below) and Odoo retries it,
        # when it sees the first request's issues and issues only what is left.
        self.env.cr.execute(
            "SELECT id FROM repair_order WHERE id IN %s FOR NO KEY UPDATE", [tuple(self.ids)]
        )
        quantities = quantities or {}
        override = self.env["stock.move"]._aftersales_parts_override()
        picking_vals = []
        for repair in self:
            move_vals = []
            for line in repair._aftersales_part_lines():
                done, pending, _reserved = line._aftersales_issue_figures()
                rounding = line.product_id.uom_id.rounding
                missing = line.product_qty - done - pending
                qty = missing
                over = False
                if line.id in quantities:
                    qty = line._aftersales_product_qty(quantities[line.id])
                    if float_compare(qty, 0.0, precision_rounding=rounding) < 0:
                        raise UserError(self.env._("A quantity to issue cannot be negative."))
                    if float_compare(qty, missing, precision_rounding=rounding) > 0:
                        if not override:
                            raise UserError(
                                self.env._(
                                    "%(order)s: %(part)s is planned for %(planned)s and "
                                    "%(issued)s are already issued or requested; issuing more "
                                    "needs an after-sales manager.",
                                    order=repair.display_name,
                                    part=line.product_id.display_name,
                                    planned=line.product_qty,
                                    issued=done + pending,
                                )
                            )
                        over = True
                if float_compare(qty, 0.0, precision_rounding=rounding) <= 0:
                    continue
                vals = repair._prepare_aftersales_issue_move_vals(line, qty)
                vals["aftersales_over_issue"] = over
                move_vals.append(Command.create(vals))
            if move_vals:
                picking_vals.append(repair._prepare_aftersales_issue_picking_vals(move_vals))
        if not picking_vals:
            return self.env["stock.picking"]
        pickings = self.env["stock.picking"].create(picking_vals)
        pickings.aftersales_repair_id.write(
            {"aftersales_parts_request_date": fields.Datetime.now()}
        )
        # No merge: each issue move feeds exactly one part line of one order.
        pickings.move_ids._action_confirm(merge=False)
        self._aftersales_procure_missing(pickings.move_ids)
        return pickings

    def _aftersales_warehouse_for_parts(self):
        self.ensure_one()
        return self.location_id.warehouse_id

    def _prepare_aftersales_issue_picking_vals(self, move_commands):
        """Values of the issue picking of the order (one per request)."""
        self.ensure_one()
        warehouse = self._aftersales_warehouse_for_parts()
        issue_type = warehouse.aftersales_parts_issue_type_id
        return {
            "picking_type_id": issue_type.id,
            "location_id": warehouse.lot_stock_id.id,
            "location_dest_id": self.location_id.id,
            "origin": self.name,
            "company_id": self.company_id.id,
            "priority": self.priority,
            "aftersales_repair_id": self.id,
            "aftersales_purpose": "parts_issue",
            "aftersales_claim_id": self.aftersales_claim_id.id,
            "move_ids": move_commands,
        }

    def _prepare_aftersales_issue_move_vals(self, line, qty):
        """Values of one issue move, chained to the part line it feeds.

        :param line: the order's part move (``repair_line_type`` ``add``)
        :param qty: quantity in the product's unit
        """
        self.ensure_one()
        warehouse = self._aftersales_warehouse_for_parts()
        return {
            "name": line.product_id.display_name,
            "product_id": line.product_id.id,
            "product_uom": line.product_id.uom_id.id,
            "product_uom_qty": qty,
            "location_id": warehouse.lot_stock_id.id,
            "location_dest_id": self.location_id.id,
            "picking_type_id": warehouse.aftersales_parts_issue_type_id.id,
            "company_id": self.company_id.id,
            "origin": self.name,
            "group_id": self.procurement_group_id.id,
            "priority": self.priority,
            "move_dest_ids": [Command.link(line.id)],
            "warehouse_id": warehouse.id,
            "aftersales_parts_repair_id": self.id,
            "aftersales_parts_role": "issue",
        }

    @api.model
    def _aftersales_procurement_warehouse(self, move):
        """Warehouse whose forecast a move draws on: an issue move's own, a part line's
        order's (the host leaves ``warehouse_id`` empty on repair moves)."""
        return move.warehouse_id or move.repair_id.picking_type_id.warehouse_id

    def _aftersales_procure_missing(self, moves):
        """Buy what issue moves or direct part lines cannot get from stock nor from goods
        already on their way.

        The part of a move not covered by the warehouse's forecast (on hand plus incoming,
        minus every order's demand, plus requests for quotation already made by issues or
        part lines) is split off into a make-to-order move and the host's buy rule turns it
        into a request for quotation to the product's vendor; when the goods are received
        the host chains them to the move. Parts without a vendor or buy rule just wait.

        :param moves: issue moves (parts issuing) or part lines of orders taking their
            parts straight from stock (``repair_line_type`` ``add``)
        """
        moves = moves.filtered(
            lambda m: m.state in ("confirmed", "partially_available")
            and m.procure_method == "make_to_stock"
        )
        buy_route = self.env.ref("purchase_stock.route_warehouse0_buy", raise_if_not_found=False)
        if not moves or not buy_route:
            return
        Move = self.env["stock.move"]
        warehouses = {move: self._aftersales_procurement_warehouse(move) for move in moves}
        deficit = {}
        for warehouse, wh_moves in moves.grouped(lambda m: warehouses[m]).items():
            products = wh_moves.product_id
            requested = {
                product.id: qty
                for product, qty in Move._read_group(
                    [
                        ("procure_method", "=", "make_to_order"),
                        ("move_orig_ids", "=", False),
                        ("state", "not in", ("done", "cancel")),
                        ("product_id", "in", products.ids),
                        "|",
                        "&",
                        ("aftersales_parts_role", "=", "issue"),
                        ("warehouse_id", "=", warehouse.id),
                        "&",
                        ("repair_line_type", "=", "add"),
                        ("repair_id.picking_type_id.warehouse_id", "=", warehouse.id),
                    ],
                    ["product_id"],
                    ["product_qty:sum"],
                )
            }
            for product in products.with_context(warehouse_id=warehouse.id):
                forecast = product.virtual_available + requested.get(product.id, 0.0)
                deficit[(warehouse.id, product.id)] = max(-forecast, 0.0)
        ProcurementGroup = self.env["procurement.group"]
        new_vals = []
        repair_of = {}  # index in new_vals -> part line's order, linked once procured
        for move in moves:
            warehouse = warehouses[move]
            key = (warehouse.id, move.product_id.id)
            product = move.product_id.with_company(move.company_id)
            rounding = product.uom_id.rounding
            unreserved = move.product_qty - move._aftersales_product_qty(move.quantity)
            shortage = min(unreserved, deficit.get(key, 0.0))
            if float_compare(shortage, 0.0, precision_rounding=rounding) <= 0:
                continue
            rule = ProcurementGroup._get_rule(
                product,
                move.location_id,
                {"route_ids": buy_route, "warehouse_id": warehouse},
            )
            if not rule or rule.action != "buy" or not product._select_seller(
                quantity=shortage, uom_id=product.uom_id
            ):
                continue
            deficit[key] -= shortage
            if move.repair_id:
                split_vals = self._aftersales_split_part_line(move, shortage)
            else:
                split_vals = move._split(shortage)
            for vals in split_vals:
                vals.update(
                    procure_method="make_to_order",
                    route_ids=[Command.set(buy_route.ids)],
                )
                if move.repair_id:
                    # Linked to its order after the procurement: created on a confirmed
                    # order, the host would re-decide the procure method (stock) and confirm
                    # it itself; with its picking type it would get a picking.
                    repair_of[len(new_vals)] = move.repair_id
                    vals.pop("repair_id", None)
                    vals.pop("picking_type_id", None)
                    vals.update(
                        warehouse_id=warehouse.id,
                        aftersales_coverage_overridden=move.aftersales_coverage_overridden,
                        aftersales_coverage_manual=move.aftersales_coverage_manual,
                    )
                new_vals.append(vals)
        if new_vals:
            new_moves = Move.create(new_vals)
            new_moves._action_confirm(merge=False)
            for index, repair in repair_of.items():
                new_moves[index].write(
                    {"repair_id": repair.id, "picking_type_id": repair.picking_type_id.id}
                )
            # A part line bought whole leaves an empty line on its order: drop it.
            emptied = moves.filtered(
                lambda m: m.repair_id
                and float_is_zero(m.product_uom_qty, precision_rounding=m.product_uom.rounding)
            )
            if emptied:
                emptied._action_cancel()
                emptied.unlink()
            # The buy rule links its purchase lines as superuser: refresh our view of them.
            new_moves.invalidate_recordset(["created_purchase_line_ids"])

    @api.model
    def _aftersales_split_part_line(self, move, qty):
        """Values of a part line taking ``qty`` (product unit) off ``move``, which keeps the
        rest: the host refuses to split repair moves (it finishes them whole)."""
        vals = move.with_context(
            force_split_uom_id=move.product_id.uom_id.id
        )._prepare_move_split_vals(qty)
        new_vals = move.copy_data(vals)
        rest = move.product_id.uom_id._compute_quantity(
            max(0.0, move.product_qty - qty), move.product_uom, round=False
        )
        move.with_context(do_not_unreserve=True).write(
            {"product_uom_qty": float_round(rest, precision_rounding=move.product_uom.rounding)}
        )
        return new_vals

    # Return ---------------------------------------------------------------------------------

    def _aftersales_returnable_quantities(self, exclude_moves=None):
        """{(order id, product id): issued, not consumed, not yet returned} (product unit).

        Returns already made (done or pending) count, except ``exclude_moves``.
        """
        result = defaultdict(float)
        if not self:
            return result
        transfers = self.env["stock.move"].search(
            [
                ("aftersales_parts_repair_id", "in", self.ids),
                ("state", "!=", "cancel"),
            ]
        )
        if exclude_moves:
            transfers -= exclude_moves
        for move in transfers:
            key = (move.aftersales_parts_repair_id.id, move.product_id.id)
            if move.aftersales_parts_role == "issue" and move.state == "done":
                result[key] += move._aftersales_product_qty(move.quantity)
            elif move.aftersales_parts_role == "return":
                qty = move.quantity if move.state == "done" else move.product_uom_qty
                result[key] -= move._aftersales_product_qty(qty)
        for line in self.move_ids.filtered(
            lambda m: m.repair_line_type == "add" and m.state == "done"
        ):
            result[(line.repair_id.id, line.product_id.id)] -= line._aftersales_product_qty(
                line.quantity
            )
        return result

    def _aftersales_return_unused_parts(self, quantities=None):
        """Send back to stock what was issued to the orders and not consumed.

        One return picking (workshop → stock) per order, its moves chained to the issue
        moves so the host reserves exactly what they brought minus what the order used.

        :param quantities: optional {product id: quantity} to return less than everything
        :return: the return pickings
        """
        returnable = self._aftersales_returnable_quantities()
        picking_vals = []
        for repair in self:
            warehouse = repair._aftersales_warehouse_for_parts()
            issues = self.env["stock.move"].search(
                [
                    ("aftersales_parts_repair_id", "=", repair.id),
                    ("aftersales_parts_role", "=", "issue"),
                    ("state", "=", "done"),
                ]
            )
            move_vals = []
            for product, product_issues in issues.grouped("product_id").items():
                available = returnable.get((repair.id, product.id), 0.0)
                qty = available
                if quantities is not None:
                    qty = quantities.get(product.id, 0.0)
                    rounding = product.uom_id.rounding
                    if float_compare(qty, available, precision_rounding=rounding) > 0:
                        raise UserError(
                            self.env._(
                                "%(order)s: only %(available)s of %(part)s were issued and "
                                "not used; %(qty)s cannot be returned.",
                                order=repair.display_name,
                                available=available,
                                part=product.display_name,
                                qty=qty,
                            )
                        )
                if float_compare(qty, 0.0, precision_rounding=product.uom_id.rounding) <= 0:
                    continue
                move_vals.append(
                    Command.create(
                        {
                            "name": product.display_name,
                            "product_id": product.id,
                            "product_uom": product.uom_id.id,
                            "product_uom_qty": qty,
                            "location_id": repair.location_id.id,
                            "location_dest_id": warehouse.lot_stock_id.id,
                            "picking_type_id": warehouse.aftersales_parts_return_type_id.id,
                            "company_id": repair.company_id.id,
                            "origin": repair.name,
                            "move_orig_ids": [Command.set(product_issues.ids)],
                            "warehouse_id": warehouse.id,
                            "aftersales_parts_repair_id": repair.id,
                            "aftersales_parts_role": "return",
                        }
                    )
                )
            if move_vals:
                picking_vals.append(
                    {
                        "picking_type_id": warehouse.aftersales_parts_return_type_id.id,
                        "location_id": repair.location_id.id,
                        "location_dest_id": warehouse.lot_stock_id.id,
                        "origin": repair.name,
                        "company_id": repair.company_id.id,
                        "aftersales_repair_id": repair.id,
                        "aftersales_purpose": "parts_return",
                        "aftersales_claim_id": repair.aftersales_claim_id.id,
                        "move_ids": move_vals,
                    }
                )
        if not picking_vals:
            return self.env["stock.picking"]
        pickings = self.env["stock.picking"].create(picking_vals)
        pickings.move_ids._action_confirm(merge=False)
        pickings.move_ids._action_assign()
        return pickings

    def _aftersales_cancel_pending_issues(self):
        """Issues not yet made are no longer needed (order ended or cancelled)."""
        pending = self.aftersales_parts_picking_ids.filtered(
            lambda p: p.aftersales_purpose == "parts_issue" and p.state not in ("done", "cancel")
        )
        if pending:
            pending.action_cancel()

    def action_repair_done(self):
        issuing = self.filtered("aftersales_parts_issue_mode")
        issuing._aftersales_cancel_pending_issues()
        res = super().action_repair_done()
        issuing.filtered(lambda r: r.state == "done")._aftersales_return_unused_parts()
        return res

    def action_repair_cancel(self):
        res = super().action_repair_cancel()
        issuing = self.filtered("aftersales_parts_issue_mode")
        issuing._aftersales_cancel_pending_issues()
        issuing._aftersales_return_unused_parts()
        return res

    # Navigation -----------------------------------------------------------------------------

    def action_aftersales_view_parts_pickings(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "aftersales_service.stock_picking_action_aftersales_parts"
        )
        action["domain"] = [("id", "in", self.aftersales_parts_picking_ids.ids)]
        action["context"] = {"create": False}
        if len(self.aftersales_parts_picking_ids) == 1:
            action["views"] = [(False, "form")]
            action["res_id"] = self.aftersales_parts_picking_ids.id
        return action

    def action_aftersales_view_purchases(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("purchase.purchase_rfq")
        action["domain"] = [("id", "in", self.aftersales_purchase_ids.ids)]
        action["context"] = {"create": False}
        return action

    # --- Direct parts procurement ---
    # Orders consuming parts straight from stock (no workshop issue) ask the vendors for
    # what the warehouse cannot cover, when confirmed or on request.

    can_aftersales_request_parts = fields.Boolean(compute="_compute_can_aftersales_request_parts")

    @api.depends("state", "location_id", "move_ids.state", "move_ids.procure_method")
    def _compute_can_aftersales_request_parts(self):
        for repair in self:
            repair.can_aftersales_request_parts = bool(
                repair.state in ("confirmed", "under_repair")
                and not repair.aftersales_parts_issue_mode
                and repair._aftersales_direct_missing_lines()
            )

    def _aftersales_direct_missing_lines(self):
        """Part lines taken from stock that the warehouse's forecast does not cover."""
        return self._aftersales_part_lines().filtered(
            lambda m: m.procure_method == "make_to_stock"
            and m.state in ("confirmed", "partially_available")
            and float_compare(
                m.forecast_availability,
                m.product_qty,
                precision_rounding=m.product_id.uom_id.rounding,
            )
            < 0
        )

    def _action_repair_confirm(self):
        drafts = self.filtered(lambda r: r.state == "draft")
        res = super()._action_repair_confirm()
        direct = drafts.filtered(
            lambda r: r.state == "confirmed" and not r.aftersales_parts_issue_mode
        )
        if direct:
            self._aftersales_procure_missing(direct._aftersales_part_lines())
        return res

    def action_aftersales_request_parts(self):
        """Ask the vendors for the parts of confirmed orders (taking their parts straight
        from stock) that the warehouse cannot cover, e.g. parts added after confirmation."""
        bad = self.filtered(
            lambda r: r.state not in ("confirmed", "under_repair") or r.aftersales_parts_issue_mode
        )
        if bad:
            raise UserError(
                self.env._(
                    "Missing parts are requested here only for confirmed service orders taking "
                    "their parts straight from stock: %(orders)s.",
                    orders=", ".join(bad.mapped("display_name")),
                )
            )
        before = self.move_ids
        self._aftersales_procure_missing(self._aftersales_part_lines())
        if len(self) != 1 or self.move_ids - before:
            return True
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "info",
                "message": self.env._(
                    "Nothing new to request: the missing parts are already requested or have "
                    "no vendor."
                ),
            },
        }

    # Demo -----------------------------------------------------------------------------------

    @api.model
    def _aftersales_load_parts_demo(self):
        """Demo orders of the main warehouse with parts issued through the workshop: one
        fully consumed, one partly issued (the rest bought), one waiting for parts and one
        whose parts are still to request. Skipped when the shared demo parts are missing.

        The company setting is on while they are created and restored afterwards, so the
        rest of the demo (and of the tests) keeps the host's direct consumption.
        """

        def ref(xmlid):
            return self.env.ref(f"aftersales_service.{xmlid}", raise_if_not_found=False)

        pump, belt, board = ref("demo_part_pump"), ref("demo_part_belt"), ref("demo_part_board")
        washer, partner_ru, partner_eu = (
            ref("demo_product_washer"),
            ref("demo_partner_ru"),
            ref("demo_partner_eu"),
        )
        lots = [ref(f"demo_lot_washer_0{i}") for i in (1, 2, 5, 6)]
        warehouse = self.env.ref("stock.warehouse0", raise_if_not_found=False)
        if not all((pump, belt, board, washer, partner_ru, partner_eu, warehouse, *lots)):
            return False
        # Demo data loads before the install hook sets up existing warehouses.
        warehouse._aftersales_setup_workshop()
        company = warehouse.company_id
        previous = company.aftersales_parts_issue
        company.aftersales_parts_issue = True

        def order(partner, lot, lines, **vals):
            values = {
                "partner_id": partner.id,
                "picking_type_id": warehouse.repair_type_id.id,
                "product_id": washer.id,
                "lot_id": lot.id,
                "move_ids": [
                    Command.create(
                        {"product_id": part.id, "product_uom_qty": qty, "repair_line_type": "add"}
                    )
                    for part, qty in lines
                ],
                **vals,
                "aftersales_on_site": True,
            }
            repair = self.create(values)
            repair._action_repair_confirm()
            return repair

        def validate(pickings):
            for picking in pickings:
                picking.move_ids.picked = True
                picking.with_context(skip_backorder=True).button_validate()

        # Fully consumed: issued, used, nothing left in the workshop.
        done = order(partner_ru, lots[0], [(pump, 1), (belt, 1)], under_warranty=True)
        validate(done._aftersales_issue_parts())
        done.action_repair_start()
        done.action_repair_end()
        # Partly issued: the warehouse handed over what it had, the rest is bought.
        stock = warehouse.lot_stock_id
        available = board.with_context(location=stock.id).free_qty
        partly = order(partner_eu, lots[2], [(board, available + 2), (belt, 1)])
        validate(partly._aftersales_issue_parts())
        partly.action_repair_start()
        # Waiting for parts: nothing left on the shelf for this board.
        order(partner_ru, lots[1], [(board, 1)])._aftersales_issue_parts()
        # Parts still to request.
        order(partner_eu, lots[3], [(pump, 1), (belt, 2)])
        company.aftersales_parts_issue = previous
        return True
