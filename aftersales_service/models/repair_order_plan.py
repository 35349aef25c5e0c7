# Copyright 2026 aftersales_service authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models
from odoo.exceptions import AccessError

from .repair_order_guard import _ACTION_KEY, _ACTION_TOKEN

PLAN_FIELDS = frozenset(
    {"aftersales_plan_id", "aftersales_plan_date", "aftersales_plan_invoice_id"}
)


class RepairOrderPlan(models.Model):
    """Service orders opened by a preventive maintenance plan: one per plan and due date."""

    _inherit = "repair.order"  # pylint: disable=consider-merging-classes-inherited

    aftersales_plan_id = fields.Many2one(
        "aftersales.service.plan",
        string="Service Plan",
        copy=False,
        readonly=True,
        index="btree_not_null",
        check_company=True,
        ondelete="restrict",
    )
    aftersales_plan_date = fields.Date(string="Plan Due Date", copy=False, readonly=True)
    aftersales_plan_invoice_id = fields.Many2one(
        "account.move",
        string="Plan Fee Invoice",
        copy=False,
        readonly=True,
        index="btree_not_null",
        check_company=True,
    )

    def init(self):
        # One visit per plan and due date, whoever opens it (two job runs, a manual run at
        # the same time): the database refuses the second one.
        self.env.cr.execute(
            "CREATE UNIQUE INDEX IF NOT EXISTS repair_order_aftersales_plan_date_uniq"
            " ON repair_order (aftersales_plan_id, aftersales_plan_date)"
            " WHERE aftersales_plan_id IS NOT NULL"
        )

    def _aftersales_guard(self, vals):
        if self.env.context.get(_ACTION_KEY) is not _ACTION_TOKEN and PLAN_FIELDS.intersection(
            vals
        ):
            raise AccessError(
                self.env._(
                    "The service plan of an order is set by the plan's job, not written directly."
                )
            )
        return super()._aftersales_guard(vals)
