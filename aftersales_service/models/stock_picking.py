from odoo import api, fields, models


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

    # Parts issuing
    aftersales_date_due = fields.Date(
        string="Claim Due",
        compute="_compute_aftersales_date_due",
        store=True,
        # In the INSERT of a transfer made for a service order (no UPDATE right after it).
        precompute=True,
        index="btree_not_null",
        help="Resolution deadline of the claim behind the service order: the urgency of "
        "issuing its parts.",
    )

    # Service orders: query budget
    # purchase_stock's relation between purchase orders and their receipts, seen from the
    # picking. Declaring this side makes it the inverse of ``purchase.order.picking_ids``:
    # when a picking's state changes, the ORM then reads (and caches) the picking's purchase
    # orders to recompute their receipt status, instead of searching all purchase orders
    # at every write of the picking's moves.
    aftersales_purchase_ids = fields.Many2many(
        "purchase.order",
        "purchase_order_stock_picking_rel",
        "stock_picking_id",
        "purchase_order_id",
        string="Received Purchase Orders",
        readonly=True,
        copy=False,
        groups="purchase.group_purchase_user",
    )

    # Computes

    @api.depends("aftersales_repair_id.aftersales_claim_id.date_resolution_due")
    def _compute_aftersales_date_due(self):
        for picking in self:
            picking.aftersales_date_due = (
                picking.aftersales_repair_id.aftersales_claim_id.date_resolution_due
            )

    # Host hooks

    def copy_data(self, default=None):
        vals_list = super().copy_data(default=default)
        if default and default.get("backorder_id"):
            # A backorder still serves the same service order for the same purpose.
            for picking, vals in zip(self, vals_list, strict=True):
                if picking.aftersales_purpose:
                    vals.setdefault("aftersales_repair_id", picking.aftersales_repair_id.id)
                    vals.setdefault("aftersales_purpose", picking.aftersales_purpose)
                    vals.setdefault("aftersales_claim_id", picking.aftersales_claim_id.id)
        return vals_list
