from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import float_compare

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
    """The service order: the host's repair order with the warranty coverage it works under,
    the checks on changing it, and the workflow hooks. Its other concerns live next door:
    the customer's unit in ``repair_order_unit.py``, costs, invoice and warranty entry in
    ``repair_order_billing.py``, parts issuing in ``repair_order_parts.py``."""

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
        string="Labor Coverage (%)",
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

    # Where the unit is repaired
    aftersales_on_site = fields.Boolean(
        string="On Site",
        help="The unit is repaired at the customer's: no intake and no return transfer.",
    )

    # What can be done now (the can computes below)
    aftersales_can_create_intake = fields.Boolean(compute="_compute_aftersales_can")
    aftersales_can_invoice = fields.Boolean(compute="_compute_aftersales_can")
    can_aftersales_request_parts = fields.Boolean(compute="_compute_can_aftersales_request_parts")

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
            lambda m: (
                m.procure_method == "make_to_stock"
                and m.state in ("confirmed", "partially_available")
                and float_compare(
                    m.forecast_availability,
                    m.product_qty,
                    precision_rounding=m.product_id.uom_id.rounding,
                )
                < 0
            )
        )

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
        """Confirm the orders; an on-site unit is not in our stock: skip the host's
        availability check for it.

        The host's method takes one order (``ensure_one``: it may answer with the
        "insufficient quantity" wizard of that order). Several orders (a list view's action,
        an RPC client) are confirmed one by one through it; when one of them lacks the unit
        to repair, nothing is confirmed and the error names the orders to validate alone
        (the wizard decides for one order at a time)."""
        on_site = self.filtered("aftersales_on_site")
        others = self - on_site
        if len(others) <= 1:
            res = on_site._action_repair_confirm() if on_site else True
            return super(RepairOrder, others).action_validate() if others else res
        if on_site:
            on_site._action_repair_confirm()
        missing = self.browse()
        for order in others:
            if isinstance(super(RepairOrder, order).action_validate(), dict):
                missing |= order
        if missing:
            raise UserError(
                self.env._(
                    "The unit to repair is not available for %(orders)s: validate each of them "
                    "on its own to decide what to do.",
                    orders=", ".join(missing.mapped("name")),
                )
            )
        return True

    def _action_repair_confirm(self):
        # Orders consuming parts straight from stock (no workshop issue) ask the vendors for
        # what the warehouse cannot cover, when confirmed (or on request, below).
        drafts = self.filtered(lambda r: r.state == "draft")
        res = super()._action_repair_confirm()
        direct = drafts.filtered(
            lambda r: r.state == "confirmed" and not r.aftersales_parts_issue_mode
        )
        if direct:
            self._aftersales_procure_missing(direct._aftersales_part_lines())
        return res

    def action_repair_done(self):
        res = super().action_repair_done()
        done = self.filtered(lambda order: order.state == "done")
        if done:
            done._aftersales_create_return_pickings()
            # A unit going back through a return delivery is handed over when that delivery
            # is validated (stock.move._action_done); one repaired on site, now.
            done.filtered(
                lambda o: not o.aftersales_return_picking_id
            )._aftersales_extend_warranties_by_downtime()
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
    # Parts straight from stock (direct procurement)
    # ------------------------------------------------------------------------------------

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
