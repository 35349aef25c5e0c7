from odoo import fields, models


class RepairOrder(models.Model):
    _inherit = "repair.order"

    # Claim and coverage
    aftersales_claim_id = fields.Many2one(
        "aftersales.claim", string="Claim", index="btree_not_null", check_company=True, copy=False
    )
    aftersales_labor_ids = fields.One2many(
        "aftersales.labor.line", "repair_id", string="Labour", copy=True
    )
    aftersales_parts_picking_ids = fields.One2many(
        "stock.picking",
        "aftersales_repair_id",
        string="Parts Transfers",
        domain=[("aftersales_purpose", "in", ("parts_issue", "parts_return"))],
    )

    def action_aftersales_issue_parts(self):
        """Issue the order's parts from stock to the workshop (see the parts section)."""
        return True
