from odoo import fields, models


class AftersalesLaborLine(models.Model):
    _name = "aftersales.labor.line"
    _description = "Service Order Labour Line"
    _order = "repair_id, sequence, id"
    _check_company_auto = True

    sequence = fields.Integer(default=10)
    repair_id = fields.Many2one(
        "repair.order", required=True, ondelete="cascade", index=True, check_company=True
    )
    company_id = fields.Many2one(related="repair_id.company_id", store=True, index=True)
    user_id = fields.Many2one("res.users", string="Technician", default=lambda self: self.env.user)
    product_id = fields.Many2one(
        "product.product", string="Service", domain=[("type", "=", "service")], required=True
    )
    hours = fields.Float(digits="Product Unit of Measure", default=1.0)
