# Copyright 2026 aftersales_service authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models


class AftersalesWarrantyTransfer(models.TransientModel):
    """Collects the new owner; ``stock.lot.aftersales_transfer`` moves the layers."""

    _name = "aftersales.warranty.transfer"
    _description = "Transfer a Serial's Warranties to a New Owner"

    lot_id = fields.Many2one("stock.lot", string="Serial Number", required=True)
    current_owner_id = fields.Many2one(related="lot_id.aftersales_owner_id", string="Current Owner")
    partner_id = fields.Many2one("res.partner", string="New Owner", required=True)

    def action_transfer(self):
        self.ensure_one()
        self.lot_id.aftersales_transfer(self.partner_id)
        return self.lot_id.action_aftersales_warranty_status()
