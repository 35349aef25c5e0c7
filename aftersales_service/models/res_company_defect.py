# Copyright 2026 aftersales_service authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models


class ResCompanyDefect(models.Model):
    """Company settings of the defect register and the systematic-defect alerts."""

    _inherit = "res.company"  # pylint: disable=consider-merging-classes-inherited

    aftersales_defect_required = fields.Boolean(
        string="Defect Required on Claims",
        default=True,
        help="A service order of a claim cannot be finished without a defect record.",
    )
    aftersales_quality_user_id = fields.Many2one(
        "res.users",
        string="Quality Alerts Responsible",
        help="Gets an activity for each new systematic-defect alert (e.g. the production "
        "manager). Empty: the after-sales managers.",
    )
