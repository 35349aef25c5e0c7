from datetime import datetime, timedelta

from odoo import Command, fields
from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import AftersalesCommon


@tagged("post_install", "-at_install")
class TestClaimBooks(AftersalesCommon):
    """The money and the law of a claim: what may be credited, with which taxes and on
    which account, the price the penalty is computed on, and the time zone of the clock
    (issue #10 points 1, 5, 8, 11)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.vat20 = cls.env["account.tax"].create(
            {
                "name": "VAT 20% (claims)",
                "amount": 20.0,
                "amount_type": "percent",
                "type_tax_use": "sale",
                "company_id": cls.company.id,
            }
        )
        cls.product_unit.taxes_id = [Command.set(cls.vat20.ids)]
        cls.expense_account = cls.env["account.account"].create(
            {
                "name": "Claim Compensations",
                "code": "623900",
                "account_type": "expense",
                "company_ids": [Command.link(cls.company.id)],
            }
        )
        cls.order, cls.lots = cls._sell_and_deliver(cls.customer_ru, serials=("BK-1", "BK-2"))
        cls.invoice = cls._invoice(cls.order)
        cls.invoice_line = cls.invoice.invoice_line_ids.filtered(
            lambda aml: aml.product_id == cls.product_unit
        )

    def _claim(self, lot, request="refund"):
        claim = self._create_claim(self.customer_ru, lot, request=request)
        claim.action_start_diagnosis()
        return claim

    def _snapshot(self, claim):
        return (
            claim.state,
            claim.decision,
            len(claim.picking_ids),
            len(claim.refund_move_ids),
            self.env["account.move"].search_count([("move_type", "=", "out_refund")]),
            self.env["stock.picking"].search_count([]),
        )

    def _reverse_by_hand(self, invoice, qty=None):
        """Credit note made with the host's reversal wizard (draft, then ``qty`` units)."""
        wizard = (
            self.env["account.move.reversal"]
            .with_context(active_model="account.move", active_ids=invoice.ids)
            .create({"journal_id": invoice.journal_id.id, "reason": "Goodwill by hand"})
        )
        action = wizard.refund_moves()
        credit_note = self.env["account.move"].browse(action["res_id"])
        if qty is not None:
            credit_note.invoice_line_ids.filtered(
                lambda aml: aml.product_id == self.product_unit
            ).quantity = qty
        credit_note.action_post()
        return credit_note

    # Point 1: no unit credited twice ---------------------------------------------------------

    def test_refund_counts_credit_notes_made_by_hand(self):
        # Two units invoiced; one already credited by hand (partial reversal by the host's
        # wizard): one unit is left to credit, and only one.
        self.assertEqual(self.invoice_line.quantity, 2)
        hand = self._reverse_by_hand(self.invoice, qty=1)
        self.assertEqual(hand.reversed_entry_id, self.invoice)
        first = self._claim(self.lots[0])
        self.assertEqual(first._creditable_qty(), 1)
        first.with_user(self.manager).action_decide("refund")
        self.assertEqual(first.refund_move_ids.invoice_line_ids.quantity, 1)
        self.assertEqual(first._creditable_qty(), 0)
        second = self._claim(self.lots[1])
        before = self._snapshot(second)
        with self.assertRaisesRegex(UserError, "Nothing is left to credit"):
            second.with_user(self.manager).action_decide("refund")
        self.assertEqual(self._snapshot(second), before)
        self.assertEqual(self.order.order_line.qty_invoiced, 0)

    def test_refund_after_full_reversal_changes_nothing(self):
        self._reverse_by_hand(self.invoice)
        claim = self._claim(self.lots[0])
        before = self._snapshot(claim)
        with self.assertRaises(UserError):
            claim.with_user(self.manager).action_decide("refund")
        self.assertEqual(self._snapshot(claim), before)
        self.assertEqual(claim.state, "diagnosis")
        self.assertFalse(claim.picking_ids)

    def test_price_reduction_needs_something_to_credit(self):
        self._reverse_by_hand(self.invoice)
        claim = self._claim(self.lots[0], request="price_reduction")
        before = self._snapshot(claim)
        with self.assertRaises(UserError):
            claim.with_user(self.manager).action_decide("price_reduction", amount=120.0)
        self.assertEqual(self._snapshot(claim), before)

    # Point 5: price reduction vs compensation -------------------------------------------------

    def test_price_reduction_carries_taxes_and_reduces_the_invoice(self):
        claim = self._claim(self.lots[0], request="price_reduction")
        claim.with_user(self.manager).action_decide("price_reduction", amount=120.0)
        credit = claim.refund_move_ids
        self.assertEqual(credit.move_type, "out_refund")
        self.assertEqual(credit.state, "posted")
        self.assertEqual(credit.reversed_entry_id, self.invoice)
        line = credit.invoice_line_ids
        self.assertEqual(line.tax_ids, self.vat20)
        self.assertEqual(line.account_id, self.invoice_line.account_id)
        # 120 back to the consumer = 100 off the taxable base + 20 of VAT.
        self.assertAlmostEqual(credit.amount_total, 120.0)
        self.assertAlmostEqual(credit.amount_untaxed, 100.0)
        self.assertAlmostEqual(credit.amount_tax, 20.0)
        tax_line = credit.line_ids.filtered(lambda aml: aml.display_type == "tax")
        self.assertAlmostEqual(tax_line.debit, 20.0)
        self.assertEqual(tax_line.tax_line_id, self.vat20)
        # No unit came back: the delivered and invoiced quantities stay.
        self.assertEqual(self.order.order_line.qty_invoiced, 2)
        self.assertEqual(claim._creditable_qty(), 2)

    def test_compensation_goes_to_expense_account(self):
        claim = self._claim(self.lots[0], request="compensation")
        self.company.aftersales_compensation_account_id = False
        before = self._snapshot(claim)
        with self.assertRaisesRegex(UserError, "Compensation Expense"):
            claim.with_user(self.manager).action_decide("compensation", amount=80.0)
        self.assertEqual(self._snapshot(claim), before)
        self.company.aftersales_compensation_account_id = self.expense_account
        claim.with_user(self.manager).action_decide("compensation", amount=80.0)
        credit = claim.refund_move_ids
        line = credit.invoice_line_ids
        self.assertEqual(line.account_id, self.expense_account)
        self.assertFalse(line.tax_ids)
        self.assertAlmostEqual(line.debit, 80.0)
        self.assertAlmostEqual(credit.amount_total, 80.0)
        self.assertAlmostEqual(credit.amount_tax, 0.0)
        self.assertFalse(credit.reversed_entry_id)
        income = self.invoice_line.account_id
        self.assertFalse(credit.line_ids.filtered(lambda aml: aml.account_id == income))

    # Point 8: penalty base -------------------------------------------------------------------

    def test_penalty_on_price_paid_tax_included(self):
        order, lots = self._sell_and_deliver(self.customer_ru, serials=("BK-PEN",))
        order.order_line.write({"discount": 10.0})  # 900 + 20 % VAT = 1,080 paid
        self.assertAlmostEqual(order.order_line.price_total, 1080.0)
        claim = self._create_claim(
            self.customer_ru,
            lots,
            request="repair",
            date_received=fields.Datetime.now() - timedelta(days=60),
        )
        self.assertAlmostEqual(claim.unit_price, 1080.0)
        days_late = (claim._today() - claim.date_resolution_due).days
        self.assertEqual(days_late, 15)  # RU repair: 45 days
        self.assertAlmostEqual(claim.penalty_amount, 1080.0 * 0.01 * 15)
        claim.action_start_diagnosis()
        claim.with_user(self.manager).action_decide("reject", reason="User fault")
        self.assertEqual(claim.state, "rejected")
        self.assertEqual(claim.penalty_amount, 0.0)

    def test_no_penalty_on_cancelled_claim(self):
        claim = self._create_claim(
            self.customer_ru,
            self.lots[0],
            date_received=fields.Datetime.now() - timedelta(days=60),
        )
        self.assertGreater(claim.penalty_amount, 0.0)
        claim.action_cancel()
        self.assertEqual(claim.penalty_amount, 0.0)
        self.assertEqual(claim._penalty_on(claim._today() + timedelta(days=30)), 0.0)

    # Point 11: company time zone -------------------------------------------------------------

    def test_due_dates_in_company_time_zone(self):
        # 20:00 UTC on 10 March is 11 March 06:00 in Vladivostok (the company) and still
        # 10 March 13:00 in Los Angeles (the user typing the claim).
        self.company.partner_id.tz = "Asia/Vladivostok"
        self.frontdesk.tz = "America/Los_Angeles"
        received = datetime(2026, 3, 10, 20, 0)
        claim = (
            self.env["aftersales.claim"]
            .with_user(self.frontdesk)
            .with_context(tz="America/Los_Angeles")
            .create(
                {"partner_id": self.customer_ru.id, "request": "repair", "date_received": received}
            )
        )
        self.assertEqual(claim.date_response_due, fields.Date.to_date("2026-03-21"))
        self.assertEqual(claim.date_resolution_due, fields.Date.to_date("2026-04-25"))

    def test_clock_zone_follows_company_and_warehouses(self):
        """The clock's zone is cached per transaction and follows each change of its
        sources: the company's zone, the first warehouse's address, archiving it."""
        company = self.company
        company.partner_id.tz = "Europe/Moscow"
        self.assertEqual(company.aftersales_clock_tz, "Europe/Moscow")
        company.partner_id.tz = False
        self.assertFalse(company.aftersales_clock_tz)
        self.warehouse.partner_id = self.env["res.partner"].create(
            {"name": "Vladivostok depot", "tz": "Asia/Vladivostok"}
        )
        self.assertEqual(company.aftersales_clock_tz, "Asia/Vladivostok")
        self.warehouse.partner_id = False
        self.assertFalse(company.aftersales_clock_tz)

    def test_due_dates_in_warehouse_time_zone(self):
        self.company.partner_id.tz = False
        self.warehouse.partner_id = self.env["res.partner"].create(
            {"name": "Vladivostok depot", "tz": "Asia/Vladivostok"}
        )
        received = datetime(2026, 3, 10, 20, 0)
        claim = (
            self.env["aftersales.claim"]
            .with_context(tz="America/Los_Angeles")
            .create(
                {"partner_id": self.customer_ru.id, "request": "repair", "date_received": received}
            )
        )
        self.assertEqual(claim.date_resolution_due, fields.Date.to_date("2026-04-25"))
