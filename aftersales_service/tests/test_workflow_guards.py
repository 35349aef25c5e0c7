from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from .common import AftersalesCommon


@tagged("post_install", "-at_install")
class TestRepairStatusGuard(AftersalesCommon):
    """A service order's status moves through its actions only, also over RPC."""

    def test_status_written_directly_is_refused(self):
        order = self.env["repair.order"].create(
            {"partner_id": self.customer_ru.id, "user_id": self.technician.id}
        )
        order.action_validate()
        self.assertEqual(order.state, "confirmed")
        for state in ("done", "under_repair", "cancel", "draft"):
            with self.assertRaises(AccessError):
                order.with_user(self.technician).write({"state": state})
            with self.assertRaises(AccessError):
                order.with_user(self.manager).write({"state": state})
        self.assertEqual(order.state, "confirmed")
        # The actions still move it.
        order.with_user(self.technician).action_repair_start()
        self.assertEqual(order.state, "under_repair")

    def test_order_created_repaired_is_refused(self):
        repairs = self.env["repair.order"].with_user(self.technician)
        before = self.env["repair.order"].search_count([])
        for state in ("done", "under_repair", "cancel"):
            with self.assertRaises(AccessError):
                repairs.create({"partner_id": self.customer_ru.id, "state": state})
        self.assertEqual(self.env["repair.order"].search_count([]), before)


@tagged("post_install", "-at_install")
class TestLoanerReminderGuard(AftersalesCommon):
    def test_reminder_date_not_given_at_creation(self):
        with self.assertRaises(UserError):
            self.env["aftersales.loaner"].create({"date_reminded": "2026-11-01"})
