# Copyright 2026 aftersales_service authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import models


class AftersalesClaim(models.Model):
    """What keeps a claim from being resolved, said at once with the way out."""

    _inherit = "aftersales.claim"  # pylint: disable=consider-merging-classes-inherited

    def _aftersales_resolve_blockers(self):
        """What still keeps the claim open, one line each with the way out, so the desk
        sees everything in one message instead of discovering one blocker per click.
        Concern files extend the list (loans still out, for example)."""
        self.ensure_one()
        blockers = []
        pending = self.picking_ids.filtered(lambda p: p.state not in ("done", "cancel"))
        intakes = pending.filtered(lambda p: p.picking_type_code == "incoming")
        others = pending - intakes
        if intakes:
            blockers.append(
                self.env._(
                    "unit receipts not validated: %(pickings)s — validate them when the unit "
                    "arrives, or cancel them if it will not come in.",
                    pickings=", ".join(intakes.mapped("name")),
                )
            )
        if others:
            blockers.append(
                self.env._(
                    "transfers not validated: %(pickings)s — validate or cancel them.",
                    pickings=", ".join(others.mapped("name")),
                )
            )
        repairs = self.repair_ids.filtered(lambda r: r.state not in ("done", "cancel"))
        if repairs:
            blockers.append(
                self.env._(
                    "open service orders: %(repairs)s — finish or cancel them.",
                    repairs=", ".join(repairs.mapped("name")),
                )
            )
        return blockers
