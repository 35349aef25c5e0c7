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
# The states in which a claim claims its goods from the vendor: sent to it and not
# rejected (a rejected claim frees its goods; a draft claims nothing yet).
CLAIMING_STATES = ("sent", "accepted", "paid", "done")


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
                claimed = claim._aftersales_breach_lines(purchases, subtract=False)
                raise UserError(claim._aftersales_nothing_to_claim_message(purchases, claimed))
            claim.write({"line_ids": [Command.clear()] + [Command.create(v) for v in lines]})
        return True

    def _aftersales_nothing_to_claim_message(self, purchases, claimed=()):
        """Why nothing is left to claim: nothing went wrong, or ``claimed`` (the lines
        there would be, had no other claim claimed them) is claimed on other claims."""
        orders = ", ".join(purchases.mapped("name"))
        others = self._aftersales_breach_claimed(
            self.env["purchase.order.line"].browse(
                [v["purchase_line_id"] for v in claimed if v["purchase_line_id"]]
            )
        )
        keys = {self._aftersales_breach_key(v) for v in claimed}
        claims = self.browse().union(*(lines.claim_id for k, lines in others.items() if k in keys))
        if claims:
            names = ", ".join(claims.mapped("name"))
            if self.claim_type == "shortage":
                return self.env._(
                    "Everything short on %(orders)s is already claimed on %(claims)s.",
                    orders=orders,
                    claims=names,
                )
            if self.claim_type == "late_delivery":
                return self.env._(
                    "Everything received late on %(orders)s is already claimed on %(claims)s.",
                    orders=orders,
                    claims=names,
                )
            return self.env._(
                "Everything rejected on %(orders)s is already claimed on %(claims)s.",
                orders=orders,
                claims=names,
            )
        if self.claim_type == "shortage":
            return self.env._("Everything ordered on %(orders)s was received.", orders=orders)
        if self.claim_type == "late_delivery":
            return self.env._("Nothing on %(orders)s was received late.", orders=orders)
        return self.env._(
            "Nothing received on %(orders)s was rejected (returned to the vendor).",
            orders=orders,
        )

    def _aftersales_breach_lines(self, purchases, subtract=True):
        """The lines to claim; ``subtract``: less what other claims already claim."""
        self.ensure_one()
        if self.claim_type == "shortage":
            return self._aftersales_shortage_lines(purchases, subtract=subtract)
        receipts = self.receipt_picking_id or purchases.picking_ids.filtered(
            lambda p: p.state == "done" and p.picking_type_code == "incoming"
        )
        if self.claim_type == "late_delivery":
            return self._aftersales_late_lines(receipts, subtract=subtract)
        return self._aftersales_quality_lines(receipts, subtract=subtract)

    # ------------------------------------------------------------------------------------
    # Claimed once: what other claims of the same type claim from the same goods
    # ------------------------------------------------------------------------------------

    def _aftersales_breach_key(self, line):
        """What a breach line claims, for the other claims of its type (a claim line or
        its values): shortage, the order line's quantity; late delivery, the receipt move;
        quality, the order line's rejected quantity per lot. None: a line typed in by hand."""

        def _id(value):
            return value.id if isinstance(value, models.BaseModel) else value or False

        purchase_line = _id(line["purchase_line_id"])
        if not purchase_line:
            return None
        if self.claim_type == "late_delivery":
            return _id(line["source_move_id"]) or None
        if self.claim_type == "quality":
            return purchase_line, _id(line["lot_id"])
        return purchase_line

    def _aftersales_breach_claimed(self, purchase_lines, also=None):
        """The lines of the other claims of this type claiming goods of ``purchase_lines``
        (those sent and not rejected, and the claims ``also``), per key: {key: lines}.

        Every claim counts, whatever the user may read."""
        self.ensure_one()
        if not purchase_lines:
            return {}
        claims_domain = [("claim_id.state", "in", CLAIMING_STATES)]
        if also:
            claims_domain = ["|", ("claim_id", "in", also.ids), *claims_domain]
        lines = (
            self.env["aftersales.supplier.claim.line"]
            .sudo()
            .search(
                [
                    ("purchase_line_id", "in", purchase_lines.ids),
                    ("claim_id", "!=", self.id),
                    ("claim_id.claim_type", "=", self.claim_type),
                    *claims_domain,
                ]
            )
        )
        claimed = {}
        for line in lines:
            key = self._aftersales_breach_key(line)
            claimed[key] = claimed.get(key, lines.browse()) | line
        return claimed

    def _aftersales_check_breach_claimed(self):
        """At sending (the claims locked): no breach claim claims what another claim of
        its type, sent meanwhile, claims already (two managers who prefilled the same goods
        in parallel), nor more than its goods still owe.

        The other live claims of the same goods are locked first (``NOWAIT``): one being
        sent right now refuses this sending; one sent since this request started fails to
        serialize and Odoo retries the request, which then sees it sent."""
        breach = self.filtered(lambda c: c.claim_type != "warranty" and c.line_ids.purchase_line_id)
        if not breach:
            return
        competitors = (
            self.env["aftersales.supplier.claim.line"]
            .sudo()
            .search(
                [
                    ("purchase_line_id", "in", breach.line_ids.purchase_line_id.ids),
                    ("claim_id", "not in", self.ids),
                    ("claim_id.claim_type", "in", breach.mapped("claim_type")),
                    ("claim_id.state", "!=", "rejected"),
                ]
            )
            .claim_id
        )
        competitors._aftersales_lock()
        sending = self.browse()
        for claim in breach:
            purchases = claim._aftersales_breach_purchases()
            owed = defaultdict(float)
            for vals in claim._aftersales_breach_lines(purchases, subtract=False):
                owed[claim._aftersales_breach_key(vals)] += vals["quantity"]
            claimed = claim._aftersales_breach_claimed(claim.line_ids.purchase_line_id, sending)
            mine = defaultdict(float)
            for line in claim.line_ids:
                key = claim._aftersales_breach_key(line)
                if key is not None:
                    mine[key, line.product_id.uom_id] += line.quantity
            for (key, uom), qty in mine.items():
                others = claimed.get(key)
                rest = owed[key] - sum(others.mapped("quantity")) if others else owed[key]
                if float_compare(qty, rest, precision_rounding=uom.rounding) > 0:
                    raise UserError(claim._aftersales_claimed_twice_message(purchases, others))
            sending |= claim

    def _aftersales_claimed_twice_message(self, purchases, others):
        orders = ", ".join(purchases.mapped("name"))
        if others:
            return self.env._(
                "Supplier claim %(claim)s claims goods of %(orders)s already claimed on "
                "%(claims)s: prefill its lines again to claim what remains.",
                claim=self.name,
                orders=orders,
                claims=", ".join(others.claim_id.mapped("name")),
            )
        return self.env._(
            "Supplier claim %(claim)s claims more than %(orders)s still owes: prefill its "
            "lines again.",
            claim=self.name,
            orders=orders,
        )

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

    def _prepare_breach_line_vals(
        self,
        product,
        quantity,
        value,
        penalty,
        lot=None,
        days=0,
        purchase_line=None,
        source_move=None,
    ):
        """A breach line: the goods' value (what the vendor owes back for goods missing or
        rejected; nothing for goods that came late) plus the penalty. ``purchase_line`` and
        ``source_move``: the goods it claims (so that no other claim claims them again)."""
        value = self.currency_id.round(value)
        claimed = penalty if self.claim_type == "late_delivery" else value + penalty
        return {
            "product_id": product.id,
            "lot_id": lot.id if lot else False,
            "purchase_line_id": purchase_line.id if purchase_line else False,
            "source_move_id": source_move.id if source_move else False,
            "quantity": quantity,
            "days_late": days,
            "goods_value": value,
            "penalty_amount": penalty,
            "amount": self.currency_id.round(claimed),
        }

    def _aftersales_shortage_lines(self, purchases, subtract=True):
        """Per order line: ordered (from a bill: billed) − received, in product units,
        less what other claims claim already (``subtract``)."""
        values = []
        billed_lines = self.bill_id.invoice_line_ids.purchase_line_id
        lines = (billed_lines or purchases.order_line).filtered(
            lambda ln: ln.product_id and not ln.display_type
        )
        claimed = self._aftersales_breach_claimed(lines) if subtract else {}
        for line in lines:
            expected = line.qty_invoiced if billed_lines else line.product_qty
            short = line.product_uom._compute_quantity(
                expected - line.qty_received, line.product_id.uom_id
            )
            if line.id in claimed:
                short -= sum(claimed[line.id].mapped("quantity"))
            if float_compare(short, 0.0, precision_rounding=line.product_id.uom_id.rounding) <= 0:
                continue
            value = short * self._aftersales_unit_price(line)
            values.append(
                self._prepare_breach_line_vals(
                    line.product_id,
                    short,
                    value,
                    self._aftersales_penalty(value),
                    purchase_line=line,
                )
            )
        return values

    def _aftersales_late_lines(self, receipts, subtract=True):
        """Per receipt move received after the promised date, unless another claim
        claims it already (``subtract``)."""
        values = []
        moves = receipts.move_ids.filtered(
            lambda m: m.state == "done" and m.purchase_line_id and m.quantity > 0
        )
        claimed = self._aftersales_breach_claimed(moves.purchase_line_id) if subtract else {}
        for move in moves:
            if move.id in claimed:
                continue
            line = move.purchase_line_id
            promised = line.date_planned or line.order_id.date_planned
            days = (move.date.date() - promised.date()).days if promised else 0
            if days <= 0:
                continue
            qty = move.product_qty
            value = qty * self._aftersales_unit_price(line)
            values.append(
                self._prepare_breach_line_vals(
                    move.product_id,
                    qty,
                    value,
                    self._aftersales_penalty(value, days),
                    days=days,
                    purchase_line=line,
                    source_move=move,
                )
            )
        return values

    def _aftersales_quality_lines(self, receipts, subtract=True):
        """The goods rejected on receipt: what the receipts' return transfers sent back to
        the vendor, per order line, product and lot, less what other claims claim already
        (``subtract``)."""
        rejected = defaultdict(float)
        sources = defaultdict(lambda: self.env["stock.move"])
        returns = receipts.move_ids.returned_move_ids.filtered(
            lambda m: m.state == "done" and m.location_dest_id.usage == "supplier"
        )
        for move in returns:
            purchase_line = move.origin_returned_move_id.purchase_line_id
            if not purchase_line:
                continue
            for ml in move.move_line_ids:
                qty = ml.product_uom_id._compute_quantity(ml.quantity, move.product_id.uom_id)
                rejected[purchase_line, move.product_id, ml.lot_id] += qty
                sources[purchase_line, move.product_id, ml.lot_id] |= move
        purchase_lines = self.env["purchase.order.line"].union(*(k[0] for k in rejected))
        claimed = self._aftersales_breach_claimed(purchase_lines) if subtract else {}
        values = []
        for (purchase_line, product, lot), qty in rejected.items():
            others = claimed.get((purchase_line.id, lot.id))
            if others:
                qty -= sum(others.mapped("quantity"))
            if float_compare(qty, 0.0, precision_rounding=product.uom_id.rounding) <= 0:
                continue
            value = qty * self._aftersales_unit_price(purchase_line)
            moves = sources[purchase_line, product, lot]
            values.append(
                self._prepare_breach_line_vals(
                    product,
                    qty,
                    value,
                    self._aftersales_penalty(value),
                    lot=lot,
                    purchase_line=purchase_line,
                    # The return that sent them back, when one did.
                    source_move=moves if len(moves) == 1 else None,
                )
            )
        return values
