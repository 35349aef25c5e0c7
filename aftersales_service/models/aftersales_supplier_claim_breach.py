# Copyright 2026 aftersales_service authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import Command, models
from odoo.exceptions import UserError


class AftersalesSupplierClaimBreach(models.Model):
    """Breach claims (shortage, late delivery, quality): lines prefilled from the purchase
    order and its receipts."""

    _inherit = "aftersales.supplier.claim"  # pylint: disable=consider-merging-classes-inherited

    def action_prefill_lines(self):
        """Breach claims: lines from the purchase order and its receipts.

        Shortage: the ordered quantity not received, at the order's price. Late delivery:
        the value of each receipt's goods received after the promised date × the penalty
        rate per day × days late (RF Civil Code art. 330, 521: penalty for late supply).
        Quality: the receipt's goods, to keep the rejected ones."""
        for claim in self:
            if claim.state != "draft":
                raise UserError(self.env._("Only a draft claim can be prefilled."))
            if claim.claim_type == "warranty":
                raise UserError(
                    self.env._("Warranty claims are made from defects, not from purchases.")
                )
            purchase = claim.purchase_id or claim.receipt_picking_id.purchase_id
            if not purchase:
                raise UserError(self.env._("Choose the purchase order or its receipt first."))
            lines = claim._aftersales_breach_lines(purchase)
            claim.write({"line_ids": [Command.clear()] + [Command.create(v) for v in lines]})
        return True

    def _aftersales_breach_lines(self, purchase):
        self.ensure_one()
        values = []
        if self.claim_type == "shortage":
            for line in purchase.order_line.filtered(lambda ln: ln.product_id):
                short = line.product_qty - line.qty_received
                if short > 0:
                    values.append(
                        {
                            "product_id": line.product_id.id,
                            "quantity": short,
                            "amount": self.currency_id.round(short * line.price_unit),
                        }
                    )
            return values
        receipts = self.receipt_picking_id or purchase.picking_ids.filtered(
            lambda p: p.state == "done" and p.picking_type_code == "incoming"
        )
        for move in receipts.move_ids.filtered(lambda m: m.state == "done"):
            price = move.purchase_line_id.price_unit
            if self.claim_type == "late_delivery":
                promised = move.purchase_line_id.date_planned or purchase.date_planned
                days = (move.date.date() - promised.date()).days if promised else 0
                if days <= 0:
                    continue
                amount = move.quantity * price * (self.penalty_rate / 100.0) * days
                values.append(
                    {
                        "product_id": move.product_id.id,
                        "quantity": move.quantity,
                        "days_late": days,
                        "amount": self.currency_id.round(amount),
                    }
                )
            else:
                values.append(
                    {
                        "product_id": move.product_id.id,
                        "quantity": move.quantity,
                        "amount": self.currency_id.round(move.quantity * price),
                    }
                )
        return values
