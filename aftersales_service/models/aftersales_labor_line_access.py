from odoo import fields, models

from .repair_order_access import COST_GROUPS


class AftersalesLaborLineAccess(models.Model):
    """Labor costs are for after-sales staff and accountants, as the order's costs are
    (inventory-only users read the lines, hours and prices, not what an hour costs)."""

    _inherit = "aftersales.labor.line"

    unit_cost = fields.Monetary(groups=COST_GROUPS)
    cost_amount = fields.Monetary(groups=COST_GROUPS)
    warranty_amount = fields.Monetary(groups=COST_GROUPS)
