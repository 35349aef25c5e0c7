from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import float_compare, sql

# Set by the coverage override itself; written directly they must obey the same rule.
MANUAL_FIELDS = frozenset({"aftersales_coverage_overridden", "aftersales_coverage_manual"})


class StockMove(models.Model):
    """Service order parts: per-part coverage and the figures of the costs and shares;
    the moves of the customer's unit (intake, return, the host's repair move), which are
    not our stock; and warranty registration when goods are delivered. Parts issuing is in
    ``stock_move_parts.py``."""

    _inherit = "stock.move"

    # --- Warranty: registration on delivery, voiding on returns that end the sale ---
    # (parts issuing has its own override in stock_move_parts.py, chained by super())
    def _action_done(self, cancel_backorder=False):
        moves = super()._action_done(cancel_backorder=cancel_backorder)
        warranties = self.env["aftersales.warranty"]
        warranties._register_from_moves(moves)
        warranties._void_from_return_moves(moves)
        moves._aftersales_hand_over_units()
        return moves

    def _aftersales_hand_over_units(self):
        """A repaired unit's return delivery validated is its handover to the customer: the
        service days (claim to handover, art. 20 p. 3 Law 2300-1) are final and extend the
        warranty now, not when the repair ended."""
        returns = self.filtered(
            lambda m: m.state == "done" and m.picking_id.aftersales_purpose == "unit_return"
        ).picking_id
        for picking in returns:
            order = picking.aftersales_repair_id
            if order.state == "done" and order.aftersales_return_picking_id == picking:
                # Whoever ships the unit (a warehouse user) needs no rights on the order.
                order.sudo()._aftersales_extend_warranties_by_downtime(handover=picking.date_done)

    # --- Service orders: per-part coverage, costs, the customer's unit ---
    aftersales_coverage = fields.Float(
        string="Coverage (%)",
        compute="_compute_aftersales_coverage",
        store=True,
        readonly=False,
        precompute=True,
        digits=(5, 2),
        help="Share of this part the company pays under warranty (service order parts).",
    )
    aftersales_coverage_reason = fields.Char(string="Coverage Override Reason", copy=False)
    aftersales_coverage_overridden = fields.Boolean(copy=False)
    aftersales_coverage_manual = fields.Float(digits=(5, 2), copy=False)

    def _auto_init(self):
        # Add the stored computed column without recomputing every historical move.
        if not sql.column_exists(self.env.cr, "stock_move", "aftersales_coverage"):
            sql.create_column(self.env.cr, "stock_move", "aftersales_coverage", "numeric")
        return super()._auto_init()

    @api.depends(
        "repair_id.aftersales_parts_coverage",
        "aftersales_coverage_overridden",
        "aftersales_coverage_manual",
    )
    def _compute_aftersales_coverage(self):
        for move in self:
            if move.aftersales_coverage_overridden:
                move.aftersales_coverage = move.aftersales_coverage_manual
            else:
                move.aftersales_coverage = move.repair_id.aftersales_parts_coverage

    @api.constrains("aftersales_coverage", "product_uom_qty", "quantity")
    def _check_aftersales_repair_values(self):
        for move in self.filtered("repair_id"):
            if not 0.0 <= move.aftersales_coverage <= 100.0:
                raise ValidationError(self.env._("Part coverage must be between 0 and 100 %."))
            if move.product_uom_qty < 0 or move.quantity < 0:
                raise ValidationError(
                    self.env._("Service order parts cannot have negative quantities.")
                )

    def _aftersales_check_coverage_override(self, coverage, reason):
        """A part's coverage differing from its order's needs a manager and a reason."""
        self.env["repair.order"]._aftersales_check_override_rights(reason)
        for move in self:
            move.repair_id.message_post(
                body=self.env._(
                    "Coverage of part %(part)s set to %(coverage)s %%: %(reason)s",
                    part=move.product_id.display_name,
                    coverage=coverage,
                    reason=reason,
                )
            )

    def _aftersales_check_settled(self, repairs):
        settled = repairs.filtered(lambda r: r.state == "done" and r.aftersales_invoiced)
        if settled:
            raise UserError(
                self.env._(
                    "The parts of settled service order %(orders)s cannot change.",
                    orders=", ".join(settled.mapped("name")),
                )
            )

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if not vals.get("repair_id"):
                continue
            repair = self.env["repair.order"].browse(vals["repair_id"])
            if vals.get("repair_line_type"):
                self._aftersales_check_settled(repair)
            if MANUAL_FIELDS.intersection(vals) and "aftersales_coverage" not in vals:
                # The override's own fields, set directly: same rule as the coverage itself.
                self._aftersales_check_coverage_override(
                    vals.get("aftersales_coverage_manual") or 0.0,
                    vals.get("aftersales_coverage_reason"),
                )
            if (
                "aftersales_coverage" in vals
                and vals.get("repair_line_type")
                and float_compare(
                    vals["aftersales_coverage"] or 0.0,
                    repair.aftersales_parts_coverage,
                    precision_digits=2,
                )
            ):
                self._aftersales_check_coverage_override(
                    vals["aftersales_coverage"], vals.get("aftersales_coverage_reason")
                )
                vals["aftersales_coverage_overridden"] = True
                vals["aftersales_coverage_manual"] = vals["aftersales_coverage"]
            elif not vals.get("repair_line_type") and vals.get("move_line_ids"):
                # The host's move of the repaired unit: keep the customer as its owner.
                owner = repair._aftersales_unit_owner()
                for command in vals["move_line_ids"]:
                    if owner and command[0] == 0 and not command[2].get("owner_id"):
                        command[2]["owner_id"] = owner.id
        return super().create(vals_list)

    def write(self, vals):
        if MANUAL_FIELDS.intersection(vals) and "aftersales_coverage" not in vals:
            parts = self.filtered("repair_id")
            if parts:
                self._aftersales_check_settled(parts.repair_id)
                parts._aftersales_check_coverage_override(
                    vals.get("aftersales_coverage_manual", parts[:1].aftersales_coverage_manual),
                    vals.get("aftersales_coverage_reason"),
                )
        if "aftersales_coverage" in vals:
            changed = self.filtered(
                lambda m: (
                    m.repair_id
                    and float_compare(
                        m.aftersales_coverage,
                        vals["aftersales_coverage"] or 0.0,
                        precision_digits=2,
                    )
                )
            )
            if changed:
                self._aftersales_check_settled(changed.repair_id)
                changed._aftersales_check_coverage_override(
                    vals["aftersales_coverage"], vals.get("aftersales_coverage_reason")
                )
                vals = dict(
                    vals,
                    aftersales_coverage_overridden=True,
                    aftersales_coverage_manual=vals["aftersales_coverage"],
                )
        return super().write(vals)

    def _update_reserved_quantity(
        self, need, location_id, lot_id=None, package_id=None, owner_id=None, strict=True
    ):
        # Returning a repaired unit reserves exactly the customer's serial, and a claim's
        # replacement exactly the serial the manager chose, not the first unit the removal
        # strategy finds (re-pinning a reserved line afterwards ran the host's reservation
        # twice, issue 17).
        # Read through sudo: whoever reserves (a warehouse user checking availability, or
        # validating a receipt that triggers it) may have no rights on claims or orders.
        if not lot_id:
            picking = self.picking_id.sudo()
            if picking.aftersales_purpose == "unit_return":
                pinned = picking.aftersales_repair_id.lot_id
            elif picking.aftersales_purpose == "replacement":
                pinned = picking.aftersales_claim_id.replacement_lot_id
            else:
                pinned = None
            if pinned and pinned.product_id == self.product_id:
                lot_id = pinned.with_env(self.env)
        return super()._update_reserved_quantity(
            need,
            location_id,
            lot_id=lot_id,
            package_id=package_id,
            owner_id=owner_id,
            strict=strict,
        )

    def _skip_push(self):
        """The customer's unit is received exactly where its service order repairs it, and
        once repaired it waits there for its return delivery: the warehouse's push rules,
        meant for our own goods, must not carry it elsewhere."""
        return (
            super()._skip_push()
            or self.picking_id.aftersales_purpose == "intake"
            or bool(
                self.repair_id
                and not self.repair_line_type
                and self.repair_id.aftersales_intake_picking_id
            )
        )

    def _trigger_scheduler(self):
        """A customer's unit coming in for service or going back is not our stock: it never
        calls for replenishment."""
        unit_moves = self.filtered(
            lambda m: m.picking_id.aftersales_purpose in ("intake", "unit_return")
        )
        return super(StockMove, self - unit_moves)._trigger_scheduler()

    def _trigger_assign(self):
        """A customer's unit received for service is not stock we can hand out: receiving it
        must not make waiting moves of ours reserve it."""
        intake_moves = self.filtered(lambda m: m.picking_id.aftersales_purpose == "intake")
        return super(StockMove, self - intake_moves)._trigger_assign()

    def _aftersales_part_moves(self):
        """Parts added to a service order that count in its cost (not cancelled)."""
        return self.filtered(lambda m: m.repair_line_type == "add" and m.state != "cancel")

    def _aftersales_quantity(self):
        self.ensure_one()
        return self.quantity if self.state == "done" else self.product_uom_qty

    def _aftersales_cost(self):
        """Stock valuation of the consumed part; the product cost until it is consumed."""
        self.ensure_one()
        if self.state == "done":
            return -sum(self.sudo().stock_valuation_layer_ids.mapped("value"))
        product = self.product_id.with_company(self.company_id)
        return (
            self.product_uom._compute_quantity(self.product_uom_qty, product.uom_id)
            * product.standard_price
        )

    def _aftersales_price_unit(self):
        """Sale price of the part in the order's pricing currency (its pricelist's)."""
        self.ensure_one()
        if self.repair_id:
            return self.repair_id._aftersales_sale_price(
                self.product_id, self._aftersales_quantity(), self.product_uom
            )
        product = self.product_id.with_company(self.company_id)
        return product.uom_id._compute_price(product.lst_price, self.product_uom)

    def _aftersales_price(self):
        """The part at sale price, in the company currency (the order's figures)."""
        self.ensure_one()
        price = self._aftersales_quantity() * self._aftersales_price_unit()
        if self.repair_id:
            return self.repair_id._aftersales_to_company_currency(price)
        return price
