from odoo import fields, models


class AftersalesWarrantyGolive(models.TransientModel):
    _name = "aftersales.warranty.golive"
    _description = "Register Warranties for Past Deliveries"

    date_from = fields.Date(help="Only deliveries done on or after this date; empty for all.")

    def action_register(self):
        self.ensure_one()
        warranties = self.env["aftersales.warranty"].register_past_deliveries(self.date_from)
        return {
            "type": "ir.actions.act_window",
            "res_model": "aftersales.warranty",
            "name": self.env._("Registered Warranties"),
            "view_mode": "list,form",
            "domain": [("id", "in", warranties.ids)],
        }
