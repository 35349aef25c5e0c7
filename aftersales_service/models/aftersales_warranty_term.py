from odoo import fields, models


class AftersalesWarrantyTerm(models.Model):
    _name = "aftersales.warranty.term"
    _description = "Warranty Term"
    _order = "sequence, id"
    _check_company_auto = True

    name = fields.Char(required=True, translate=True)
    active = fields.Boolean(default=True)
    sequence = fields.Integer(default=10)
    company_id = fields.Many2one("res.company", default=lambda self: self.env.company, index=True)
