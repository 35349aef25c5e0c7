# Copyright 2026 aftersales_service authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import date

from odoo import api, fields, models
from odoo.exceptions import UserError

from ..rules import warranty_dates


class StockLot(models.Model):
    _inherit = "stock.lot"

    # Warranty
    aftersales_warranty_ids = fields.One2many(
        "aftersales.warranty", "lot_id", string="Warranties", readonly=True
    )
    aftersales_warranty_count = fields.Integer(
        compute="_compute_aftersales_warranty", string="Warranty Layers"
    )
    aftersales_in_warranty = fields.Boolean(
        compute="_compute_aftersales_warranty",
        search="_search_aftersales_in_warranty",
        string="In Warranty",
        help="A live warranty layer covers today.",
    )
    aftersales_warranty_date_end = fields.Date(
        compute="_compute_aftersales_warranty",
        search="_search_aftersales_warranty_date_end",
        string="Warranty Until",
        help="Latest end date among the serial's live layers.",
    )
    aftersales_owner_id = fields.Many2one(
        "res.partner",
        compute="_compute_aftersales_warranty",
        search="_search_aftersales_owner_id",
        string="Owner",
        help="Owner of the serial's live warranties.",
    )
    aftersales_parts_coverage = fields.Float(
        compute="_compute_aftersales_warranty", string="Parts Covered (%)"
    )
    aftersales_labor_coverage = fields.Float(
        compute="_compute_aftersales_warranty", string="Labor Covered (%)"
    )
    aftersales_logistics_coverage = fields.Float(
        compute="_compute_aftersales_warranty", string="Logistics Covered (%)"
    )

    def _compute_aftersales_warranty(self):
        # One query for the whole list of serials.
        today = fields.Date.context_today(self)
        layers = self.env["aftersales.warranty"].search_fetch(
            [("lot_id", "in", self.ids), ("state", "!=", "void")],
            [
                "lot_id",
                "partner_id",
                "state",
                "transferable",
                "date_start",
                "date_end",
                "parts_coverage",
                "labor_coverage",
                "logistics_coverage",
            ],
            order="date_end desc, id desc",
        )
        by_lot = layers.grouped("lot_id")
        for lot in self:
            lot_layers = by_lot.get(lot, layers.browse())
            owner = self._aftersales_current_owner(lot_layers)
            valid = lot_layers.filtered(
                lambda w, o=owner: (
                    w.partner_id == o
                    and warranty_dates.is_valid_on(w.date_start, w.date_end, today, w.state)
                )
            )
            lot.aftersales_warranty_count = len(lot_layers)
            lot.aftersales_in_warranty = bool(valid)
            lot.aftersales_warranty_date_end = max(lot_layers.mapped("date_end"), default=False)
            lot.aftersales_owner_id = owner
            lot.aftersales_parts_coverage = max(valid.mapped("parts_coverage"), default=0.0)
            lot.aftersales_labor_coverage = max(valid.mapped("labor_coverage"), default=0.0)
            lot.aftersales_logistics_coverage = max(valid.mapped("logistics_coverage"), default=0.0)

    @api.model
    def _aftersales_current_owner(self, layers):
        """The current owner of a serial, from its live ``layers`` (latest end first).

        At registration every layer of a sale has the buyer as owner; a transfer moves the
        transferable layers only, the others stay with the previous owner. So the owner of
        the transferable layers is the current one; a serial without transferable layers
        never changed hands and its layers' owner is the owner.
        """
        transferable = layers.filtered("transferable")
        return (transferable or layers)[:1].partner_id

    def _search_aftersales_in_warranty(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            raise UserError(self.env._("Operation not supported."))
        today = fields.Date.context_today(self)
        valid = [("state", "!=", "void"), ("date_start", "<=", today), ("date_end", ">=", today)]
        op = "any" if (operator == "=") == value else "not any"
        return [("aftersales_warranty_ids", op, valid)]

    def _search_aftersales_warranty_date_end(self, operator, value):
        return [
            (
                "aftersales_warranty_ids",
                "any",
                [("state", "!=", "void"), ("date_end", operator, value)],
            )
        ]

    def _search_aftersales_owner_id(self, operator, value):
        # Same rule as _aftersales_current_owner: the owner of the live transferable layers,
        # else (no transferable layer) of the live layers.
        live = [("state", "!=", "void")]
        transferable = [*live, ("transferable", "=", True)]
        return [
            "|",
            ("aftersales_warranty_ids", "any", [*transferable, ("partner_id", operator, value)]),
            "&",
            ("aftersales_warranty_ids", "not any", transferable),
            ("aftersales_warranty_ids", "any", [*live, ("partner_id", operator, value)]),
        ]

    def _compute_sale_order_ids(self):
        # The front desk (salesmen limited to their own orders) opens serials sold by
        # colleagues: the host's compute would raise on the others' orders. Compute as
        # superuser and show only the orders the user may read.
        res = super(StockLot, self.sudo())._compute_sale_order_ids()
        for lot in self:
            orders = lot.sudo().sale_order_ids.with_env(self.env)._filtered_access("read")
            lot.sale_order_ids = orders
            lot.sale_order_count = len(orders)
        return res

    # Public API

    def aftersales_get_coverage(self, on_date=None):
        """Coverage of this serial for its current owner on ``on_date`` (default today), in
        one query whatever the number of serials.

        :return: for one serial, dict ``in_warranty``, ``parts``, ``labor``, ``logistics``
            (best percent among the layers valid on that date), ``date_end`` (latest end
            among them or False) and ``warranty_ids`` (those layers). A layer is valid when
            it is not void and ``date_start <= on_date <= date_end``, and counts when it
            belongs to the serial's current owner: after a transfer, the new owner has the
            transferable layers only (the others stay the previous owner's, see
            ``aftersales_transfer``). For several serials (or none), a dict of such dicts
            keyed by serial id.
        """
        if on_date and not isinstance(on_date, date | str):
            raise UserError(self.env._("The coverage date must be a date (YYYY-MM-DD)."))
        try:
            on_date = fields.Date.to_date(on_date) if on_date else None
        except ValueError as error:
            raise UserError(self.env._("The coverage date must be a date (YYYY-MM-DD).")) from error
        on_date = on_date or fields.Date.context_today(self)
        layers = self.env["aftersales.warranty"].search_fetch(
            [("lot_id", "in", self.ids), ("state", "!=", "void")],
            [
                "lot_id",
                "partner_id",
                "transferable",
                "date_start",
                "date_end",
                "state",
                "parts_coverage",
                "labor_coverage",
                "logistics_coverage",
            ],
            order="date_end desc, id desc",
        )
        by_lot = layers.grouped("lot_id")
        result = {}
        for lot in self:
            lot_layers = by_lot.get(lot, layers.browse())
            owner = self._aftersales_current_owner(lot_layers)
            valid = lot_layers.filtered(
                lambda w, o=owner: (
                    w.partner_id == o
                    and warranty_dates.is_valid_on(w.date_start, w.date_end, on_date, w.state)
                )
            )
            result[lot.id] = {
                "in_warranty": bool(valid),
                "parts": max(valid.mapped("parts_coverage"), default=0.0),
                "labor": max(valid.mapped("labor_coverage"), default=0.0),
                "logistics": max(valid.mapped("logistics_coverage"), default=0.0),
                "date_end": max(valid.mapped("date_end"), default=False),
                "warranty_ids": valid,
            }
        if len(self) == 1:
            return result[self.id]
        return result

    def _aftersales_partner_arg(self, partner):
        """``partner`` as an RPC client or a caller sends it (a record or an id), checked."""
        if isinstance(partner, models.BaseModel):
            if partner._name == "res.partner" and len(partner) == 1:
                return partner
        elif isinstance(partner, int) and not isinstance(partner, bool) and partner > 0:
            found = self.env["res.partner"].browse(partner).exists()
            if found:
                return found
        elif not partner:
            raise UserError(self.env._("Choose the new owner of the serial."))
        raise UserError(
            self.env._("The new owner must be one contact (a res.partner record or its id).")
        )

    def aftersales_transfer(self, partner):
        """Move the serial's live transferable layers to ``partner`` (the unit changed owner).

        ``partner``: a ``res.partner`` record or its id. Non-transferable layers stay with
        the previous owner. Returns the moved layers.
        """
        partner = self._aftersales_partner_arg(partner)
        layers = self.env["aftersales.warranty"].search(
            [
                ("lot_id", "in", self.ids),
                ("state", "!=", "void"),
                ("transferable", "=", True),
            ]
        )
        if not layers:
            raise UserError(self.env._("The serial has no transferable warranty to move."))
        layers = layers.filtered(lambda w: w.partner_id != partner)
        for lot, lot_layers in layers.grouped("lot_id").items():
            previous = lot_layers.partner_id
            lot_layers.write({"partner_id": partner.id})
            lot.message_post(
                body=self.env._(
                    "Warranties transferred from %(old)s to %(new)s.",
                    old=", ".join(previous.mapped("display_name")) or "-",
                    new=partner.display_name,
                )
            )
        return layers

    def action_aftersales_warranty_status(self):
        """Open the serial's warranty layers (the front desk's "Warranty status")."""
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "aftersales_service.aftersales_warranty_action"
        )
        action.update(
            {
                "name": self.env._("Warranty Status: %s", self.display_name),
                "domain": [("lot_id", "=", self.id)],
                "context": {"default_lot_id": self.id, "search_default_filter_not_void": 1},
            }
        )
        return action
