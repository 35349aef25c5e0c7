from odoo import api, fields, models


class SaleOrder(models.Model):
    _inherit = "sale.order"

    # --- Claims ---
    aftersales_claim_ids = fields.One2many(
        "aftersales.claim",
        "sale_order_id",
        string="Claims",
        readonly=True,
        groups="aftersales_service.group_aftersales_technician",
    )
    aftersales_claim_count = fields.Integer(
        compute="_compute_aftersales_claim_count",
        string="Claim Count",
        groups="aftersales_service.group_aftersales_technician",
    )

    @api.depends("aftersales_claim_ids")
    def _compute_aftersales_claim_count(self):
        for order in self:
            order.aftersales_claim_count = len(order.aftersales_claim_ids)

    def action_aftersales_new_claim(self):
        """Open a new claim prefilled from the order: customer, order and, when the order
        sold a single serial-tracked product, that product."""
        self.ensure_one()
        products = self.order_line.product_id.filtered(lambda p: p.tracking == "serial")
        context = {
            "default_sale_order_id": self.id,
            "default_partner_id": self.partner_id.id,
            "default_company_id": self.company_id.id,
        }
        if len(products) == 1:
            context["default_product_id"] = products.id
        return {
            "type": "ir.actions.act_window",
            "res_model": "aftersales.claim",
            "name": self.env._("New Claim"),
            "view_mode": "form",
            "target": "current",
            "context": context,
        }

    def action_aftersales_view_claims(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "aftersales.claim",
            "name": self.env._("Claims"),
            "view_mode": "list,form",
            "domain": [("sale_order_id", "=", self.id)],
            "context": {"default_sale_order_id": self.id, "default_partner_id": self.partner_id.id},
        }

    # --- Warranty ---
    aftersales_warranty_count = fields.Integer(
        compute="_compute_aftersales_warranty_count",
        string="Warranty Count",
        groups="aftersales_service.group_aftersales_technician",
    )

    def _compute_aftersales_warranty_count(self):
        counts = dict.fromkeys(self.ids, 0)
        for line, count in self.env["aftersales.warranty"]._read_group(
            [("sale_line_id.order_id", "in", self.ids)], ["sale_line_id"], ["__count"]
        ):
            counts[line.order_id.id] += count
        for order in self:
            order.aftersales_warranty_count = counts.get(order.id, 0)

    def action_aftersales_view_warranties(self):
        """The warranty layers registered for what this order sold, void ones included."""
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "aftersales_service.aftersales_warranty_action"
        )
        action["domain"] = [("sale_line_id.order_id", "=", self.id)]
        action["context"] = {"active_test": False}
        return action
