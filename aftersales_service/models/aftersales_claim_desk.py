# Copyright 2026 aftersales_service authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import timedelta

from odoo import api, fields, models

from .aftersales_claim import OPEN_STATES
from .aftersales_claim_watch import NEAR_DUE_DAYS

CLOCK_STATES = [
    ("on_time", "On Time"),
    ("due_soon", "Due Soon"),
    ("overdue", "Overdue"),
    ("closed", "Closed"),
]


class AftersalesClaim(models.Model):
    """What the front desk sorts its board by: priority, tags, and the legal clock as a
    colour (stored, so the kanban progress bar and the analysis can group by it)."""

    _inherit = "aftersales.claim"  # pylint: disable=consider-merging-classes-inherited

    priority = fields.Selection(
        [("0", "Normal"), ("1", "High"), ("2", "Urgent")], default="0", index=True
    )
    tag_ids = fields.Many2many("aftersales.claim.tag", string="Tags")
    clock_state = fields.Selection(
        CLOCK_STATES,
        string="Legal Clock",
        compute="_compute_clock_state",
        store=True,
        index=True,
        help="On time, due within two days, overdue, or closed. Recomputed daily by the "
        "clock watch with the overdue flag.",
    )
    country_id = fields.Many2one(
        related="partner_id.country_id", string="Country", store=True, index="btree_not_null"
    )

    @api.depends("state", "date_resolution_due", "is_overdue")
    def _compute_clock_state(self):
        near = self._today() + timedelta(days=NEAR_DUE_DAYS)
        for claim in self:
            if claim.state not in OPEN_STATES:
                claim.clock_state = "closed"
            elif claim.is_overdue:
                claim.clock_state = "overdue"
            elif claim.date_resolution_due and claim.date_resolution_due <= near:
                claim.clock_state = "due_soon"
            else:
                claim.clock_state = "on_time"
