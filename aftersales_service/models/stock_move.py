from collections import defaultdict
from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import float_compare, sql


class StockMove(models.Model):
    _inherit = "stock.move"

    # --- Warranty: registration on delivery, voiding on returns that end the sale ---
    # (other features: add your call here rather than a second _action_done in this class)
    def _action_done(self, cancel_backorder=False):
        self._aftersales_check_parts_transfer()
        moves = super()._action_done(cancel_backorder=cancel_backorder)
        warranties = self.env["aftersales.warranty"]
        warranties._register_from_moves(moves)
        warranties._void_from_return_moves(moves)
        moves._aftersales_store_consumed_cost()
        return moves

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

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if not vals.get("repair_id"):
                continue
            repair = self.env["repair.order"].browse(vals["repair_id"])
            if "aftersales_coverage" in vals and vals.get("repair_line_type") and float_compare(
                vals["aftersales_coverage"] or 0.0,
                repair.aftersales_parts_coverage,
                precision_digits=2,
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
        if "aftersales_coverage" in vals:
            changed = self.filtered(
                lambda m: m.repair_id
                and float_compare(
                    m.aftersales_coverage, vals["aftersales_coverage"] or 0.0, precision_digits=2
                )
            )
            if changed:
                if changed.repair_id.filtered("aftersales_invoiced"):
                    raise UserError(
                        self.env._("The parts of an invoiced service order cannot change.")
                    )
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
        # Returning a repaired unit reserves exactly the customer's serial, not any unit.
        if not lot_id and self.picking_id.aftersales_purpose == "unit_return":
            lot_id = self.picking_id.aftersales_repair_id.lot_id or lot_id
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
        return self.product_uom._compute_quantity(
            self.product_uom_qty, product.uom_id
        ) * product.standard_price

    def _aftersales_price_unit(self):
        self.ensure_one()
        product = self.product_id.with_company(self.company_id)
        return product.uom_id._compute_price(product.lst_price, self.product_uom)

    def _aftersales_price(self):
        self.ensure_one()
        return self._aftersales_quantity() * self._aftersales_price_unit()


class StockMoveParts(models.Model):
    """Parts issuing: issue/return moves between stock and the workshop for service orders.

    An issue move is chained to the service order's part move (``move_dest_ids``), so the
    host's chained reservation makes the order consume exactly what was issued to it, lots
    included; a return move is chained to the issue moves, so the host reserves what they
    brought minus what the order consumed.
    """

    _inherit = "stock.move"

    # --- Parts issuing ---
    aftersales_parts_repair_id = fields.Many2one(
        "repair.order",
        string="Parts for Service Order",
        index="btree_not_null",
        copy=False,
        readonly=True,
        help="The service order this move issues parts to, or returns unused parts from.",
    )
    aftersales_parts_role = fields.Selection(
        [("issue", "Parts Issue"), ("return", "Parts Return")],
        string="Parts Transfer Role",
        copy=False,
        readonly=True,
    )
    aftersales_over_issue = fields.Boolean(
        string="Over-Issue Approved",
        copy=False,
        readonly=True,
        help="Set when an after-sales manager approved issuing more than planned.",
    )
    aftersales_parts_cost = fields.Float(
        string="Consumed Cost",
        digits="Product Price",
        copy=False,
        readonly=True,
        help="Stock valuation of a consumed service order part, kept on the move for the "
        "parts report.",
    )
    # Per part of a service order (the order's own part moves)
    aftersales_qty_issued = fields.Float(
        string="Issued",
        compute="_compute_aftersales_parts_issue",
        digits="Product Unit of Measure",
    )
    aftersales_qty_missing = fields.Float(
        string="Missing",
        compute="_compute_aftersales_parts_issue",
        digits="Product Unit of Measure",
        help="Planned, neither issued nor reserved for issue.",
    )
    aftersales_date_expected = fields.Datetime(
        string="Expected",
        compute="_compute_aftersales_parts_issue",
        help="When the missing quantity is expected: the receipt or purchase it waits for, "
        "else the host's forecast.",
    )

    def _aftersales_is_part_line(self):
        self.ensure_one()
        return bool(self.repair_id and self.repair_line_type == "add")

    def _aftersales_issue_moves(self):
        """The live issue moves feeding these part moves."""
        return self.move_orig_ids.filtered(
            lambda m: m.aftersales_parts_role == "issue" and m.state != "cancel"
        )

    def _aftersales_product_qty(self, quantity):
        self.ensure_one()
        return self.product_uom._compute_quantity(
            quantity, self.product_id.uom_id, rounding_method="HALF-UP"
        )

    def _aftersales_issue_figures(self):
        """(issued done, pending demand, pending reserved) in the product's unit."""
        self.ensure_one()
        done = pending = reserved = 0.0
        for issue in self._aftersales_issue_moves():
            if issue.state == "done":
                done += issue._aftersales_product_qty(issue.quantity)
            else:
                pending += issue.product_qty
                reserved += issue._aftersales_product_qty(issue.quantity)
        return done, pending, reserved

    @api.depends(
        "move_orig_ids.state",
        "move_orig_ids.quantity",
        "move_orig_ids.product_uom_qty",
        "product_uom_qty",
        "state",
    )
    def _compute_aftersales_parts_issue(self):
        self.aftersales_qty_issued = 0.0
        self.aftersales_qty_missing = 0.0
        self.aftersales_date_expected = False
        lines = self.filtered(
            lambda m: m.repair_id
            and m.repair_line_type == "add"
            and m.product_id.is_storable
            and m.repair_id.aftersales_parts_issue_mode
        )
        for move in lines:
            done, _pending, reserved = move._aftersales_issue_figures()
            uom = move.product_id.uom_id
            move.aftersales_qty_issued = uom._compute_quantity(done, move.product_uom)
            if move.state in ("done", "cancel"):
                continue
            missing = max(move.product_qty - done - reserved, 0.0)
            move.aftersales_qty_missing = uom._compute_quantity(missing, move.product_uom)
            if float_compare(missing, 0.0, precision_rounding=uom.rounding) <= 0:
                continue
            waiting = move._aftersales_issue_moves().filtered(lambda m: m.state != "done")
            dates = waiting.move_orig_ids.filtered(
                lambda m: m.state not in ("done", "cancel")
            ).mapped("date") + [
                move._aftersales_purchase_date(line) for line in waiting.created_purchase_line_ids
            ]
            move.aftersales_date_expected = max(dates) if dates else move.forecast_expected_date

    def _aftersales_store_consumed_cost(self):
        """Keep the valuation of consumed parts on their move (the parts report sums it
        without joining the valuation layers)."""
        consumed = self.filtered(
            lambda m: m.repair_id and m.repair_line_type == "add" and m.state == "done"
        )
        if not consumed:
            return
        values = dict(
            self.env["stock.valuation.layer"]
            .sudo()
            ._read_group([("stock_move_id", "in", consumed.ids)], ["stock_move_id"], ["value:sum"])
        )
        for move in consumed:
            cost = -values.get(move, 0.0)
            if move.aftersales_parts_cost != cost:
                move.aftersales_parts_cost = cost

    def _aftersales_purchase_date(self, line):
        """When a requested purchase line can arrive: its planned date, not earlier than
        today plus the vendor's lead time while the request is not yet confirmed."""
        if line.state in ("purchase", "done"):
            return line.date_planned
        seller = line.product_id._select_seller(
            partner_id=line.partner_id, quantity=line.product_qty, uom_id=line.product_uom
        )
        earliest = fields.Datetime.now() + timedelta(days=seller.delay or 0)
        return max(line.date_planned or earliest, earliest)

    # Validation guards ---------------------------------------------------------------------

    def _aftersales_parts_override(self):
        """A manager may issue more than planned by passing ``aftersales_parts_override``."""
        return bool(
            self.env.context.get("aftersales_parts_override")
            and self.env.user.has_group("aftersales_service.group_aftersales_manager")
        )

    def _aftersales_check_parts_transfer(self):
        """Refuse to issue more than planned or to return more than was issued and unused."""
        issues = self.filtered(
            lambda m: m.aftersales_parts_role == "issue"
            and m.state not in ("done", "cancel")
            and not m.aftersales_over_issue
        )
        returns = self.filtered(
            lambda m: m.aftersales_parts_role == "return" and m.state not in ("done", "cancel")
        )
        if issues and not self._aftersales_parts_override():
            issues._aftersales_check_over_issue()
        if returns:
            returns._aftersales_check_over_return()

    def _aftersales_check_over_issue(self):
        new_qty = defaultdict(float)
        for issue in self:
            for line in issue.move_dest_ids.filtered(lambda m: m.repair_line_type == "add")[:1]:
                new_qty[line] += issue._aftersales_product_qty(issue.quantity)
        for line, qty in new_qty.items():
            done = sum(
                m._aftersales_product_qty(m.quantity)
                for m in line._aftersales_issue_moves()
                if m.state == "done"
            )
            rounding = line.product_id.uom_id.rounding
            if float_compare(done + qty, line.product_qty, precision_rounding=rounding) > 0:
                raise UserError(
                    self.env._(
                        "%(order)s: issuing %(qty)s %(uom)s of %(part)s would exceed the "
                        "planned %(planned)s; only an after-sales manager can approve it.",
                        order=line.repair_id.display_name,
                        qty=done + qty,
                        uom=line.product_id.uom_id.name,
                        part=line.product_id.display_name,
                        planned=line.product_qty,
                    )
                )

    def _aftersales_check_over_return(self):
        repairs = self.aftersales_parts_repair_id
        returnable = repairs._aftersales_returnable_quantities(exclude_moves=self)
        asked = defaultdict(float)
        for move in self:
            asked[(move.aftersales_parts_repair_id, move.product_id)] += (
                move._aftersales_product_qty(move.quantity)
            )
        for (repair, product), qty in asked.items():
            available = returnable.get((repair.id, product.id), 0.0)
            if float_compare(qty, available, precision_rounding=product.uom_id.rounding) > 0:
                raise UserError(
                    self.env._(
                        "%(order)s: %(qty)s %(uom)s of %(part)s cannot go back to stock, "
                        "only %(available)s were issued and not used.",
                        order=repair.display_name,
                        qty=qty,
                        uom=product.uom_id.name,
                        part=product.display_name,
                        available=available,
                    )
                )

    # Host hooks ----------------------------------------------------------------------------

    def _aftersales_awaits_issue(self):
        """A service order part that must come through an issue before it can be reserved."""
        self.ensure_one()
        return bool(
            self.repair_id
            and self.repair_line_type == "add"
            and not self.move_orig_ids
            and self.product_id.is_storable
            and self.location_id.warehouse_id.aftersales_workshop_location_id == self.location_id
        )

    def _action_assign(self, force_qty=False):
        # Parts of an order are reserved in the workshop only from what was issued to that
        # order (the chain); never from parts lying there for other orders.
        waiting = self.filtered(
            lambda m: m.repair_id and m.repair_line_type == "add" and m._aftersales_awaits_issue()
        )
        return super(StockMoveParts, self - waiting)._action_assign(force_qty=force_qty)

    def _prepare_move_split_vals(self, qty):
        vals = super()._prepare_move_split_vals(qty)
        if self.aftersales_parts_role:
            # Backorders of an issue or return stay linked to their service order.
            vals.update(
                aftersales_parts_repair_id=self.aftersales_parts_repair_id.id,
                aftersales_parts_role=self.aftersales_parts_role,
                aftersales_over_issue=self.aftersales_over_issue,
            )
        return vals
