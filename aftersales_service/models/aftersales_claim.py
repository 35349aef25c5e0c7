from odoo import fields, models


class AftersalesClaim(models.Model):
    _name = "aftersales.claim"
    _description = "After-Sales Claim"
    _inherit = ["mail.thread", "mail.activity.mixin", "portal.mixin"]
    _order = "date_received desc, id desc"
    _check_company_auto = True

    name = fields.Char(default="New", readonly=True, copy=False, index="trigram")
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company, index=True
    )
    partner_id = fields.Many2one("res.partner", string="Customer", index=True)
    user_id = fields.Many2one("res.users", string="Responsible", default=lambda self: self.env.user)
    date_received = fields.Datetime(default=fields.Datetime.now, required=True)
    repair_ids = fields.One2many("repair.order", "aftersales_claim_id", string="Service Orders")
    picking_ids = fields.One2many("stock.picking", "aftersales_claim_id", string="Transfers")
