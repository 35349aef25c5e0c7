from odoo import fields, models


class StockPicking(models.Model):
    _inherit = "stock.picking"

    # Links to after-sales documents
    aftersales_claim_id = fields.Many2one(
        "aftersales.claim", string="Claim", index="btree_not_null", check_company=True, copy=False
    )
    aftersales_repair_id = fields.Many2one(
        "repair.order",
        string="Service Order",
        index="btree_not_null",
        check_company=True,
        copy=False,
        help="The service order this picking brings a unit or parts in for, or back from.",
    )
    aftersales_purpose = fields.Selection(
        [
            ("intake", "Unit Intake"),
            ("unit_return", "Unit Return to Customer"),
            ("parts_issue", "Parts Issue"),
            ("parts_return", "Unused Parts Return"),
            ("replacement", "Replacement Delivery"),
            ("claim_return", "Claim Return"),
        ],
        string="After-Sales Purpose",
        copy=False,
        index="btree_not_null",
    )
