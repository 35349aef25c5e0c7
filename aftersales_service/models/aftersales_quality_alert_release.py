# Copyright 2026 aftersales_service authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from collections import defaultdict

from odoo import api, fields, models
from odoo.exceptions import AccessError
from odoo.tools import float_compare, float_round

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
        return self._aftersales_move_lot(release=True)

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

    def _aftersales_release_lot(self):
        self.ensure_one()
        pickings = self.env["stock.picking"].sudo()
        for quarantine_picking in self.quarantine_picking_ids.sudo():
            quantities = self._aftersales_release_quantities(quarantine_picking)
            if not quantities:
                continue
            # Quarantine → the warehouse's stock, back to each location the quarantine emptied.
            source = quarantine_picking.location_dest_id
            pickings |= self._aftersales_lot_transfer(
                quarantine_picking.picking_type_id,
                source,
                quarantine_picking.location_id,
                [(source, location, qty) for location, qty in quantities],
            )
        return pickings
