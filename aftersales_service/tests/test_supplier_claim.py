"""Recovery from suppliers and breach claims (issue 14)."""

import math
from datetime import timedelta
from unittest.mock import patch

from odoo import Command, fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user, tagged

from .common_defect import DefectCommon


@tagged("post_install", "-at_install")
class TestSupplierClaim(DefectCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.vendor.country_id = cls.country_de

    def _three_defects(self):
        """Pump (shared vendor) and belt (shared vendor) on two settled warranty orders, and
        a motor of Motor Works' lot recorded on a claim."""
        order1, defect1 = self._warranty_order(self.lot_warranty, self.part_pump, hours=2.0)
        order2, defect2 = self._warranty_order(self.lot_warranty_2, self.part_belt, hours=1.0)
        claim = self._create_claim(self.customer_ru, lot=self.lot_billable, defect=False)
        defect3 = self._defect(claim=claim, component=self.part_motor, lot=self.motor_lot)
        return (order1, order2), defect1 | defect2 | defect3

    def _claims_for(self, defects):
        action = defects.action_create_supplier_claim()
        return self.SupplierClaim.search(action["domain"])

    # From defects to draft claims ----------------------------------------------------------

    def test_one_draft_claim_per_supplier(self):
        orders, defects = self._three_defects()
        before = self.SupplierClaim.search_count([])  # the demo's, when installed
        claims = self._claims_for(defects)
        self.assertEqual(len(claims), 2)
        shared = claims.filtered(lambda c: c.partner_id == self.vendor)
        motor = claims.filtered(lambda c: c.partner_id == self.vendor_motor)
        self.assertEqual(shared.claim_type, "warranty")
        self.assertEqual(shared.state, "draft")
        self.assertTrue(shared.name.startswith("SCL/"))
        # Component cost (its valuation on the order), no labor without an agreement.
        self.assertEqual(sorted(shared.line_ids.mapped("amount")), [10.0, 50.0])
        self.assertEqual(shared.amount_claimed, 60.0)
        self.assertEqual(shared.line_ids.repair_id, orders[0] | orders[1])
        self.assertEqual(motor.amount_claimed, 80.0)
        self.assertEqual(motor.line_ids.lot_id, self.motor_lot)
        self.assertTrue(all(defects.mapped("is_claimed")))
        # Claimed once: a second run refuses and creates nothing.
        with self.assertRaises(UserError):
            defects.action_create_supplier_claim()
        self.assertEqual(self.SupplierClaim.search_count([]), before + 2)

    def test_labor_at_supplier_rate_from_terms_hook(self):
        _orders, defects = self._three_defects()
        Claim = type(self.SupplierClaim)
        terms = {"labor_rate": 30.0, "response_days": 14}
        with patch.object(Claim, "_aftersales_supplier_terms", lambda *a, **k: terms):
            claims = self._claims_for(defects[:2])
            shared = claims.filtered(lambda c: c.partner_id == self.vendor)
            self.assertEqual(sorted(shared.line_ids.mapped("amount")), [40.0, 110.0])
            shared.action_send()
        self.assertEqual(shared.date_response_due, shared.date_sent + timedelta(days=14))

    def test_not_recoverable_outside_supplier_warranty(self):
        _orders, defects = self._three_defects()
        motor = defects[2]
        self.assertEqual(motor.component_date_received, fields.Date.context_today(motor))
        Claim = type(self.SupplierClaim)
        terms = {"labor_rate": 0.0, "response_days": 30, "warranty_months": 6}
        before = self.SupplierClaim.search_count([])
        with patch.object(Claim, "_aftersales_supplier_terms", lambda *a, **k: terms):
            self.assertTrue(motor.is_recoverable)
            motor.date = fields.Date.add(motor.component_date_received, months=7)
            motor.invalidate_recordset(["is_recoverable"])
            self.assertFalse(motor.is_recoverable)
            with self.assertRaises(UserError):
                motor.action_create_supplier_claim()
            self.assertEqual(self.SupplierClaim.search_count([]), before)
            # Among others, it is left out.
            claims = self._claims_for(defects)
        self.assertNotIn(motor, claims.line_ids.defect_id)
        self.assertEqual(claims.line_ids.defect_id, defects[:2])

    def test_defect_without_supplier_refused(self):
        order = self._new_order(self.lot_warranty, aftersales_on_site=True)
        self.part_belt.seller_ids = [Command.clear()]
        defect = self._defect(order, component=self.part_belt)
        before = self.SupplierClaim.search_count([])
        with self.assertRaises(UserError):
            defect.action_create_supplier_claim()
        self.assertEqual(self.SupplierClaim.search_count([]), before)

    # Send, accept, reject ------------------------------------------------------------------

    def test_send_accept_credit_note_and_net_cost(self):
        orders, defects = self._three_defects()
        order1, order2 = orders
        self.assertEqual(order1.aftersales_amount_warranty, 90.0)  # pump 50 + 2 h × 20
        claim = self._claims_for(defects[:2])
        claim.return_parts = True
        claim.action_send()
        today = fields.Date.context_today(claim)
        self.assertEqual(claim.state, "sent")
        self.assertEqual(claim.date_sent, today)
        self.assertEqual(claim.date_response_due, today + timedelta(days=30))
        back = claim.return_picking_id
        self.assertEqual(back.partner_id, self.vendor)
        self.assertEqual(back.location_dest_id.usage, "supplier")
        self.assertTrue(back.location_id.scrap_location)
        self.assertEqual(back.move_ids.product_id, self.part_pump | self.part_belt)
        self.assertEqual(back.state, "assigned")

        claim.action_accept(45.0)
        refund = claim.refund_move_id
        self.assertEqual(claim.state, "accepted")
        self.assertEqual(claim.amount_recovered, 45.0)
        self.assertEqual(refund.move_type, "in_refund")
        self.assertEqual(refund.state, "posted")
        self.assertEqual(refund.partner_id, self.vendor)
        self.assertAlmostEqual(refund.amount_total, 45.0)
        product_lines = refund.invoice_line_ids
        self.assertEqual(product_lines.account_id, self.expense_warranty)
        self.assertAlmostEqual(sum(product_lines.mapped("credit")), 45.0)
        payable = refund.line_ids.filtered(lambda ln: ln.account_type == "liability_payable")
        self.assertAlmostEqual(payable.debit, 45.0)
        # Allocated pro rata to the lines (50 : 10), so to the orders.
        pump_line = claim.line_ids.filtered(lambda ln: ln.repair_id == order1)
        self.assertAlmostEqual(pump_line.amount_recovered, 37.5)
        self.assertAlmostEqual(order1.aftersales_amount_recovered, 37.5)
        self.assertAlmostEqual(order1.aftersales_amount_warranty_net, 52.5)
        self.assertAlmostEqual(order2.aftersales_amount_recovered, 7.5)
        # Cost report: gross, recovered and net.
        self.env.flush_all()
        rows = self.env["aftersales.repair.cost.report"].search([("repair_id", "=", order1.id)])
        self.assertAlmostEqual(sum(rows.mapped("amount_warranty")), 90.0)
        self.assertAlmostEqual(sum(rows.mapped("amount_recovered")), 37.5)
        self.assertAlmostEqual(sum(rows.mapped("amount_warranty_net")), 52.5)

        claim.action_done()
        self.assertEqual(claim.state, "done")

    def test_accept_defaults_to_claimed(self):
        _orders, defects = self._three_defects()
        claim = self._claims_for(defects[2])
        claim.action_send()
        claim.action_accept()
        self.assertEqual(claim.amount_recovered, 80.0)
        self.assertAlmostEqual(claim.refund_move_id.amount_total, 80.0)

    def test_reject_with_reason(self):
        _orders, defects = self._three_defects()
        claim = self._claims_for(defects[2])
        claim.action_send()
        for bad in ("", "   ", None, 42):
            with self.assertRaises(UserError):
                claim.action_reject(bad)
        self.assertEqual(claim.state, "sent")
        claim.action_reject("Motor damaged by a power surge, not a defect.")
        self.assertEqual(claim.state, "rejected")
        self.assertEqual(claim.reject_reason, "Motor damaged by a power surge, not a defect.")
        self.assertFalse(claim.refund_move_id)
        # A rejected claim frees its defects for another claim.
        self.assertFalse(defects[2].is_claimed)

    def test_bad_input_changes_nothing(self):
        _orders, defects = self._three_defects()
        claim = self._claims_for(defects[2])
        moves = self.env["account.move"].search_count([])
        with self.assertRaises(UserError):
            claim.action_accept()  # not sent
        claim.action_send()
        with self.assertRaises(UserError):
            claim.action_send()  # twice
        for amount in (81.0, -1.0, 0.0, math.nan, math.inf, "80", True):
            with self.assertRaises(UserError):
                claim.action_accept(amount)
        self.assertEqual(claim.state, "sent")
        self.assertEqual(self.env["account.move"].search_count([]), moves)
        # Workflow fields and sent lines change through the actions only.
        for vals in ({"state": "accepted"}, {"amount_recovered": 80.0}, {"reject_reason": "x"}):
            with self.assertRaises(UserError):
                claim.write(vals)
        with self.assertRaises(UserError):
            claim.line_ids.amount = 500.0
        with self.assertRaises(UserError):
            claim.partner_id = self.vendor
        with self.assertRaises(UserError):
            defects[2].component_cost = 1.0
        with self.assertRaises(UserError):
            claim.unlink()
        with self.assertRaises(UserError):
            self.SupplierClaim.create(
                {"partner_id": self.vendor.id, "state": "accepted", "amount_recovered": 5.0}
            )
        empty = self.SupplierClaim.create({"partner_id": self.vendor.id})
        with self.assertRaises(UserError):
            empty.action_send()
        self.assertEqual(claim.amount_claimed, 80.0)
        self.assertEqual(claim.state, "sent")

    def test_access_per_role_and_company(self):
        _orders, defects = self._three_defects()
        with self.assertRaises(AccessError):
            defects.with_user(self.frontdesk).action_create_supplier_claim()
        claim = self._claims_for(defects[2])
        self.assertEqual(claim.with_user(self.frontdesk).amount_claimed, 80.0)
        with self.assertRaises(AccessError):
            claim.with_user(self.frontdesk).action_send()
        with self.assertRaises(AccessError):
            claim.with_user(self.technician).read(["name"])
        claim.with_user(self.manager).action_send()
        claim.with_user(self.manager).action_accept()
        self.assertEqual(claim.refund_move_id.state, "posted")
        other = self.env["res.company"].create({"name": "Other Recovery Co"})
        stranger = new_test_user(
            self.env,
            login="as_other_mgr",
            groups="aftersales_service.group_aftersales_manager",
            company_id=other.id,
            company_ids=[(6, 0, other.ids)],
        )
        self.assertFalse(
            self.SupplierClaim.with_user(stranger).search([("company_id", "=", self.company.id)])
        )
        self.assertFalse(self.SupplierClaim.with_user(stranger).search([("id", "=", claim.id)]))

    # The letter ------------------------------------------------------------------------------

    def test_letter_prints_the_serials(self):
        _orders, defects = self._three_defects()
        claims = self._claims_for(defects)
        claims.action_send()
        html, _type = self.env["ir.actions.report"]._render_qweb_html(
            "aftersales_service.report_supplier_claim", claims.ids
        )
        html = html.decode()
        for claim in claims:
            self.assertIn(claim.name, html)
        for serial in ("RP-WAR-1", "RP-WAR-2", "RP-BILL", "MOTOR-LOT-A"):
            self.assertIn(serial, html)

    # Breach claims ---------------------------------------------------------------------------

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

    def test_shortage_claim_prefilled(self):
        purchase = self._purchase(10, 12.0)
        self._deliver(purchase.picking_ids, qty=7)
        claim = self.SupplierClaim.create(
            {"partner_id": self.vendor.id, "claim_type": "shortage", "purchase_id": purchase.id}
        )
        claim.action_prefill_lines()
        self.assertEqual(claim.line_ids.product_id, self.part_belt)
        self.assertEqual(claim.line_ids.quantity, 3.0)
        self.assertEqual(claim.amount_claimed, 36.0)
        claim.action_send()
        claim.action_accept()
        refund = claim.refund_move_id
        expense = self.part_belt.product_tmpl_id.get_product_accounts()["expense"]
        self.assertEqual(refund.invoice_line_ids.account_id, expense)
        self.assertAlmostEqual(refund.amount_total, 36.0)

    def test_late_delivery_penalty(self):
        purchase = self._purchase(10, 10.0, days_promised=5)
        receipt = purchase.picking_ids
        self._deliver(receipt, qty=10)
        claim = self.SupplierClaim.create(
            {
                "partner_id": self.vendor.id,
                "claim_type": "late_delivery",
                "receipt_picking_id": receipt.id,
                "penalty_rate": 1.0,
            }
        )
        claim.action_prefill_lines()
        # 10 × 10.00 × 1 % × 5 days late.
        self.assertEqual(claim.line_ids.days_late, 5)
        self.assertEqual(claim.amount_claimed, 5.0)
        warranty = self.SupplierClaim.create({"partner_id": self.vendor.id})
        with self.assertRaises(UserError):
            warranty.action_prefill_lines()
