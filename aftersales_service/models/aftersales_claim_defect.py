# Copyright 2026 aftersales_service authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models


class AftersalesClaimDefect(models.Model):
    """Defects recorded on the claim (directly, or on its service orders)."""

    _inherit = "aftersales.claim"  # pylint: disable=consider-merging-classes-inherited

    defect_ids = fields.One2many("aftersales.defect", "claim_id", string="Defects", copy=False)
    defect_count = fields.Integer(compute="_compute_defect_count")

    @api.depends("defect_ids")
    def _compute_defect_count(self):
        for claim in self:
            claim.defect_count = len(claim.defect_ids)
