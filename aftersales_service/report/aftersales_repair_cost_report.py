from odoo import fields, models


class AftersalesRepairCostReport(models.Model):
    _name = "aftersales.repair.cost.report"
    _description = "Service Order Cost Analysis"
    _auto = False
    _order = "repair_id desc"

    repair_id = fields.Many2one("repair.order", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)

    @property
    def _table_query(self):
        return "SELECT r.id AS id, r.id AS repair_id, r.company_id FROM repair_order r"
