from odoo import fields, models


class AftersalesPartsReport(models.Model):
    _name = "aftersales.parts.report"
    _description = "Service Order Parts Analysis"
    _auto = False
    _order = "repair_id desc, product_id"

    repair_id = fields.Many2one("repair.order", readonly=True)
    product_id = fields.Many2one("product.product", string="Part", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)

    @property
    def _table_query(self):
        return """
            SELECT MIN(m.id) AS id, m.repair_id, m.product_id, m.company_id
              FROM stock_move m
             WHERE m.repair_id IS NOT NULL AND m.repair_line_type = 'add'
          GROUP BY m.repair_id, m.product_id, m.company_id
        """
