# Copyright 2026 aftersales_service authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models
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
        compute="_compute_aftersales_warranty", string="Labour Covered (%)"
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
            valid = lot_layers.filtered(
                lambda w: warranty_dates.is_valid_on(w.date_start, w.date_end, today, w.state)
            )
            lot.aftersales_warranty_count = len(lot_layers)
            lot.aftersales_in_warranty = bool(valid)
            lot.aftersales_warranty_date_end = max(lot_layers.mapped("date_end"), default=False)
            lot.aftersales_owner_id = lot_layers[:1].partner_id
            lot.aftersales_parts_coverage = max(valid.mapped("parts_coverage"), default=0.0)
            lot.aftersales_labor_coverage = max(valid.mapped("labor_coverage"), default=0.0)
            lot.aftersales_logistics_coverage = max(valid.mapped("logistics_coverage"), default=0.0)

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
        return [
            (
                "aftersales_warranty_ids",
                "any",
                [("state", "!=", "void"), ("partner_id", operator, value)],
            )
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
        """Coverage of this serial on ``on_date`` (default today), in one query.

        :return: dict ``in_warranty``, ``parts``, ``labor``, ``logistics`` (best percent among
            the layers valid on that date), ``date_end`` (latest end among them or False) and
            ``warranty_ids`` (those layers). A layer is valid when it is not void and
            ``date_start <= on_date <= date_end``.
        """
        self.ensure_one()
        on_date = fields.Date.to_date(on_date) if on_date else fields.Date.context_today(self)
        layers = self.env["aftersales.warranty"].search_fetch(
            [
                ("lot_id", "=", self.id),
                ("state", "!=", "void"),
                ("date_start", "<=", on_date),
                ("date_end", ">=", on_date),
            ],
            ["parts_coverage", "labor_coverage", "logistics_coverage", "date_end"],
        )
        return {
            "in_warranty": bool(layers),
            "parts": max(layers.mapped("parts_coverage"), default=0.0),
            "labor": max(layers.mapped("labor_coverage"), default=0.0),
            "logistics": max(layers.mapped("logistics_coverage"), default=0.0),
            "date_end": max(layers.mapped("date_end"), default=False),
            "warranty_ids": layers,
        }

    def aftersales_transfer(self, partner):
        """Move the serial's live transferable layers to ``partner`` (the unit changed owner).

        Non-transferable layers stay with the previous owner. Returns the moved layers.
        """
        if not partner:
            raise UserError(self.env._("Choose the new owner of the serial."))
        layers = self.env["aftersales.warranty"].search(
            [
                ("lot_id", "in", self.ids),
                ("state", "!=", "void"),
                ("term_id.transferable", "=", True),
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
