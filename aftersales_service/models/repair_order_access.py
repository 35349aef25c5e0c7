from odoo import fields, models

COST_GROUPS = (
    "aftersales_service.group_aftersales_technician,account.group_account_readonly,"
    "account.group_account_invoice"
)


class RepairOrderAccess(models.Model):
    """Who may read a service order's costs.

    The host's repair gives every inventory user full rights on ``repair.order``. Inventory-only
    users (warehouse staff) keep reading the orders they move parts for — the record rule
    ``repair_order_rule_stock_readonly`` takes away write/create/unlink — but not what the order
    costs the company: the cost and share fields are restricted to after-sales staff and
    accountants here (the fields keep their definition in ``repair_order_billing``; only
    ``groups`` is added, so ``read``/``search`` over RPC refuse them to anyone else).
    """

    _inherit = "repair.order"  # pylint: disable=consider-merging-classes-inherited

    aftersales_cost_parts = fields.Monetary(groups=COST_GROUPS)
    aftersales_cost_labor = fields.Monetary(groups=COST_GROUPS)
    aftersales_cost_logistics = fields.Monetary(groups=COST_GROUPS)
    aftersales_cost_total = fields.Monetary(groups=COST_GROUPS)
    aftersales_amount_billable = fields.Monetary(groups=COST_GROUPS)
    aftersales_amount_warranty = fields.Monetary(groups=COST_GROUPS)

    def action_aftersales_view_warranty_move(self):
        """Accountants on Community (Billing group, no "Show Accounting Features") see an
        entry's form without its journal items: show them the items instead."""
        if self.env.user.has_group("account.group_account_readonly"):
            return super().action_aftersales_view_warranty_move()
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "aftersales_service.account_move_line_action_aftersales_warranty"
        )
        action["domain"] = [("move_id", "=", self.aftersales_warranty_move_id.id)]
        return action
