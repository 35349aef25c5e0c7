# Copyright 2026 aftersales_service authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from contextvars import ContextVar

from odoo import api, models
from odoo.exceptions import AccessError

# Set while one of the host's workflow actions runs (this thread only): a context key
# would be forgeable by any RPC client, a context variable is not.
_IN_WORKFLOW = ContextVar("aftersales_repair_workflow", default=False)

# What a new order may start in: the host's sale order opens its repairs confirmed.
CREATE_STATES = frozenset({"draft", "confirmed"})


class RepairOrder(models.Model):
    """The status of a service order moves only through its actions (confirm, start, end,
    cancel, back to draft): they reserve, consume and cancel the parts, and run the
    after-sales checks (issued parts still missing, defect recorded, loans out). A status
    written directly over RPC would skip all of that, e.g. mark an order waiting for parts
    repaired and bill it."""

    _inherit = "repair.order"  # pylint: disable=consider-merging-classes-inherited

    def _aftersales_in_workflow(self, method, *args, **kwargs):
        token = _IN_WORKFLOW.set(True)
        try:
            return method(*args, **kwargs)
        finally:
            _IN_WORKFLOW.reset(token)

    def _action_repair_confirm(self):
        return self._aftersales_in_workflow(super()._action_repair_confirm)

    def action_repair_start(self):
        return self._aftersales_in_workflow(super().action_repair_start)

    def action_repair_done(self):
        return self._aftersales_in_workflow(super().action_repair_done)

    def action_repair_cancel(self):
        return self._aftersales_in_workflow(super().action_repair_cancel)

    def action_repair_cancel_draft(self):
        return self._aftersales_in_workflow(super().action_repair_cancel_draft)

    def _aftersales_refuse_status(self):
        raise AccessError(
            self.env._(
                "The status of a service order changes through its actions (Confirm, Start "
                "Repair, End Repair, Cancel), not by writing it."
            )
        )

    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.su and any(
            vals.get("state", "draft") not in CREATE_STATES for vals in vals_list
        ):
            self._aftersales_refuse_status()
        return super().create(vals_list)

    def write(self, vals):
        if "state" in vals and not self.env.su and not _IN_WORKFLOW.get():
            self._aftersales_refuse_status()
        return super().write(vals)
