# Copyright 2026 aftersales_service authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from collections import defaultdict

from odoo import Command, api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import float_compare, float_round

from .aftersales_quality_alert import quality_alert_workflow

MANAGER_GROUP = "aftersales_service.group_aftersales_manager"


class AftersalesQualityAlertRelease(models.Model):
    """Release of a quarantined lot: its stock goes back from the Quarantine location to
    the locations it was taken from, with a validated transfer; until then deliveries and
    parts issues cannot reserve it (they take from the warehouse's stock, which the
    Quarantine location is not part of)."""

    _inherit = "aftersales.quality.alert"  # pylint: disable=consider-merging-classes-inherited

    release_picking_ids = fields.Many2many(
        "stock.picking",
        "aftersales_quality_alert_release_picking_rel",
        "alert_id",
        "picking_id",
        string="Release Transfers",
        readonly=True,
        copy=False,
        help="Transfers that moved the lot's stock back from the Quarantine location.",
    )
    date_released = fields.Datetime(string="Released On", readonly=True, copy=False)
    is_quarantined = fields.Boolean(
        string="In Quarantine",
        compute="_compute_is_quarantined",
        help="The suspect lot was moved to quarantine and not released yet.",
    )

    @api.depends("quarantine_picking_ids", "date_released")
    def _compute_is_quarantined(self):
        for alert in self:
            alert.is_quarantined = bool(alert.quarantine_picking_ids and not alert.date_released)

    # ------------------------------------------------------------------------------------
    # Guards
    # ------------------------------------------------------------------------------------

    def _aftersales_check_quarantine_rights(self):
        """Quarantine and release decide what may be sold: after-sales managers only
        (Regulation (EU) 2023/988 art. 9: the measures taken on a product that may be
        unsafe are the economic operator's decision, recorded)."""
        if not self.env.su and not self.env.user.has_group(MANAGER_GROUP):
            raise AccessError(
                self.env._("Only an after-sales manager can quarantine or release a lot.")
            )

    # ------------------------------------------------------------------------------------
    # Release
    # ------------------------------------------------------------------------------------

    def action_release_quarantine(self):
        """Move the lot's stock still in quarantine back where the quarantine took it from
        (a validated internal transfer per quarantine transfer): it can be sold and issued
        again."""
        self._aftersales_check_quarantine_rights()
        alerts = self._aftersales_lock()
        wrong = alerts.filtered(lambda a: not a.quarantine_picking_ids or a.date_released)
        if wrong:
            raise UserError(
                self.env._(
                    "Alert %(alerts)s has no lot in quarantine (never quarantined, or already "
                    "released).",
                    alerts=", ".join(wrong.mapped("name")),
                )
            )
        for alert in alerts:
            pickings = alert._aftersales_release_lot()
            if not pickings:
                raise UserError(
                    self.env._(
                        "Lot %(lot)s has nothing left in quarantine to release.",
                        lot=alert.component_lot_id.name,
                    )
                )
            with quality_alert_workflow():
                alert.write(
                    {
                        "release_picking_ids": [Command.set(pickings.ids)],
                        "date_released": fields.Datetime.now(),
                    }
                )
            alert.message_post(
                body=self.env._(
                    "Lot %(lot)s released from quarantine: %(pickings)s.",
                    lot=alert.component_lot_id.name,
                    pickings=", ".join(pickings.mapped("name")),
                )
            )
        return True

    def _aftersales_release_quantities(self, quarantine_picking):
        """[(original location, quantity)] to move back for one quarantine transfer: what
        it took from each location, up to what is still free in quarantine (part of it may
        have been scrapped or returned to the vendor meanwhile)."""
        self.ensure_one()
        lot = self.component_lot_id
        rounding = lot.product_id.uom_id.rounding
        quarantine = quarantine_picking.location_dest_id
        quants = (
            self.env["stock.quant"]
            .sudo()
            ._gather(lot.product_id, quarantine, lot_id=lot, strict=True)
        )
        left = sum(quants.mapped("quantity")) - sum(quants.mapped("reserved_quantity"))
        taken = defaultdict(float)
        for line in quarantine_picking.move_line_ids.filtered(lambda ln: ln.lot_id == lot):
            taken[line.location_id] += line.quantity
        result = []
        for location, qty in taken.items():
            qty = float_round(min(qty, left), precision_rounding=rounding)
            if float_compare(qty, 0.0, precision_rounding=rounding) <= 0:
                continue
            result.append((location, qty))
            left -= qty
        return result

    def _prepare_release_picking_vals(self, quarantine_picking, quantities):
        """The internal transfer Quarantine → the warehouse's stock, one move line per
        location the quarantine emptied."""
        self.ensure_one()
        lot = self.component_lot_id
        product = lot.product_id
        source = quarantine_picking.location_dest_id
        dest = quarantine_picking.location_id
        return {
            "picking_type_id": quarantine_picking.picking_type_id.id,
            "location_id": source.id,
            "location_dest_id": dest.id,
            "origin": self.name,
            "company_id": self.company_id.id,
            "move_ids": [
                Command.create(
                    {
                        "name": self.name,
                        "product_id": product.id,
                        "product_uom": product.uom_id.id,
                        "product_uom_qty": sum(qty for _loc, qty in quantities),
                        "location_id": source.id,
                        "location_dest_id": dest.id,
                        "company_id": self.company_id.id,
                    }
                )
            ],
        }

    def _aftersales_release_lot(self):
        self.ensure_one()
        lot = self.component_lot_id
        pickings = self.env["stock.picking"].sudo()
        for quarantine_picking in self.quarantine_picking_ids.sudo():
            quantities = self._aftersales_release_quantities(quarantine_picking)
            if not quantities:
                continue
            picking = pickings.create(
                self._prepare_release_picking_vals(quarantine_picking, quantities)
            )
            picking.action_confirm()
            move = picking.move_ids
            move.move_line_ids.unlink()
            move.move_line_ids = [
                Command.create(
                    {
                        "product_id": lot.product_id.id,
                        "lot_id": lot.id,
                        "quantity": qty,
                        "location_id": picking.location_id.id,
                        "location_dest_id": location.id,
                        "picking_id": picking.id,
                    }
                )
                for location, qty in quantities
            ]
            move.picked = True
            picking.with_context(skip_backorder=True, cancel_backorder=True).button_validate()
            pickings |= picking
        return pickings
