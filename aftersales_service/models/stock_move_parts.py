from collections import defaultdict
from datetime import timedelta

import psycopg2

from odoo import Command, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import float_compare, float_is_zero, float_round


class StockMoveParts(models.Model):
    """Parts issuing: issue/return moves between stock and the workshop for service orders.

    An issue move is chained to the service order's part move (``move_dest_ids``), so the
    host's chained reservation makes the order consume exactly what was issued to it, lots
    included; a return move is chained to the issue moves, so the host reserves what they
    brought minus what the order consumed.
    """

    _inherit = "stock.move"  # pylint: disable=consider-merging-classes-inherited

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

    def _action_done(self, cancel_backorder=False):
        self._aftersales_check_parts_transfer()
        self._aftersales_check_consumed_within_issued()
        moves = super()._action_done(cancel_backorder=cancel_backorder)
        moves._aftersales_store_consumed_cost()
        return moves

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
            lambda m: (
                m.repair_id
                and m.repair_line_type == "add"
                and m.product_id.is_storable
                and m.repair_id.aftersales_parts_issue_mode
            )
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

    # Procurement (called by repair.order._aftersales_procure_missing) -----------------------

    @api.model
    def _aftersales_procurement_warehouse(self, move):
        """Warehouse whose forecast a move draws on: an issue move's own, a part line's
        order's (the host leaves ``warehouse_id`` empty on repair moves)."""
        return move.warehouse_id or move.repair_id.picking_type_id.warehouse_id

    @api.model
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
            lambda m: (
                m.state in ("confirmed", "partially_available")
                and m.procure_method == "make_to_stock"
            )
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
            if (
                not rule
                or rule.action != "buy"
                or not product._select_seller(quantity=shortage, uom_id=product.uom_id)
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
            # A part line or an issue bought whole leaves an empty move: drop it (no
            # zero-demand line on the order nor on the issue transfer).
            emptied = moves.filtered(
                lambda m: (
                    (m.repair_id or m.aftersales_parts_role == "issue")
                    and float_is_zero(m.product_uom_qty, precision_rounding=m.product_uom.rounding)
                )
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
            lambda m: (
                m.aftersales_parts_role == "issue"
                and m.state not in ("done", "cancel")
                and not m.aftersales_over_issue
            )
        )
        returns = self.filtered(
            lambda m: m.aftersales_parts_role == "return" and m.state not in ("done", "cancel")
        )
        if issues and not self._aftersales_parts_override():
            issues._aftersales_check_over_issue()
        if returns:
            returns._aftersales_check_over_return()

    def _aftersales_check_consumed_within_issued(self):
        """An order consumes from the workshop only what was issued to it.

        The workshop holds the parts issued to every order; a part line raised above what
        was issued to its order (less what went back and what it already consumed) would
        otherwise take another order's parts. The difference must be requested (*Request
        Parts* issues it) before the order can consume it.
        """
        lines = self.filtered(
            lambda m: (
                m.repair_id
                and m.repair_line_type == "add"
                and m.state not in ("done", "cancel")
                and m.product_id.is_storable
                and m.location_id.warehouse_id.aftersales_workshop_location_id == m.location_id
            )
        )
        if not lines:
            return
        available = lines.repair_id._aftersales_returnable_quantities()
        consumed = defaultdict(float)
        for line in lines:
            consumed[(line.repair_id, line.product_id)] += line._aftersales_product_qty(
                line.quantity
            )
        for (repair, product), qty in consumed.items():
            issued = available.get((repair.id, product.id), 0.0)
            if float_compare(qty, issued, precision_rounding=product.uom_id.rounding) > 0:
                raise UserError(
                    self.env._(
                        "%(order)s consumes %(qty)s %(uom)s of %(part)s but only %(issued)s "
                        "were issued to it and not used or returned; the workshop's other "
                        "parts belong to other orders. Request the difference from the "
                        "warehouse (Request Parts) and consume it once issued.",
                        order=repair.display_name,
                        qty=qty,
                        uom=product.uom_id.name,
                        part=product.display_name,
                        issued=max(issued, 0.0),
                    )
                )

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
        (self - waiting).filtered(
            lambda m: m.aftersales_parts_role == "issue"
        )._aftersales_lock_source_quants()
        return super(StockMoveParts, self - waiting)._action_assign(force_qty=force_qty)

    def _aftersales_lock_source_quants(self):
        """Lock the quants the issue moves reserve against, or refuse at once.

        The host picks the quant to reserve on with ``SKIP LOCKED``: while another
        transaction reserves the last unit (its quant row locked, not yet committed), a
        second one skips that quant, still sees the unit free in its snapshot and reserves it
        on a new quant — two orders holding the last unit, stock at -1 once both are
        validated. Locking the candidate quants first (``NOWAIT``) makes the second one stop
        with a clear message; retried, it sees the first reservation.
        """
        moves = self.filtered(lambda m: m.state not in ("draft", "done", "cancel"))
        if not moves:
            return
        paths = tuple({f"{loc.parent_path}%" for loc in moves.location_id})
        try:
            with self.env.cr.savepoint(flush=False):
                self.env.cr.execute(
                    """
                    SELECT quant.id
                      FROM stock_quant quant
                      JOIN stock_location location ON location.id = quant.location_id
                     WHERE quant.product_id IN %s
                       AND location.parent_path LIKE ANY(%s)
                       FOR NO KEY UPDATE OF quant NOWAIT
                    """,
                    [tuple(moves.product_id.ids), list(paths)],
                )
        except psycopg2.errors.LockNotAvailable:
            raise UserError(
                self.env._(
                    "%(parts)s are being reserved by another transfer right now; try again "
                    "in a moment.",
                    parts=", ".join(moves.product_id.mapped("display_name")),
                )
            ) from None

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
