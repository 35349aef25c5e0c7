from odoo import fields, models


class AftersalesWarranty(models.Model):
    _name = "aftersales.warranty"
    _description = "Serial Warranty Layer"
    _inherit = ["mail.thread"]
    _order = "date_end desc, id desc"
    _check_company_auto = True

    lot_id = fields.Many2one(
        "stock.lot", string="Serial Number", required=True, index=True, ondelete="restrict",
        check_company=True,
    )
    partner_id = fields.Many2one("res.partner", string="Owner", index=True)
    term_id = fields.Many2one("aftersales.warranty.term", required=True, ondelete="restrict")
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company, index=True
    )
