# Copyright 2026 aftersales_service authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models


class ProductCategory(models.Model):
    _inherit = "product.category"

    # Warranty
    aftersales_warranty_term_ids = fields.Many2many(
        "aftersales.warranty.term",
        "aftersales_warranty_term_categ_rel",
        "categ_id",
        "term_id",
        string="Warranty Terms",
        groups="stock.group_stock_user,sales_team.group_sale_salesman",
        help="Terms that apply to every product of this category and of its subcategories.",
    )
