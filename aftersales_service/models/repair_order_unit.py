import psycopg2

from odoo import Command, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import OrderedSet, float_compare


class RepairOrderUnit(models.Model):
    """Intake and return of the customer's unit: the receipt that brings it into the
    warehouse's "Units in Service" location (still the customer's property, never our
    stock), its delivery back when the order is done or cancelled, on-site orders that never
    move it, and the service days added to warranties that extend by downtime."""

    _inherit = "repair.order"  # pylint: disable=consider-merging-classes-inherited

    # Intake and return of the customer's unit
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

    # ------------------------------------------------------------------------------------
    # Where the unit is: an on-site unit never leaves the customer
    # ------------------------------------------------------------------------------------

    @api.depends("picking_type_id", "aftersales_on_site")
    def _compute_product_location_src_id(self):
        """An on-site unit never leaves the customer: the host's move of the repaired unit
        goes from the customer location to itself, leaving our stock untouched."""
        res = super()._compute_product_location_src_id()
        for order in self:
            if order.aftersales_on_site:
                order.product_location_src_id = order._aftersales_customer_location()
            elif order._aftersales_service_location():
                order.product_location_src_id = order._aftersales_service_location()
        return res

    @api.depends("picking_type_id", "aftersales_on_site")
    def _compute_product_location_dest_id(self):
        res = super()._compute_product_location_dest_id()
        for order in self:
            if order.aftersales_on_site:
                order.product_location_dest_id = order._aftersales_customer_location()
            elif order._aftersales_service_location():
                order.product_location_dest_id = order._aftersales_service_location()
        return res

    def _aftersales_service_location(self):
        """Where the customer's unit waits and is repaired: the warehouse's "Units in
        Service" location, outside its stock (a customer's unit is never ours to sell,
        reserve or count; see ``product.product._get_domain_locations_new``). The product
        locations stay editable, e.g. to repair one of our own units in stock."""
        self.ensure_one()
        return self.picking_type_id.warehouse_id.aftersales_service_location_id

    def _aftersales_customer_location(self):
        self.ensure_one()
        return self.partner_id.with_company(
            self.company_id
        ).property_stock_customer or self.env.ref("stock.stock_location_customers")

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
        return self._prepare_aftersales_unit_move_line_vals(picking, move_vals, self.partner_id.id)

    def _prepare_aftersales_unit_move_line_vals(self, picking, move_vals, owner_id):
        """Detailed line moving the order's serial as ``move_vals`` moves it, owned by
        ``owner_id`` (the intake and the return of the unit)."""
        self.ensure_one()
        return {
            "picking_id": picking.id,
            "product_id": move_vals["product_id"],
            "product_uom_id": move_vals["product_uom"],
            "quantity": move_vals["product_uom_qty"],
            "lot_id": self.lot_id.id,
            "owner_id": owner_id,
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
        moves_vals = [[command[2] for command in vals.pop("move_ids", [])] for vals in vals_list]
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

    def _aftersales_lock_orders(self):
        """The orders of ``self`` once each (an RPC call may repeat an id: ``[[7, 7]]``),
        locked for this transaction, with their cached values dropped so every check made
        after this call sees the state as of the lock.

        ``NOWAIT``: while another request works on one of them, this one is refused with a
        clear message instead of waiting and then repeating what the other one did; a request
        that started before the other one committed fails to serialize on the row it updated
        and Odoo retries it, when it sees the other one's documents.
        """
        orders = self.browse(OrderedSet(self.ids))
        if not orders.ids:
            return orders
        try:
            with self.env.cr.savepoint(flush=False):
                self.env.cr.execute(
                    "SELECT id FROM repair_order WHERE id IN %s FOR NO KEY UPDATE NOWAIT",
                    [tuple(orders.ids)],
                )
        except psycopg2.errors.LockNotAvailable:
            raise UserError(
                self.env._(
                    "Another user is working on %(orders)s right now; try again in a moment.",
                    orders=", ".join(orders.mapped("display_name")),
                )
            ) from None
        orders.invalidate_recordset()
        return orders

    def action_aftersales_create_intake(self):
        """Create the receipt that brings the customer's unit in (serial set)."""
        # The guard's lock (no savepoint, re-reads nothing that did not change): two
        # requests never give the same order two intakes.
        orders = self._aftersales_lock(no_key=True)
        if len(orders) != len(self):
            return orders.action_aftersales_create_intake()
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

    def _prepare_aftersales_return_move_line_vals(self, picking, move_vals):
        """Detailed line of the return of a done order: the unit the host's repair move has
        just put at the return's source, with its serial and owner. Given at creation, the
        line reserves that very quant (``stock.move.line.create``) and the host's
        reservation finds the move already reserved, instead of searching the location for
        it (three queries less).

        Only when that exact quant holds the unit (the source itself, no package, the
        customer as owner): a line reserves without checking and, on no such quant, would
        reserve an empty one, so a unit put away in a bin or a pack since would be shown
        ready to go while it is elsewhere. Otherwise, and for a cancelled order (its unit
        may have moved since its intake), the host's reservation looks for it."""
        self.ensure_one()
        if self.state != "done":
            return []
        product = self.env["product.product"].browse(move_vals["product_id"])
        uom = self.env["uom.uom"].browse(move_vals["product_uom"])
        quantity = uom._compute_quantity(move_vals["product_uom_qty"], product.uom_id)
        available = (
            self.env["stock.quant"]
            .sudo()
            ._get_available_quantity(
                product,
                self.env["stock.location"].browse(move_vals["location_id"]),
                lot_id=self.lot_id,
                owner_id=self.env["res.partner"].browse(move_vals["restrict_partner_id"]),
                strict=True,
            )
        )
        if float_compare(available, quantity, precision_rounding=product.uom_id.rounding) < 0:
            return []
        return [
            self._prepare_aftersales_unit_move_line_vals(
                picking, move_vals, move_vals["restrict_partner_id"]
            )
        ]

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
            [order._prepare_aftersales_return_picking_vals() for order in orders],
            line_vals=lambda order, picking, move_vals: (
                order._prepare_aftersales_return_move_line_vals(picking, move_vals)
            ),
        )
        # A done order's unit is reserved by its detailed line (above); a cancelled one's by
        # the host's reservation, which takes the order's serial (see
        # stock.move._update_reserved_quantity).
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
        """The day the consumer claimed (art. 20 p. 3 Law 2300-1): the claim's date
        received, else the unit's intake, else the order's creation."""
        self.ensure_one()
        start = (
            self.aftersales_claim_id.date_received
            or self.aftersales_intake_picking_id.date_done
            or self.create_date
        )
        return fields.Date.context_today(self, start)

    def _aftersales_extend_warranties_by_downtime(self, handover=None):
        """Add the days the unit spent in service (claim to handover) to the layers that
        extend by downtime. Called once, when the repaired unit is handed back."""
        end = fields.Date.context_today(self, handover) if handover else None
        end = end or fields.Date.context_today(self)
        for order in self:
            order._aftersales_action_env().aftersales_downtime_days = max(
                (end - order._aftersales_downtime_start()).days, 0
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
    # Smart buttons
    # ------------------------------------------------------------------------------------

    def action_aftersales_view_intake(self):
        self.ensure_one()
        return self._aftersales_open_record(self.aftersales_intake_picking_id)

    def action_aftersales_view_return(self):
        self.ensure_one()
        return self._aftersales_open_record(self.aftersales_return_picking_id)
