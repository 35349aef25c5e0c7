# Copyright 2026 aftersales_service authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import timedelta

from psycopg2 import IntegrityError

from odoo import Command, fields
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import new_test_user, tagged
from odoo.tools import mute_logger

from .test_repair import RepairCommon


class AgreementCommon(RepairCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.dealer = cls.env["res.partner"].create({"name": "Dealer Garage", "is_company": True})
        cls.agreement = cls.env["aftersales.agreement"].create(
            {
                "partner_id": cls.dealer.id,
                "kind": "dealer",
                "date_start": fields.Date.today() - timedelta(days=100),
                "date_end": fields.Date.today() + timedelta(days=200),
                "labor_rate": 50.0,
                "parts_markup": 10.0,
                "response_days": 5,
            }
        )
        cls.agreement.action_activate()
        cls.today = fields.Date.today()

    def _dealer_order(self, lot=None, **vals):
        lot = lot or self.lot_warranty
        claim = self._create_claim(self.customer_ru, lot=lot, dealer_id=self.dealer.id)
        return self._new_order(
            lot,
            parts=[(self.part_pump, 1), (self.part_belt, 2)],
            labor=[(self.technician, 2.0)],
            aftersales_on_site=True,
            aftersales_claim_id=claim.id,
            **vals,
        )

    def _bills(self):
        return self.env["account.move"].search(
            [("move_type", "=", "in_invoice"), ("partner_id", "=", self.dealer.id)]
        )


@tagged("post_install", "-at_install")
class TestAgreementDealer(AgreementCommon):
    def test_dealer_bill_amounts_and_warranty_cost(self):
        order = self._dealer_order()
        self.assertEqual(order.aftersales_dealer_id, self.dealer)
        self.assertEqual(order.aftersales_claim_id.channel, "dealer")
        self._finish(order)
        self.assertAlmostEqual(order.aftersales_cost_parts, 70.0)  # 50 + 2 x 10 at FIFO
        self.assertTrue(order.aftersales_can_bill_dealer)
        order.with_user(self.manager).action_aftersales_bill_dealer()
        bill = order.aftersales_dealer_bill_id
        self.assertEqual(bill, self._bills())
        self.assertEqual(bill.move_type, "in_invoice")
        self.assertEqual(bill.state, "draft")
        self.assertEqual(bill.partner_id, self.dealer)
        self.assertEqual(bill.invoice_origin, order.name)
        lines = bill.invoice_line_ids
        self.assertEqual(lines.account_id, self.expense_warranty)
        labor = lines.filtered(lambda line: not line.product_id)
        self.assertEqual((labor.quantity, labor.price_unit), (2.0, 50.0))
        pump = lines.filtered(lambda line: line.product_id == self.part_pump)
        belt = lines.filtered(lambda line: line.product_id == self.part_belt)
        self.assertAlmostEqual(pump.price_subtotal, 55.0)  # 50 x 1.10
        self.assertAlmostEqual(belt.price_subtotal, 22.0)  # 2 x 10 x 1.10
        self.assertAlmostEqual(bill.amount_untaxed, 177.0)
        self.assertFalse(lines.tax_ids)
        # The order's warranty cost is what we pay the dealer, and follows the bill.
        self.assertAlmostEqual(order.aftersales_amount_warranty, 177.0)
        self.assertFalse(order.aftersales_can_bill_dealer)

    def test_dealer_billed_once(self):
        order = self._dealer_order()
        self._finish(order)
        self.env["repair.order"].browse([order.id, order.id]).action_aftersales_bill_dealer()
        self.assertEqual(len(self._bills()), 1)
        bill = order.aftersales_dealer_bill_id
        with self.assertRaises(UserError) as caught:
            order.action_aftersales_bill_dealer()
        self.assertIn("already billed", str(caught.exception))
        self.assertEqual(self._bills(), bill)
        self.assertEqual(order.aftersales_dealer_bill_id, bill)
        # A cancelled bill can be made again, once.
        bill.button_cancel()
        order.action_aftersales_bill_dealer()
        self.assertEqual(len(self._bills()), 2)
        self.assertNotEqual(order.aftersales_dealer_bill_id, bill)

    def test_dealer_bill_refusals_change_nothing(self):
        order = self._dealer_order()
        plain = self._new_order(
            self.lot_billable, labor=[(self.technician, 1.0)], aftersales_on_site=True
        )
        self._finish(plain)
        with self.assertRaises(UserError):  # not done
            order.action_aftersales_bill_dealer()
        self._finish(order)
        moves = self.env["account.move"].search_count([])
        with self.assertRaises(AccessError):  # technicians do not bill
            order.with_user(self.technician).action_aftersales_bill_dealer()
        with self.assertRaises(AccessError):  # the link is the action's
            order.write({"aftersales_dealer_bill_id": plain.aftersales_warranty_move_id.id or 1})
        self.agreement.action_expire()
        self.agreement.action_reset_draft()  # a draft agreement is not in force
        with self.assertRaises(UserError) as caught:
            order.action_aftersales_bill_dealer()
        self.assertIn("No active dealer agreement", str(caught.exception))
        with self.assertRaises(UserError):  # not a dealer's claim
            plain.action_aftersales_bill_dealer()
        self.assertEqual(self.env["account.move"].search_count([]), moves)
        self.assertFalse(order.aftersales_dealer_bill_id)
        self.assertFalse(self._bills())

    # One booking of the warranty share ----------------------------------------------------

    def _warranty_lines(self):
        """Posted journal items on the warranty expense account."""
        return self.env["account.move.line"].search(
            [("account_id", "=", self.expense_warranty.id), ("parent_state", "=", "posted")]
        )

    def test_bill_dealer_then_invoice_books_once(self):
        order = self._dealer_order()
        self._finish(order)
        self.assertTrue(order.aftersales_can_invoice)
        order.with_user(self.manager).action_aftersales_bill_dealer()
        bill = order.aftersales_dealer_bill_id
        self.assertAlmostEqual(order.aftersales_amount_warranty, 177.0)
        entries = self.env["account.move"].search_count([("move_type", "=", "entry")])
        # Invoice Service on a fully covered dealer's order: no customer invoice, and no
        # warranty entry (the dealer bill books the warranty share).
        order.with_user(self.manager).action_aftersales_invoice()
        self.assertTrue(order.aftersales_invoiced)
        self.assertFalse(order.aftersales_invoice_id)
        self.assertFalse(order.aftersales_warranty_move_id)
        self.assertEqual(
            self.env["account.move"].search_count([("move_type", "=", "entry")]), entries
        )
        self.assertFalse(self._warranty_lines())
        bill.invoice_date = self.today
        bill.action_post()
        self.assertAlmostEqual(sum(self._warranty_lines().mapped("balance")), 177.0)
        self.assertEqual(self._warranty_lines().move_id, bill)
        self.assertAlmostEqual(order.aftersales_amount_warranty, 177.0)
        self.assertEqual(self._bills(), bill)

    def test_dealer_removed_after_billing_still_books_once(self):
        """Clearing the claim's dealer once the dealer is billed does not bring our warranty
        entry back: the bill already booked the warranty share."""
        order = self._dealer_order()
        self._finish(order)
        order.with_user(self.manager).action_aftersales_bill_dealer()
        bill = order.aftersales_dealer_bill_id
        order.aftersales_claim_id.write({"dealer_id": False})
        self.assertFalse(order.aftersales_dealer_id)
        order.with_user(self.manager).action_aftersales_invoice()
        self.assertFalse(order.aftersales_warranty_move_id)
        bill.invoice_date = self.today
        bill.action_post()
        self.assertAlmostEqual(sum(self._warranty_lines().mapped("balance")), 177.0)
        self.assertEqual(self._warranty_lines().move_id, bill)

    def test_invoice_then_bill_dealer_books_once(self):
        order = self._dealer_order()
        order.with_user(self.manager).write(
            {"aftersales_parts_coverage": 50.0, "aftersales_coverage_reason": "Half goodwill"}
        )
        self._finish(order)
        # The customer pays half the parts at sale prices: 80 x 50 % + 2 x 25 x 50 %.
        self.assertAlmostEqual(order.aftersales_amount_billable, 65.0)
        order.with_user(self.manager).action_aftersales_invoice()
        invoice = order.aftersales_invoice_id
        self.assertEqual(invoice.move_type, "out_invoice")
        self.assertAlmostEqual(invoice.amount_untaxed, 65.0)
        self.assertFalse(order.aftersales_warranty_move_id)
        self.assertFalse(self._warranty_lines())
        # The dealer is still billed, once, and its bill is the only warranty booking.
        self.assertTrue(order.aftersales_can_bill_dealer)
        order.with_user(self.manager).action_aftersales_bill_dealer()
        bill = order.aftersales_dealer_bill_id
        self.assertAlmostEqual(bill.amount_untaxed, 177.0)
        bill.invoice_date = self.today
        bill.action_post()
        invoice.action_post()
        self.assertAlmostEqual(sum(self._warranty_lines().mapped("balance")), 177.0)
        self.assertEqual(self._warranty_lines().move_id, bill)
        self.assertAlmostEqual(order.aftersales_amount_warranty, 177.0)
        with self.assertRaises(UserError):  # settled: not invoiced twice
            order.action_aftersales_invoice()
        self.assertEqual(
            self.env["account.move"].search([("invoice_origin", "=", order.name)]), invoice + bill
        )

    def test_bill_dealer_refused_after_warranty_entry(self):
        """An order settled with our warranty entry before its claim named a dealer: billing
        the dealer would book the warranty share twice, so it is refused."""
        claim = self._create_claim(self.customer_ru, lot=self.lot_warranty)
        order = self._new_order(
            self.lot_warranty,
            parts=[(self.part_pump, 1)],
            aftersales_on_site=True,
            aftersales_claim_id=claim.id,
        )
        self._finish(order)
        order.action_aftersales_invoice()
        entry = order.aftersales_warranty_move_id
        self.assertEqual(entry.state, "posted")
        self.assertAlmostEqual(sum(self._warranty_lines().mapped("balance")), 50.0)
        claim._write({"dealer_id": self.dealer.id})
        order.invalidate_recordset(["aftersales_dealer_id"])
        order._write({"aftersales_dealer_id": self.dealer.id})
        self.assertFalse(order.aftersales_can_bill_dealer)
        with self.assertRaises(UserError) as caught:
            order.action_aftersales_bill_dealer()
        self.assertIn("already booked", str(caught.exception))
        self.assertFalse(self._bills())
        self.assertFalse(order.aftersales_dealer_bill_id)
        self.assertEqual(self._warranty_lines().move_id, entry)

    def test_claim_dealer_rules(self):
        claim = self._create_claim(
            self.customer_ru, lot=self.lot_warranty_2, dealer_id=self.dealer.id
        )
        self.assertEqual(claim.channel, "dealer")
        with self.assertRaises(ValidationError):
            self._create_claim(
                self.customer_ru,
                lot=self.lot_warranty_2,
                defect=False,
                dealer_id=self.customer_ru.id,
            )


@tagged("post_install", "-at_install")
class TestAgreement(AgreementCommon):
    def _agreement(self, **vals):
        values = {
            "partner_id": self.dealer.id,
            "kind": "dealer",
            "date_start": self.today - timedelta(days=10),
            "labor_rate": 1.0,
        }
        values.update(vals)
        agreement = self.env["aftersales.agreement"].create(values)
        agreement.action_activate()
        return agreement

    def test_find_agreement_most_specific(self):
        Agreement = self.env["aftersales.agreement"]
        find = Agreement._aftersales_find_agreement
        unit = self.product_unit
        self.assertEqual(find(self.dealer, unit, "dealer", self.today), self.agreement)
        by_categ = self._agreement(categ_ids=[Command.link(self.categ_units.id)])
        self.assertEqual(find(self.dealer, unit, "dealer", self.today), by_categ)
        self.assertEqual(find(self.dealer, self.part_pump, "dealer", self.today), self.agreement)
        by_product = self._agreement(
            product_tmpl_ids=[Command.link(unit.product_tmpl_id.id)],
            date_start=self.today - timedelta(days=50),
        )
        self.assertEqual(find(self.dealer, unit, "dealer", self.today), by_product)
        # A contact of the dealer finds the company's agreement.
        contact = self.env["res.partner"].create({"name": "Mechanic", "parent_id": self.dealer.id})
        self.assertEqual(find(contact, unit, "dealer", self.today), by_product)
        # Outside the dates, another kind, a draft, another partner: none.
        self.assertFalse(find(self.dealer, unit, "dealer", self.today - timedelta(days=365)))
        self.assertFalse(find(self.dealer, unit, "supplier", self.today))
        self.assertFalse(find(self.vendor, unit, "dealer", self.today))
        draft = Agreement.create({"partner_id": self.vendor.id, "kind": "supplier"})
        self.assertFalse(find(self.vendor, unit, "supplier", self.today))
        self.assertEqual(draft.state, "draft")
        with self.assertRaises(ValidationError):
            find(self.dealer, unit, "friend", self.today)

    def test_supplier_terms_from_agreement(self):
        SupplierClaim = self.env["aftersales.supplier.claim"]
        default = SupplierClaim._aftersales_supplier_terms(
            self.vendor, self.company, self.part_pump
        )
        self.assertEqual((default["labor_rate"], default["response_days"]), (0.0, 30))
        self._agreement(
            partner_id=self.vendor.id,
            kind="supplier",
            labor_rate=30.0,
            response_days=15,
            warranty_months=18,
        )
        terms = SupplierClaim._aftersales_supplier_terms(
            self.vendor, self.company, self.part_pump, self.today
        )
        self.assertEqual(
            (terms["labor_rate"], terms["response_days"], terms.get("warranty_months")),
            (30.0, 15, 18),
        )

    def test_state_only_through_actions(self):
        agreement = self.env["aftersales.agreement"].create(
            {
                "partner_id": self.dealer.id,
                "date_end": self.today - timedelta(days=1),
                "date_start": self.today - timedelta(days=30),
            }
        )
        self.assertTrue(agreement.name.startswith("AGR/"))
        with self.assertRaises(UserError):
            agreement.write({"state": "active"})
        with self.assertRaises(UserError):  # already ended
            agreement.action_activate()
        self.assertEqual(agreement.state, "draft")
        with self.assertRaises(UserError):
            self.agreement.action_activate()  # active already
        with self.assertRaises(UserError):
            self.agreement.unlink()
        self.assertTrue(self.agreement.exists())

    def test_bad_values_refused(self):
        Agreement = self.env["aftersales.agreement"]
        for vals in (
            {"labor_rate": -1.0},
            {"parts_markup": -5.0},
            {"response_days": -2},
            {"date_start": self.today, "date_end": self.today - timedelta(days=1)},
        ):
            with (
                self.subTest(vals=vals),
                mute_logger("odoo.sql_db"),
                self.assertRaises(IntegrityError),
                self.cr.savepoint(),
            ):
                Agreement.create({"partner_id": self.dealer.id, **vals})

    def test_expiry_cron_and_reminder(self):
        Agreement = self.env["aftersales.agreement"]
        ended = self._agreement(date_end=self.today + timedelta(days=5))
        ending = self._agreement(date_end=self.today + timedelta(days=20))
        later = self._agreement(date_end=self.today + timedelta(days=90))
        # The end date passes (the date can move, the state cannot).
        ended.date_end = self.today - timedelta(days=1)
        Agreement._cron_aftersales_agreement_expiry()
        self.assertEqual(ended.state, "expired")
        self.assertEqual(ending.state, "active")
        self.assertEqual(len(ending.activity_ids), 1)
        self.assertEqual(ending.activity_ids.date_deadline, self.today)
        self.assertFalse(later.activity_ids)
        Agreement._cron_aftersales_agreement_expiry()
        self.assertEqual(len(ending.activity_ids), 1)  # reminded once

    def test_access_per_role(self):
        agreement = self.agreement
        vals = {"partner_id": self.dealer.id, "kind": "dealer"}
        created = self.env["aftersales.agreement"].with_user(self.manager).create(vals)
        created.with_user(self.manager).action_activate()
        self.assertEqual(created.state, "active")
        self.assertEqual(agreement.with_user(self.frontdesk).labor_rate, 50.0)
        self.assertEqual(agreement.with_user(self.technician).labor_rate, 50.0)
        with self.assertRaises(AccessError):
            self.env["aftersales.agreement"].with_user(self.frontdesk).create(vals)
        with self.assertRaises(AccessError):
            agreement.with_user(self.frontdesk).write({"labor_rate": 1.0})
        with self.assertRaises(AccessError):
            agreement.with_user(self.plain_user).read(["labor_rate"])
        other = self.env["res.company"].create({"name": "Other Co (agreements)"})
        outsider = new_test_user(
            self.env,
            login="as_manager_other",
            groups="aftersales_service.group_aftersales_manager",
            company_id=other.id,
            company_ids=[Command.set(other.ids)],
        )
        self.assertFalse(
            self.env["aftersales.agreement"].with_user(outsider).search([("id", "=", agreement.id)])
        )

    def test_demo_builder(self):
        if not self.env.ref("aftersales_service.demo_lot_washer_07", raise_if_not_found=False):
            self.skipTest("needs the demo data")
        Agreement = self.env["aftersales.agreement"]
        built = Agreement.search([("title", "=", "Dealer warranty service")])
        if not built:  # a database installed before the builder existed
            self.assertTrue(self.env["aftersales.demo"]._aftersales_demo_desk())
            built = Agreement.search([("title", "=", "Dealer warranty service")])
        self.assertEqual(built.state, "active")
        self.assertTrue(built.activity_ids)  # ends within 30 days: renewal reminder
        self.assertTrue(
            self.env["aftersales.claim"].search([("dealer_id", "=", built.partner_id.id)])
        )
        self.assertTrue(self.env["aftersales.team"].search([("name", "=", "Moscow Workshop")]))
        self.assertTrue(self.env["aftersales.service.plan"].search_count([]))
        self.assertTrue(self.env["aftersales.competitor.policy"].search_count([]))
