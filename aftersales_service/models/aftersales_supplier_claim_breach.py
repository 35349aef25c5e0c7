# Copyright 2026 aftersales_service authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from collections import defaultdict

from odoo import Command, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import float_compare

PENALTY_TYPES = [
    ("per_day", "Percent per Day Late"),
    ("flat", "Percent Once"),
]


class AftersalesSupplierClaimBreach(models.Model):
    """Breach claims (shortage, late delivery, quality): lines prefilled from a purchase
    order, one of its receipts or a vendor bill, with the contractual penalty computed."""

    _inherit = "aftersales.supplier.claim"  # pylint: disable=consider-merging-classes-inherited

    bill_id = fields.Many2one(
        "account.move",
        string="Vendor Bill",
        index="btree_not_null",
        check_company=True,
        domain="[('move_type', '=', 'in_invoice'), ('state', '=', 'posted')]",
        help="Breach claims: the vendor bill the claim is about (its purchase orders).",
    )
    penalty_type = fields.Selection(
        PENALTY_TYPES,
        default="per_day",
        required=True,
        help="Late delivery: the penalty rate applies per day late, or once. Shortage and "
        "quality: the rate applies once, on top of the value of the goods.",
    )
    penalty_cap = fields.Float(
        string="Penalty Cap (%)",
        digits=(5, 2),
        help="The contract's maximum penalty, percent of the goods' value (0: no cap).",
    )

    _sql_constraints = [  # noqa: RUF012
        (
            "penalty_not_negative",
            "CHECK(penalty_rate >= 0 AND penalty_cap >= 0)",
            "A penalty rate or cap cannot be negative.",
        ),
    ]

    @api.onchange("receipt_picking_id", "bill_id")
    def _onchange_aftersales_breach_source(self):
        source = self.receipt_picking_id or self.bill_id
        if source and not self.partner_id:
            self.partner_id = source.partner_id.commercial_partner_id
        purchases = self._aftersales_breach_purchases()
        if purchases and not self.purchase_id:
            self.purchase_id = purchases[:1]

    def _aftersales_breach_purchases(self):
        """The purchase orders the claim is about: its own, its receipt's, its bill's."""
        self.ensure_one()
        return (
            self.purchase_id
            | self.receipt_picking_id.purchase_id
            | self.bill_id.invoice_line_ids.purchase_line_id.order_id
        )

    def action_prefill_lines(self):
        """Breach claims: lines from the purchase order, its receipt or the vendor bill.

        Shortage: the quantity ordered (from a bill: billed) and not received, at the
        order's price. Late delivery: each receipt's goods received after the promised date
        (the order line's expected arrival), their value × the penalty rate × days late (or
        once), within the cap — RF Civil Code art. 330, 521 (penalty for late supply).
        Quality: the goods rejected on receipt (returned to the vendor), their value plus
        the penalty rate — RF Civil Code art. 475, 518 (goods of improper quality)."""
        for claim in self:
            if claim.state != "draft":
                raise UserError(self.env._("Only a draft claim can be prefilled."))
            if claim.claim_type == "warranty":
                raise UserError(
                    self.env._("Warranty claims are made from defects, not from purchases.")
                )
            purchases = claim._aftersales_breach_purchases()
            if not purchases:
                raise UserError(
                    self.env._("Choose the purchase order, its receipt or the vendor bill first.")
                )
            vendors = purchases.partner_id.commercial_partner_id
            if vendors != claim.partner_id.commercial_partner_id:
                raise UserError(
                    self.env._(
                        "Purchase %(orders)s is from %(vendors)s, not from %(vendor)s.",
                        orders=", ".join(purchases.mapped("name")),
                        vendors=", ".join(vendors.mapped("name")),
                        vendor=claim.partner_id.display_name,
                    )
                )
            lines = claim._aftersales_breach_lines(purchases)
            if not lines:
                raise UserError(claim._aftersales_nothing_to_claim_message(purchases))
            claim.write({"line_ids": [Command.clear()] + [Command.create(v) for v in lines]})
        return True

    def _aftersales_nothing_to_claim_message(self, purchases):
        orders = ", ".join(purchases.mapped("name"))
        if self.claim_type == "shortage":
            return self.env._("Everything ordered on %(orders)s was received.", orders=orders)
        if self.claim_type == "late_delivery":
            return self.env._("Nothing on %(orders)s was received late.", orders=orders)
        return self.env._(
            "Nothing received on %(orders)s was rejected (returned to the vendor).",
            orders=orders,
        )

    def _aftersales_breach_lines(self, purchases):
        self.ensure_one()
        if self.claim_type == "shortage":
            return self._aftersales_shortage_lines(purchases)
        receipts = self.receipt_picking_id or purchases.picking_ids.filtered(
            lambda p: p.state == "done" and p.picking_type_code == "incoming"
        )
        if self.claim_type == "late_delivery":
            return self._aftersales_late_lines(receipts)
        return self._aftersales_quality_lines(receipts)

    # ------------------------------------------------------------------------------------
    # Amounts
    # ------------------------------------------------------------------------------------

    def _aftersales_unit_price(self, purchase_line):
        """The order line's unit price per product unit, in the company's currency (at the
        order's date)."""
        order = purchase_line.order_id
        price = purchase_line.price_unit
        if purchase_line.product_uom != purchase_line.product_id.uom_id:
            price = purchase_line.product_uom._compute_price(price, purchase_line.product_id.uom_id)
        return order.currency_id._convert(
            price,
            self.company_id.currency_id,
            self.company_id,
            order.date_order or fields.Date.context_today(self),
        )

    def _aftersales_penalty(self, value, days=1):
        """The contractual penalty on goods worth ``value``: the rate (percent) per day late
        or once, never above the cap (percent of the value) when the contract has one."""
        self.ensure_one()
        per_day = self.claim_type == "late_delivery" and self.penalty_type == "per_day"
        factor = days if per_day else 1
        penalty = value * (self.penalty_rate or 0.0) / 100.0 * factor
        if self.penalty_cap:
            penalty = min(penalty, value * self.penalty_cap / 100.0)
        return self.currency_id.round(penalty)

    def _prepare_breach_line_vals(self, product, quantity, value, penalty, lot=None, days=0):
        """A breach line: the goods' value (what the vendor owes back for goods missing or
        rejected; nothing for goods that came late) plus the penalty."""
        value = self.currency_id.round(value)
        claimed = penalty if self.claim_type == "late_delivery" else value + penalty
        return {
            "product_id": product.id,
            "lot_id": lot.id if lot else False,
            "quantity": quantity,
            "days_late": days,
            "goods_value": value,
            "penalty_amount": penalty,
            "amount": self.currency_id.round(claimed),
        }

    def _aftersales_shortage_lines(self, purchases):
        """Per order line: ordered (from a bill: billed) − received, in product units."""
        values = []
        billed_lines = self.bill_id.invoice_line_ids.purchase_line_id
        lines = billed_lines or purchases.order_line
        for line in lines.filtered(lambda ln: ln.product_id and not ln.display_type):
            expected = line.qty_invoiced if billed_lines else line.product_qty
            short = line.product_uom._compute_quantity(
                expected - line.qty_received, line.product_id.uom_id
            )
            if float_compare(short, 0.0, precision_rounding=line.product_id.uom_id.rounding) <= 0:
                continue
            value = short * self._aftersales_unit_price(line)
            values.append(
                self._prepare_breach_line_vals(
                    line.product_id, short, value, self._aftersales_penalty(value)
                )
            )
        return values

    def _aftersales_late_lines(self, receipts):
        values = []
        for move in receipts.move_ids.filtered(
            lambda m: m.state == "done" and m.purchase_line_id and m.quantity > 0
        ):
            line = move.purchase_line_id
            promised = line.date_planned or line.order_id.date_planned
            days = (move.date.date() - promised.date()).days if promised else 0
            if days <= 0:
                continue
            qty = move.product_qty
            value = qty * self._aftersales_unit_price(line)
            values.append(
                self._prepare_breach_line_vals(
                    move.product_id, qty, value, self._aftersales_penalty(value, days), days=days
                )
            )
        return values

    def _aftersales_quality_lines(self, receipts):
        """The goods rejected on receipt: what the receipts' return transfers sent back to
        the vendor, per product and lot."""
        rejected = defaultdict(float)
        prices = {}
        returns = receipts.move_ids.returned_move_ids.filtered(
            lambda m: m.state == "done" and m.location_dest_id.usage == "supplier"
        )
        for move in returns:
            purchase_line = move.origin_returned_move_id.purchase_line_id
            if not purchase_line:
                continue
            for ml in move.move_line_ids:
                qty = ml.product_uom_id._compute_quantity(ml.quantity, move.product_id.uom_id)
                rejected[move.product_id, ml.lot_id] += qty
                prices[move.product_id, ml.lot_id] = self._aftersales_unit_price(purchase_line)
        values = []
        for (product, lot), qty in rejected.items():
            if float_compare(qty, 0.0, precision_rounding=product.uom_id.rounding) <= 0:
                continue
            value = qty * prices[product, lot]
            values.append(
                self._prepare_breach_line_vals(
                    product, qty, value, self._aftersales_penalty(value), lot=lot
                )
            )
        return values
