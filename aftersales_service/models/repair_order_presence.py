# Copyright 2026 aftersales_service authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models
from odoo.exceptions import UserError


class RepairOrder(models.Model):
    """A unit already in our hands (in the workshop, or waiting for its return delivery)
    needs no receipt: offering one only leads to the host's "serial already assigned" at
    validation and to an abandoned transfer that keeps the claim open."""

    _inherit = "repair.order"  # pylint: disable=consider-merging-classes-inherited

    aftersales_unit_held = fields.Char(
        string="Unit Already Here",
        compute="_compute_aftersales_can",
        help="Where the serial already is in our locations, when it is: the order works on it "
        "there and needs no receipt.",
    )

    @api.depends("lot_id", "company_id")
    def _compute_aftersales_can(self):
        res = super()._compute_aftersales_can()
        held = self._aftersales_units_held()
        for order in self:
            order.aftersales_unit_held = held.get(order.id, False)
            if order.aftersales_unit_held:
                order.aftersales_can_create_intake = False
        return res

    def _aftersales_units_held(self):
        """{order id: location name} for orders whose serial is on hand in an internal
        location of their company (one query for all orders)."""
        orders = self.filtered(lambda o: o.lot_id and not o.aftersales_intake_picking_id)
        if not orders:
            return {}
        quants = (
            self.env["stock.quant"]
            .sudo()
            .search(
                [
                    ("lot_id", "in", orders.lot_id.ids),
                    ("quantity", ">", 0),
                    ("location_id.usage", "=", "internal"),
                    ("company_id", "in", orders.company_id.ids),
                ]
            )
        )
        where = {(q.lot_id.id, q.company_id.id): q.location_id.display_name for q in quants}
        return {
            order.id: where[order.lot_id.id, order.company_id.id]
            for order in orders
            if (order.lot_id.id, order.company_id.id) in where
        }

    def action_aftersales_create_intake(self):
        for order in self:
            if order.aftersales_unit_held:
                raise UserError(
                    self.env._(
                        "Serial %(serial)s is already here, in %(location)s: order %(order)s "
                        "works on it where it is and needs no receipt.",
                        serial=order.lot_id.name,
                        location=order.aftersales_unit_held,
                        order=order.name,
                    )
                )
        return super().action_aftersales_create_intake()
