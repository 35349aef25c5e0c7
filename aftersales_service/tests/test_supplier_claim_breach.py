"""Breach claims from a receipt or a vendor bill (shortage, late delivery, quality) and
claims settled outside a credit note (issue 14)."""

from datetime import timedelta

from odoo import Command, fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from .common_defect import DefectCommon


@tagged("post_install", "-at_install")
class TestSupplierClaimBreach(DefectCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # Billed on ordered quantities: a bill can claim more than was received.
        cls.part_belt.purchase_method = "purchase"
        cls.expense_belt = cls.part_belt.product_tmpl_id.get_product_accounts()["expense"]

    def _purchase(self, qty, price, days_promised=0):
        order = self.env["purchase.order"].create(
            {
                "partner_id": self.vendor.id,
                "order_line": [
                    Command.create(
                        {
                            "product_id": self.part_belt.id,
                            "product_qty": qty,
                            "price_unit": price,
                            "date_planned": fields.Datetime.subtract(
                                fields.Datetime.now(), days=days_promised
                            ),
                        }
                    )
                ],
            }
        )
        order.button_confirm()
        return order

    def _bill(self, purchase):
        purchase.action_create_invoice()
        bill = purchase.invoice_ids
        bill.invoice_date = fields.Date.today()
        bill.action_post()
        return bill

    def _return(self, receipt, qty):
        """Reject ``qty`` of the receipt's goods: a validated return to the vendor."""
        wizard = (
            self.env["stock.return.picking"]
            .with_context(active_id=receipt.id, active_model="stock.picking")
            .create({})
        )
        wizard.product_return_moves.quantity = qty
        res = wizard.action_create_returns()
        back = self.env["stock.picking"].browse(res["res_id"])
        self._deliver(back, qty=qty)
        self.assertEqual(back.state, "done")
        return back

    def _claim(self, claim_type, **vals):
        return self.SupplierClaim.create(
            {"partner_id": self.vendor.id, "claim_type": claim_type, **vals}
        )

    # Shortage ----------------------------------------------------------------------------------

    def test_shortage_from_vendor_bill_with_penalty(self):
        purchase = self._purchase(10, 12.0)
        self._deliver(purchase.picking_ids, qty=7)
        bill = self._bill(purchase)
        self.assertEqual(bill.invoice_line_ids.quantity, 10.0)
        # The vendor and the order come from the bill.
        draft = self.SupplierClaim.new({"claim_type": "shortage", "bill_id": bill.id})
        draft._onchange_aftersales_breach_source()
        self.assertEqual(draft.partner_id, self.vendor)
        self.assertEqual(draft.purchase_id, purchase)
        claim = self._claim("shortage", bill_id=bill.id, penalty_rate=10.0)
        claim.action_prefill_lines()
        # Billed 10, received 7: 3 × 12.00 = 36.00, plus 10 % penalty.
        line = claim.line_ids
        self.assertEqual(line.product_id, self.part_belt)
        self.assertEqual(line.quantity, 3.0)
        self.assertAlmostEqual(line.goods_value, 36.0)
        self.assertAlmostEqual(line.penalty_amount, 3.6)
        self.assertAlmostEqual(claim.amount_claimed, 39.6)
        claim.action_send()
        claim.action_accept()
        refund = claim.refund_move_id
        self.assertEqual(refund.move_type, "in_refund")
        self.assertAlmostEqual(refund.amount_total, 39.6)
        self.assertEqual(refund.invoice_line_ids.account_id, self.expense_belt)

    def test_prefill_refused_when_nothing_to_claim_or_other_vendor(self):
        purchase = self._purchase(5, 10.0)
        self._deliver(purchase.picking_ids, qty=5)
        for claim_type in ("shortage", "late_delivery", "quality"):
            claim = self._claim(claim_type, purchase_id=purchase.id)
            with self.assertRaises(UserError):
                claim.action_prefill_lines()
            self.assertFalse(claim.line_ids)
        other = self.SupplierClaim.create(
            {
                "partner_id": self.vendor_motor.id,
                "claim_type": "shortage",
                "purchase_id": purchase.id,
            }
        )
        with self.assertRaises(UserError):
            other.action_prefill_lines()
        self.assertFalse(other.line_ids)

    def test_shortage_claimed_once_until_rejected(self):
        """Ordered 10, received 6: 4 short. A second claim gets what the first left, and
        nothing while the first claims all 4; the vendor's rejection frees them."""
        purchase = self._purchase(10, 12.0)
        self._deliver(purchase.picking_ids, qty=6)
        first = self._claim("shortage", purchase_id=purchase.id, penalty_rate=10.0)
        first.action_prefill_lines()
        self.assertEqual(first.line_ids.purchase_line_id, purchase.order_line)
        first.line_ids.quantity = 3.0  # the manager claims 3 only
        first.line_ids.amount = 36.0
        first.action_send()
        second = self._claim("shortage", purchase_id=purchase.id, penalty_rate=10.0)
        second.action_prefill_lines()
        self.assertEqual(second.line_ids.quantity, 1.0)
        self.assertAlmostEqual(second.line_ids.goods_value, 12.0)
        self.assertAlmostEqual(second.amount_claimed, 13.2)
        second.line_ids.unlink()
        first.action_reject("Counted again: 3 short, not 4.")
        # Claimed in full by a sent claim: nothing left, the message names it.
        third = self._claim("shortage", purchase_id=purchase.id)
        third.action_prefill_lines()
        self.assertEqual(third.line_ids.quantity, 4.0)
        third.action_send()
        with self.assertRaisesRegex(UserError, third.name) as caught:
            second.action_prefill_lines()
        self.assertIn(purchase.name, str(caught.exception))
        self.assertFalse(second.line_ids)
        # The vendor rejects it: the 4 are free again.
        third.action_reject("Not short.")
        second.action_prefill_lines()
        self.assertEqual(second.line_ids.quantity, 4.0)
        self.assertAlmostEqual(second.amount_claimed, 52.8)
        second.action_send()
        self.assertEqual(second.state, "sent")

    def test_sending_what_another_claim_sent_meanwhile_is_refused(self):
        """Two managers prefill the same shortage in parallel: the second to send it is
        refused, naming the first, and its claim stays a draft."""
        purchase = self._purchase(10, 12.0)
        self._deliver(purchase.picking_ids, qty=6)
        mine = self._claim("shortage", purchase_id=purchase.id)
        theirs = self._claim("shortage", purchase_id=purchase.id)
        # Prefilled in parallel: neither saw the other's lines.
        parallel = mine._aftersales_breach_lines(purchase)
        theirs.action_prefill_lines()
        mine.write({"line_ids": [Command.create(vals) for vals in parallel]})
        self.assertEqual(mine.line_ids.quantity, 4.0)
        self.assertEqual(theirs.line_ids.quantity, 4.0)
        theirs.action_send()
        with self.assertRaisesRegex(UserError, theirs.name):
            mine.action_send()
        self.assertEqual(mine.state, "draft")
        self.assertFalse(mine.date_sent)
        self.assertEqual(mine.line_ids.quantity, 4.0)
        self.assertAlmostEqual(mine.amount_claimed, 48.0)
        # Both at once: the first goes, the second is refused, none is sent.
        both = self._claim("shortage", purchase_id=purchase.id)
        theirs.action_reject("Not short.")
        both.write({"line_ids": [Command.create(vals) for vals in parallel]})
        with self.assertRaisesRegex(UserError, "already claimed"):
            (mine | both).action_send()
        self.assertEqual((mine | both).mapped("state"), ["draft", "draft"])
        # Typed above what the order still owes: refused too.
        mine.line_ids.quantity = 5.0
        with self.assertRaisesRegex(UserError, "still owes"):
            mine.action_send()
        mine.line_ids.quantity = 4.0
        mine.action_send()
        self.assertEqual(mine.state, "sent")

    # Late delivery -----------------------------------------------------------------------------

    def test_late_delivery_per_day_once_and_cap_from_receipt_or_bill(self):
        purchase = self._purchase(10, 10.0, days_promised=5)
        receipt = purchase.picking_ids
        self._deliver(receipt, qty=10)
        bill = self._bill(purchase)
        cases = [
            # (source, penalty type, rate, cap, expected): goods worth 100.00, 5 days late.
            ({"receipt_picking_id": receipt.id}, "per_day", 1.0, 0.0, 5.0),
            ({"bill_id": bill.id}, "per_day", 1.0, 0.0, 5.0),
            ({"receipt_picking_id": receipt.id}, "flat", 3.0, 0.0, 3.0),
            ({"receipt_picking_id": receipt.id}, "per_day", 1.0, 2.0, 2.0),
        ]
        for source, penalty_type, rate, cap, expected in cases:
            claim = self._claim(
                "late_delivery",
                penalty_type=penalty_type,
                penalty_rate=rate,
                penalty_cap=cap,
                **source,
            )
            claim.action_prefill_lines()
            line = claim.line_ids
            self.assertEqual(line.days_late, 5)
            self.assertEqual(line.quantity, 10.0)
            self.assertAlmostEqual(line.goods_value, 100.0)
            self.assertAlmostEqual(line.penalty_amount, expected)
            self.assertAlmostEqual(claim.amount_claimed, expected, msg=str(source))

    def test_late_receipt_claimed_once(self):
        purchase = self._purchase(10, 10.0, days_promised=5)
        receipt = purchase.picking_ids
        self._deliver(receipt, qty=10)
        first = self._claim("late_delivery", receipt_picking_id=receipt.id, penalty_rate=1.0)
        first.action_prefill_lines()
        self.assertEqual(first.line_ids.source_move_id, receipt.move_ids)
        self.assertEqual(first.line_ids.purchase_line_id, purchase.order_line)
        first.action_send()
        # The same receipt, from the order: refused, naming the first claim.
        second = self._claim("late_delivery", purchase_id=purchase.id, penalty_rate=1.0)
        with self.assertRaisesRegex(UserError, first.name):
            second.action_prefill_lines()
        self.assertFalse(second.line_ids)
        # Another type of claim on the same receipt is no double claim.
        shortage = self._claim("shortage", purchase_id=purchase.id)
        with self.assertRaisesRegex(UserError, "was received"):
            shortage.action_prefill_lines()
        first.action_reject("Delivered on time.")
        second.action_prefill_lines()
        self.assertEqual(second.line_ids.source_move_id, receipt.move_ids)
        self.assertAlmostEqual(second.amount_claimed, 5.0)

    # Quality -----------------------------------------------------------------------------------

    def test_quality_claims_the_goods_rejected_on_receipt(self):
        purchase = self._purchase(10, 10.0)
        receipt = purchase.picking_ids
        self._deliver(receipt, qty=10)
        self._return(receipt, 4)
        self.assertEqual(purchase.order_line.qty_received, 6.0)
        claim = self._claim("quality", receipt_picking_id=receipt.id, penalty_rate=5.0)
        claim.action_prefill_lines()
        line = claim.line_ids
        self.assertEqual(line.product_id, self.part_belt)
        self.assertEqual(line.quantity, 4.0)
        self.assertAlmostEqual(line.goods_value, 40.0)
        self.assertAlmostEqual(line.penalty_amount, 2.0)
        self.assertAlmostEqual(claim.amount_claimed, 42.0)
        # The same from the order's bill.
        bill = self._bill(purchase)
        from_bill = self._claim("quality", bill_id=bill.id, penalty_rate=5.0)
        from_bill.action_prefill_lines()
        self.assertAlmostEqual(from_bill.amount_claimed, 42.0)
        claim.action_send()
        claim.action_accept(40.0)
        self.assertEqual(claim.state, "accepted")
        self.assertAlmostEqual(claim.refund_move_id.amount_total, 40.0)
        self.assertEqual(claim.refund_move_id.invoice_line_ids.account_id, self.expense_belt)
        # Claimed and accepted: the rejected goods are not claimed again, from the bill
        # (the draft prefilled before is refused at sending) or from the order.
        with self.assertRaisesRegex(UserError, claim.name):
            from_bill.action_send()
        self.assertEqual(from_bill.state, "draft")
        again = self._claim("quality", purchase_id=purchase.id)
        with self.assertRaisesRegex(UserError, claim.name):
            again.action_prefill_lines()
        self.assertFalse(again.line_ids)

    # Paid outside a credit note ----------------------------------------------------------------

    def test_mark_paid_records_amount_date_and_recovery(self):
        order, defect = self._warranty_order(self.lot_warranty, self.part_pump, hours=2.0)
        action = defect.action_create_supplier_claim()
        claim = self.SupplierClaim.search(action["domain"])
        self.assertEqual(claim.amount_claimed, 50.0)
        claim.action_send()
        yesterday = fields.Date.today() - timedelta(days=1)
        with self.assertRaises(UserError):  # paid before the claim was sent
            claim.with_user(self.manager).action_mark_paid(20.0, yesterday)
        self.assertEqual(claim.state, "sent")
        claim.with_user(self.manager).action_mark_paid(20.0)
        self.assertEqual(claim.state, "paid")
        self.assertAlmostEqual(claim.amount_recovered, 20.0)
        self.assertEqual(claim.date_paid, fields.Date.today())
        self.assertFalse(claim.refund_move_id)
        self.assertAlmostEqual(claim.line_ids.amount_recovered, 20.0)
        self.assertAlmostEqual(order.aftersales_amount_recovered, 20.0)
        self.assertAlmostEqual(order.aftersales_amount_warranty_net, 70.0)
        self.assertIn("Paid by the vendor", claim.message_ids[:1].body)
        # Settled once: neither paid again nor accepted.
        with self.assertRaises(UserError):
            claim.with_user(self.manager).action_mark_paid()
        with self.assertRaises(UserError):
            claim.action_accept()
        self.assertAlmostEqual(claim.amount_recovered, 20.0)

    def test_mark_paid_bad_input_and_access_change_nothing(self):
        purchase = self._purchase(10, 12.0)
        self._deliver(purchase.picking_ids, qty=7)
        claim = self._claim("shortage", purchase_id=purchase.id)
        claim.action_prefill_lines()
        with self.assertRaises(UserError):  # draft
            claim.with_user(self.manager).action_mark_paid()
        claim.action_send()
        tomorrow = fields.Date.today() + timedelta(days=1)
        for amount, date in (
            (36.01, None),
            (-1.0, None),
            ("36", None),
            (None, tomorrow),
            (None, "not a date"),
            (None, 20260101),
            (None, fields.Date.today() - timedelta(days=3)),  # before it was sent
        ):
            with self.assertRaises(UserError, msg=f"{amount!r} {date!r}"):
                claim.with_user(self.manager).action_mark_paid(amount, date)
        for user in (self.frontdesk, self.technician):
            with self.assertRaises(AccessError):
                claim.with_user(user).action_mark_paid()
        with self.assertRaises(UserError):
            claim.write({"date_paid": fields.Date.today()})
        with self.assertRaises(UserError):
            claim.write({"state": "paid"})
        self.assertEqual(claim.state, "sent")
        self.assertFalse(claim.amount_recovered)
        self.assertFalse(claim.date_paid)
        self.assertFalse(claim.line_ids.amount_recovered)
        # From the form: the amount and date typed there.
        claim.with_user(self.manager).write(
            {"amount_offered": 30.0, "payment_date": fields.Date.today()}
        )
        claim.with_user(self.manager).action_mark_paid_from_form()
        self.assertEqual(claim.state, "paid")
        self.assertAlmostEqual(claim.amount_recovered, 30.0)
        self.assertEqual(claim.date_paid, fields.Date.today())
        self.assertFalse(claim.amount_offered)
