# Copyright 2026 aftersales_service authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models


class ProductTemplate(models.Model):
    _inherit = "product.template"

    # Warranty
    aftersales_warranty_term_ids = fields.Many2many(
        "aftersales.warranty.term",
        "aftersales_warranty_term_product_tmpl_rel",
        "product_tmpl_id",
        "term_id",
        string="Warranty Terms",
        groups="stock.group_stock_user,sales_team.group_sale_salesman",
        help="Terms attached to this product; those of its category and parents apply too.",
    )
    aftersales_applicable_term_ids = fields.Many2many(
        "aftersales.warranty.term",
        compute="_compute_aftersales_applicable_term_ids",
        string="Applicable Warranty Terms",
        groups="stock.group_stock_user,sales_team.group_sale_salesman",
        help="Terms of the product, of its category and of the parent categories. Extended "
        "terms whose scope covers the product are listed too: they apply when their "
        "extension product is sold with the unit.",
    )

    @api.depends("aftersales_warranty_term_ids", "categ_id", "categ_id.parent_path")
    def _compute_aftersales_applicable_term_ids(self):
        Term = self.env["aftersales.warranty.term"]
        for template in self:
            categ_ids = [int(c) for c in (template.categ_id.parent_path or "").split("/") if c]
            domain = [("categ_ids", "in", categ_ids)]
            if template.id:
                domain = ["|", ("product_tmpl_ids", "in", template.ids), *domain]
            terms = Term.search(domain) if categ_ids or template.id else Term
            template.aftersales_applicable_term_ids = terms | template.aftersales_warranty_term_ids
