from odoo import api, fields, models
from odoo.exceptions import UserError

from ..models.aftersales_claim_loaner import CONFIRM_KEY

# What may be confirmed with a loan still out (model → methods).
ALLOWED = {
    "aftersales.claim": ("action_done", "action_cancel"),
    "repair.order": ("action_repair_end",),
}


class AftersalesLoanerConfirm(models.TransientModel):
    """Lists the loans still out and, on confirmation, runs the closing action again with
    the confirmation in its context (the action itself refuses without it)."""

    _name = "aftersales.loaner.confirm"
    _description = "Close with Loans Out"

    res_model = fields.Char(required=True)
    res_ids = fields.Json(required=True)
    method = fields.Char(required=True)
    loaner_ids = fields.Many2many("aftersales.loaner", string="Loans Still Out", readonly=True)

    @api.model
    def _action_ask(self, records, method, loans):
        wizard = self.create(
            {
                "res_model": records._name,
                "res_ids": records.ids,
                "method": method,
                "loaner_ids": [fields.Command.set(loans.ids)],
            }
        )
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Loans Still Out"),
            "res_model": self._name,
            "res_id": wizard.id,
            "view_mode": "form",
            "target": "new",
        }

    def action_confirm(self):
        self.ensure_one()
        if self.method not in ALLOWED.get(self.res_model, ()):
            raise UserError(self.env._("Nothing to confirm."))
        records = self.env[self.res_model].browse(self.res_ids).exists()
        return getattr(records.with_context(**{CONFIRM_KEY: True}), self.method)()
