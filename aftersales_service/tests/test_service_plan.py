# Copyright 2026 aftersales_service authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import timedelta

from dateutil.relativedelta import relativedelta
from psycopg2 import IntegrityError

from odoo import Command, fields
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import new_test_user, tagged
from odoo.tools import mute_logger

from .test_repair import RepairCommon


@tagged("post_install", "-at_install")
class TestServicePlan(RepairCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.today = fields.Date.today()
        cls.Plan = cls.env["aftersales.service.plan"]
        cls.plan = cls.Plan.create(
            {
                "lot_id": cls.lot_warranty.id,
                "partner_id": cls.customer_ru.id,
                "product_id": cls.service_labor.id,
                "user_id": cls.technician.id,
                "interval": 1,
                "interval_unit": "months",
                "date_start": cls.today - timedelta(days=100),
                "date_next": cls.today - timedelta(days=40),
                "hours": 1.5,
                "fee": 30.0,
            }
        )

    def _plan_orders(self, plan=None):
        return self.env["repair.order"].search(
            [("aftersales_plan_id", "=", (plan or self.plan).id)]
        )

    def test_cron_opens_due_orders_once(self):
        due = self.plan.date_next
        later = self.Plan.create(
            {
                "lot_id": self.lot_warranty_2.id,
                "partner_id": self.customer_ru.id,
                "product_id": self.service_labor.id,
                "interval": 10,
                "interval_unit": "days",
                "date_next": self.today + timedelta(days=3),
            }
        )
        self.Plan._cron_aftersales_service_plans()
        order = self._plan_orders()
        self.assertEqual(len(order), 1)
        self.assertEqual(order.aftersales_plan_date, due)
        self.assertEqual(order.lot_id, self.lot_warranty)
        self.assertEqual(order.partner_id, self.customer_ru)
        self.assertEqual(order.user_id, self.technician)
        self.assertEqual(order.state, "draft")
        self.assertEqual(order.aftersales_labor_ids.product_id, self.service_labor)
        self.assertEqual(order.aftersales_labor_ids.hours, 1.5)
        # date_next moves past today by whole intervals: one visit for an overdue plan.
        expected = due
        while expected <= self.today:
            expected += relativedelta(months=1)
        self.assertEqual(self.plan.date_next, expected)
        # The period's fee: a draft customer invoice.
        invoice = order.aftersales_plan_invoice_id
        self.assertEqual(invoice.move_type, "out_invoice")
        self.assertEqual(invoice.state, "draft")
        self.assertEqual(invoice.partner_id, self.customer_ru)
        self.assertAlmostEqual(invoice.amount_untaxed, 30.0)
        self.assertEqual(invoice.invoice_line_ids.product_id, self.service_labor)
        self.assertFalse(self._plan_orders(later))
        # A second run opens nothing; re-setting the same due date opens nothing either.
        self.Plan._cron_aftersales_service_plans()
        self.plan.date_next = due
        self.Plan._cron_aftersales_service_plans()
        self.assertEqual(self._plan_orders(), order)
        self.assertEqual(
            self.env["account.move"].search_count([("invoice_origin", "=", self.plan.name)]), 1
        )
        self.assertEqual(self.plan.date_next, expected)
        self.assertEqual(self.plan.repair_count, 1)

    def test_no_fee_no_invoice_and_archived_or_ended_plans_skip(self):
        self.plan.fee = 0.0
        self.Plan._cron_aftersales_service_plans()
        self.assertFalse(self._plan_orders().aftersales_plan_invoice_id)
        ended = self.Plan.create(
            {
                "lot_id": self.lot_warranty_2.id,
                "partner_id": self.customer_ru.id,
                "product_id": self.service_labor.id,
                "date_start": self.today - timedelta(days=60),
                "date_end": self.today - timedelta(days=30),
                "date_next": self.today - timedelta(days=1),
            }
        )
        archived = ended.copy({"date_end": False, "active": False})
        self.Plan._cron_aftersales_service_plans()
        self.assertFalse(self._plan_orders(ended))
        self.assertFalse(self._plan_orders(archived))

    def test_database_refuses_duplicate_visit(self):
        self.Plan._cron_aftersales_service_plans()
        order = self._plan_orders()
        with mute_logger("odoo.sql_db"), self.assertRaises(IntegrityError), self.cr.savepoint():
            self.env["repair.order"]._aftersales_action_env().create(
                self.plan._prepare_aftersales_plan_repair_vals(order.aftersales_plan_date)
            )
        with self.assertRaises(AccessError):
            order.write({"aftersales_plan_date": self.today})
        with self.assertRaises(AccessError):
            self._new_order(self.lot_billable, aftersales_plan_id=self.plan.id)
        self.assertEqual(self._plan_orders(), order)

    def test_bad_input(self):
        base = {
            "lot_id": self.lot_warranty_2.id,
            "partner_id": self.customer_ru.id,
            "product_id": self.service_labor.id,
        }
        with mute_logger("odoo.sql_db"), self.assertRaises(IntegrityError), self.cr.savepoint():
            self.Plan.create({**base, "interval": 0})
        with mute_logger("odoo.sql_db"), self.assertRaises(IntegrityError), self.cr.savepoint():
            self.Plan.create({**base, "fee": -1.0})
        with self.assertRaises(ValidationError):
            self.Plan.create({**base, "product_id": self.part_pump.id})
        with self.assertRaises(ValidationError):
            self.Plan.create({**base, "interval": 500, "interval_unit": "months"})

    def test_access_per_role(self):
        self.assertEqual(self.plan.with_user(self.technician).lot_id, self.lot_warranty)
        self.assertEqual(self.plan.with_user(self.frontdesk).fee, 30.0)
        vals = {
            "lot_id": self.lot_warranty_2.id,
            "partner_id": self.customer_ru.id,
            "product_id": self.service_labor.id,
        }
        with self.assertRaises(AccessError):
            self.Plan.with_user(self.technician).create(vals)
        with self.assertRaises(AccessError):
            self.plan.with_user(self.frontdesk).write({"fee": 1.0})
        with self.assertRaises(UserError):
            self.plan.with_user(self.frontdesk).action_aftersales_open_due()
        self.assertFalse(self._plan_orders())
        plan = self.Plan.with_user(self.manager).create(vals)
        self.assertTrue(plan.name.startswith("PLN/"))
        plan.with_user(self.manager).action_aftersales_open_due()
        self.assertEqual(len(self._plan_orders(plan)), 1)
        other = self.env["res.company"].create({"name": "Other Co (plans)"})
        outsider = new_test_user(
            self.env,
            login="as_plan_other",
            groups="aftersales_service.group_aftersales_manager",
            company_id=other.id,
            company_ids=[Command.set(other.ids)],
        )
        self.assertFalse(self.Plan.with_user(outsider).search([("id", "=", self.plan.id)]))
