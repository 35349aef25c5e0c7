from collections import defaultdict

from odoo import Command, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import float_compare


class RepairOrderParts(models.Model):
    """Parts issuing: the warehouse issues an order's parts to the workshop, the order consumes
    them from there, and what was not used goes back to stock.

    Active for orders whose component source is their warehouse's workshop location, which
    is what new orders get while the company setting ``aftersales_parts_issue`` is on.
    """

    _inherit = "repair.order"  # pylint: disable=consider-merging-classes-inherited

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
            lambda m: (
                m.repair_line_type == "add"
                and m.product_id.is_storable
                and m.state not in ("done", "cancel")
            )
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
        """Orders whose parts are in the given status; orders not issuing parts, not open or
        without parts to issue have none (``False``: the UI's "is not set").

        Takes what the UI sends: ``=``/``!=`` a status or ``False`` ("is (not) set"), and
        ``in``/``not in`` a list of them.
        """
        if operator not in ("=", "!=", "in", "not in"):
            raise UserError(
                self.env._(
                    "The parts status can be searched with =, !=, in or not in, not %(op)s.",
                    op=operator,
                )
            )
        values = set(value) if isinstance(value, list | tuple | set) else {value}
        values = {v or False for v in values}
        workshops = (
            self.env["stock.warehouse"]
            .with_context(active_test=False)
            .search([("aftersales_workshop_location_id", "!=", False)])
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
            if False in values:  # every order outside the candidates has no status
                return ["|", ("id", "in", matching.ids), ("id", "not in", candidates.ids)]
            return [("id", "in", matching.ids)]
        if False in values:
            return [("id", "in", (candidates - matching).ids)]
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
        orders = self._aftersales_lock_orders()
        if len(orders) != len(self):
            return orders.action_aftersales_issue_parts()
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
        # Each order once, locked, then checked: a repeated id issues once, and a second
        # request for the same order at the same time is refused (see
        # ``_aftersales_lock_orders``); the figures below are read after the lock.
        orders = self._aftersales_lock_orders()
        if len(orders) != len(self):
            return orders._aftersales_issue_parts(quantities)
        self._aftersales_check_can_issue()
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

    # Procurement ----------------------------------------------------------------------------

    def _aftersales_procure_missing(self, moves):
        """Buy what issue moves or direct part lines cannot get from stock nor from goods
        already on their way (see ``stock.move._aftersales_procure_missing``)."""
        return self.env["stock.move"]._aftersales_procure_missing(moves)

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
