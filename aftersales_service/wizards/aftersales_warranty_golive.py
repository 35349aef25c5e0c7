# Copyright 2026 aftersales_service authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models


class AftersalesWarrantyGolive(models.TransientModel):
    """Collects the start date; ``aftersales.warranty.register_past_deliveries`` does the work."""

    _name = "aftersales.warranty.golive"
    _description = "Register Warranties for Past Deliveries"

    date_from = fields.Date(help="Only deliveries done on or after this date; empty for all.")

    def action_register(self):
        self.ensure_one()
        warranties = self.env["aftersales.warranty"].register_past_deliveries(self.date_from)
        return {
            "type": "ir.actions.act_window",
            "res_model": "aftersales.warranty",
            "name": self.env._("Registered Warranties (%s)", len(warranties)),
            "view_mode": "list,form",
            "views": [(False, "list"), (False, "form")],
            "domain": [("id", "in", warranties.ids)],
        }
