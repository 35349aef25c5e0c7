"""Loaners (issue #13): a Loaners location per warehouse, lend and return with their stock
moves, one loan per unit at a time, overdue loans, damage invoices, the claim's legal duty
and closing with a loan out."""

from datetime import timedelta

import psycopg2
from freezegun import freeze_time

from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user, tagged
from odoo.tools import mute_logger
from odoo.tools.safe_eval import safe_eval

from .common_loaners import LoanerCommon


@tagged("post_install", "-at_install")
class TestLoaner(LoanerCommon):
    def test_warehouse_gets_loaners_location_outside_stock(self):
        wh = self.warehouse
        loaners = wh.aftersales_loaner_location_id
        self.assertTrue(loaners.aftersales_loaner)
        self.assertEqual(loaners.usage, "internal")
        self.assertEqual(loaners.location_id, wh.view_location_id)
        self.assertFalse(loaners.parent_path.startswith(wh.lot_stock_id.parent_path))
        wh2 = self.env["stock.warehouse"].create({"name": "Loaner Depot", "code": "LND"})
        self.assertTrue(wh2.aftersales_loaner_location_id.aftersales_loaner)
        self.assertNotEqual(wh2.aftersales_loaner_location_id, loaners)
        # Existing warehouses get it on install/update (same hooks as the workshop).
        wh2.aftersales_loaner_location_id = False
        self.env["stock.warehouse"]._aftersales_setup_all_warehouses()
        self.assertTrue(wh2.aftersales_loaner_location_id.aftersales_loaner)

    def test_sale_never_reserves_a_loaner(self):
        sale = self._sell(self.customer_eu, [(self.product_loaner, 1)])
        delivery = sale.picking_ids
        delivery.action_assign()
        self.assertEqual(delivery.state, "confirmed")
        self.assertFalse(delivery.move_line_ids)
        self.assertEqual(self._qty(self.lot_a, self.loaner_location), 1)

    def test_lend_and_return_move_the_unit(self):
        term = self._create_warranty_term(
            name="Loaner Product Term",
            product_tmpl_ids=[(4, self.product_loaner.product_tmpl_id.id)],
        )
        claim = self._claim_in_diagnosis()
        action = claim.action_open_lend()
        wizard = (
            self.env[action["res_model"]]
            .with_user(self.frontdesk)
            .with_context(**action["context"])
            .create({"lot_id": self.lot_a.id})
        )
        self.assertEqual(wizard.partner_id, self.customer_ru)
        self.assertEqual(wizard.date_due, claim.date_resolution_due)
        res = wizard.action_lend()
        loan = self.Loaner.browse(res["res_id"])
        self.assertEqual(loan.state, "lent")
        self.assertEqual(loan.claim_id, claim)
        self.assertTrue(loan.name.startswith("LOAN/"))
        out = loan.out_picking_id
        self.assertEqual(out.state, "done")
        self.assertEqual(out.aftersales_purpose, "loaner_out")
        self.assertEqual(out.location_id, self.loaner_location)
        self.assertEqual(out.move_line_ids.lot_id, self.lot_a)
        self.assertEqual(self._qty(self.lot_a, self.loaner_location), 0)
        self.assertEqual(self._qty(self.lot_a, self.customer_location_ru), 1)
        # Lent, not sold: no warranty starts for the loaner.
        self.assertFalse(
            self.env["aftersales.warranty"].search(
                [("lot_id", "=", self.lot_a.id), ("term_id", "=", term.id)]
            )
        )
        self.assertIn(loan, claim.loaner_ids)

        loan.with_user(self.frontdesk).action_return(condition="ok")
        self.assertEqual(loan.state, "returned")
        self.assertEqual(loan.return_condition, "ok")
        self.assertFalse(loan.damage_invoice_id)
        back = loan.in_picking_id
        self.assertEqual(back.state, "done")
        self.assertEqual(back.aftersales_purpose, "loaner_in")
        self.assertEqual(self._qty(self.lot_a, self.loaner_location), 1)
        self.assertEqual(self._qty(self.lot_a, self.customer_location_ru), 0)
        # Lendable again.
        again = self._loan()
        again.action_lend()
        self.assertEqual(again.state, "lent")

    def test_loaner_pool_shows_where_and_who(self):
        loan = self._loan(lot=self.lot_b, days=4)
        loan.action_lend()
        action = self.env.ref("aftersales_service.stock_quant_action_aftersales_loaner_pool")
        pool = self.env["stock.quant"].search(
            [*safe_eval(action.domain), ("product_id", "in", self.product_loaner.ids)]
        )
        self.assertEqual(pool.lot_id, self.loaner_lots)
        out = pool.filtered(lambda q: q.lot_id == self.lot_b)
        self.assertEqual(out.location_id, self.customer_location_ru)
        self.assertEqual(out.aftersales_loan_id, loan)
        self.assertEqual(out.aftersales_loan_partner_id, self.customer_ru)
        self.assertEqual(out.aftersales_loan_date_due, loan.date_due)
        waiting = pool - out
        self.assertEqual(waiting.location_id, self.loaner_location)
        self.assertFalse(waiting.aftersales_loan_id)
        # The customer's own units and our stock are not loaners.
        self.assertNotIn(self.lot_warranty, pool.lot_id)

    def test_refuse_to_lend_twice(self):
        loan = self._loan()
        loan.action_lend()
        second = self._loan()
        with self.assertRaises(UserError):
            second.action_lend()
        self.assertEqual(second.state, "draft")
        self.assertFalse(second.out_picking_id)
        self.assertEqual(self._qty(self.lot_a, self.customer_location_ru), 1)
        # Two loans of the same unit in one call.
        third, fourth = self._loan(lot=self.lot_b), self._loan(lot=self.lot_b)
        with self.assertRaises(UserError):
            (third | fourth).action_lend()
        self.assertEqual(self._qty(self.lot_b, self.loaner_location), 1)
        # A unit not in a Loaners location cannot be lent (here: in stock).
        lot_stock = self._create_lots(self.product_loaner, ["LN-STOCK"])
        self._add_stock(self.product_loaner, 1, lot=lot_stock)
        with self.assertRaises(UserError):
            self._loan(lot=lot_stock).action_lend()
        # The database refuses a second lent row of the same serial, whatever the code.
        self.env.flush_all()
        with (
            mute_logger("odoo.sql_db"),
            self.assertRaises(psycopg2.errors.UniqueViolation),
            self.env.cr.savepoint(),
        ):
            self.env.cr.execute(
                "UPDATE aftersales_loaner SET state = 'lent' WHERE id = %s", [second.id]
            )

    def test_overdue_by_cron_with_activity(self):
        loan = self._loan(days=2, user_id=self.frontdesk.id)
        loan.action_lend()
        self.assertFalse(loan.is_overdue)
        self.Loaner._cron_loaner_overdue()
        self.assertFalse(loan.is_overdue)
        with freeze_time(self.today + timedelta(days=3)):
            self.Loaner._cron_loaner_overdue()
            self.assertTrue(loan.is_overdue)
            self.assertEqual(self.Loaner.search([("is_overdue", "=", True)]), loan)
            activity = loan.activity_ids
            self.assertEqual(len(activity), 1)
            self.assertEqual(activity.user_id, self.frontdesk)
            # Running again adds nothing.
            self.Loaner._cron_loaner_overdue()
            self.assertEqual(len(loan.activity_ids), 1)
            # Extending the loan clears the flag.
            loan.date_due = self.today + timedelta(days=10)
            self.assertFalse(loan.is_overdue)
            loan.date_due = self.today
            self.assertTrue(loan.is_overdue)
            self.assertEqual(len(loan.activity_ids), 1)
            loan.action_return()
        self.assertFalse(loan.is_overdue)
        self.assertFalse(loan.activity_ids)

    def test_damage_invoice(self):
        loan = self._loan()
        loan.action_lend()
        loan.action_return(condition="damaged", damage_amount=150.0)
        invoice = loan.damage_invoice_id
        self.assertEqual(invoice.move_type, "out_invoice")
        self.assertEqual(invoice.partner_id, self.customer_ru)
        self.assertEqual(invoice.state, "draft")
        self.assertEqual(invoice.amount_untaxed, 150.0)
        self.assertEqual(
            invoice.invoice_line_ids.product_id,
            self.env.ref("aftersales_service.product_aftersales_loaner_damage"),
        )
        self.assertEqual(loan.damage_amount, 150.0)
        self.assertEqual(self._qty(self.lot_a, self.loaner_location), 1)
        # A missing unit does not come back; its value is invoiced.
        lost = self._loan(lot=self.lot_b)
        lost.action_lend()
        lost.action_return(condition="missing", damage_amount=700.0)
        self.assertFalse(lost.in_picking_id)
        self.assertEqual(lost.damage_invoice_id.amount_untaxed, 700.0)
        self.assertEqual(self._qty(self.lot_b, self.loaner_location), 0)
        self.assertEqual(self._qty(self.lot_b, self.customer_location_ru), 1)

    def test_bad_input_changes_nothing(self):
        loan = self._loan()
        with self.assertRaises(UserError):
            loan.action_return()  # not lent
        self.assertEqual(loan.state, "draft")
        loan.action_lend()
        for condition, amount in (("broken", 0.0), ("damaged", -5.0), ("ok", 10.0)):
            with self.assertRaises(UserError):
                loan.action_return(condition=condition, damage_amount=amount)
        with self.assertRaises(UserError):
            loan.action_return(condition="damaged", damage_amount="ten")
        self.assertEqual(loan.state, "lent")
        self.assertFalse(loan.in_picking_id)
        with self.assertRaises(UserError):
            loan.action_lend()  # twice
        with self.assertRaises(UserError):
            loan.write({"state": "returned"})
        with self.assertRaises(UserError):
            loan.write({"lot_id": self.lot_b.id})
        with self.assertRaises(UserError):
            self.Loaner.create(
                {
                    "lot_id": self.lot_c.id,
                    "partner_id": self.customer_ru.id,
                    "date_due": self.today,
                    "state": "lent",
                }
            )
        self.assertEqual(loan.state, "lent")
        self.assertEqual(len(loan.out_picking_id), 1)

    def test_claim_loaner_duty(self):
        claim = self._claim_in_diagnosis(loaner_requested=True)
        received = claim._local_date(claim.date_received)
        self.assertEqual(claim.legal_rule_id.loaner_within_days, 3)
        self.assertEqual(claim.date_loaner_due, received + timedelta(days=3))
        self.assertFalse(claim.loaner_late)
        with freeze_time(received + timedelta(days=4)):
            claim.invalidate_recordset(["loaner_late"])
            self.assertTrue(claim.loaner_late)
            self.assertIn(claim, self.env["aftersales.claim"].search([("loaner_late", "=", True)]))
            self._loan(claim_id=claim.id).action_lend()
            self.assertTrue(claim.loaner_provided)
            claim.invalidate_recordset(["loaner_late"])
            self.assertFalse(claim.loaner_late)
            self.assertNotIn(
                claim, self.env["aftersales.claim"].search([("loaner_late", "=", True)])
            )
        not_requested = self._claim_in_diagnosis()
        self.assertFalse(not_requested.date_loaner_due)

    def test_closing_with_a_loan_out(self):
        claim = self._claim_in_diagnosis()
        loan = self._loan(claim_id=claim.id)
        loan.action_lend()
        with self.assertRaisesRegex(UserError, loan.name):
            claim.action_cancel()
        self.assertEqual(claim.state, "diagnosis")
        action = claim.with_context(aftersales_loaner_ask=True).action_cancel()
        self.assertEqual(action["res_model"], "aftersales.loaner.confirm")
        wizard = self.env["aftersales.loaner.confirm"].browse(action["res_id"])
        self.assertEqual(wizard.loaner_ids, loan)
        self.assertEqual(claim.state, "diagnosis")
        wizard.action_confirm()
        self.assertEqual(claim.state, "cancel")

    def test_service_order_loan_and_finish(self):
        order = self._new_order(self.lot_billable)
        self._receive(order)
        action = order.action_aftersales_open_lend()
        wizard = (
            self.env[action["res_model"]]
            .with_context(**action["context"])
            .create({"lot_id": self.lot_c.id})
        )
        loan = self.Loaner.browse(wizard.action_lend()["res_id"])
        self.assertEqual(loan.repair_id, order)
        self.assertEqual(order.aftersales_loaner_count, 1)
        self.assertEqual(loan.out_picking_id.aftersales_repair_id, order)
        order.action_validate()
        order.action_repair_start()
        with self.assertRaisesRegex(UserError, loan.name):
            order.action_repair_end()
        self.assertEqual(order.state, "under_repair")
        order.with_context(aftersales_loaner_confirmed=True).action_repair_end()
        self.assertEqual(order.state, "done")

    def test_access(self):
        loan = self.Loaner.with_user(self.frontdesk).create(
            {
                "lot_id": self.lot_a.id,
                "partner_id": self.customer_ru.id,
                "date_due": self.today + timedelta(days=5),
            }
        )
        loan.action_lend()
        self.assertEqual(loan.state, "lent")
        # Technician reads, does not lend.
        self.assertEqual(loan.with_user(self.technician).read(["state"])[0]["state"], "lent")
        with self.assertRaises(AccessError):
            self.Loaner.with_user(self.technician).create(
                {"lot_id": self.lot_b.id, "partner_id": self.customer_ru.id, "date_due": self.today}
            )
        # Portal: nothing.
        portal = new_test_user(self.env, login="ln_portal", groups="base.group_portal")
        portal.partner_id.parent_id = self.customer_ru
        with self.assertRaises(AccessError):
            self.Loaner.with_user(portal).search([])
        # Another company: nothing.
        company_b = self.env["res.company"].create({"name": "Loaners B"})
        user_b = new_test_user(
            self.env,
            login="ln_user_b",
            groups="aftersales_service.group_aftersales_user",
            company_id=company_b.id,
            company_ids=[(6, 0, company_b.ids)],
        )
        self.assertFalse(self.Loaner.with_user(user_b).search([]))
        with self.assertRaises(AccessError):
            loan.with_user(user_b).read(["name"])
