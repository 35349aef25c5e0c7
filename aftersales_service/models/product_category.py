from odoo import models


class ProductCategory(models.Model):
    _inherit = "product.category"
