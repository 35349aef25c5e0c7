"""Keeping customers informed (issue 15): the loaner due-back reminder sent once by the
daily job, and exactly one customer-facing message per claim decision."""

from datetime import timedelta

from freezegun import freeze_time

from odoo.exceptions import UserError
from odoo.tests import new_test_user, tagged
from odoo.tools import format_date

from odoo.addons.aftersales_service.models.aftersales_loaner import loaner_workflow

from .common import AftersalesCommon
from .common_loaners import LoanerCommon


@tagged("post_install", "-at_install")
class TestLoanerReminder(LoanerCommon):
    """Mail template *Loaner Due Back*, sent by the loans' daily job the day before."""

    def _reminders(self, loan):
        return loan.message_ids.filtered(
            lambda m: m.message_type == "auto_comment" and m.partner_ids
        )

    def test_sent_once_the_day_before_with_serial_and_due_date(self):
        loan = self._loan(days=2)
        loan.action_lend()
        due = loan.date_due
        self.Loaner._cron_loaner_overdue()  # two days before: nothing yet
        self.assertFalse(self._reminders(loan))
        self.assertFalse(loan.date_reminded)
        with freeze_time(self.today + timedelta(days=1)):
            self.Loaner._cron_loaner_overdue()
            message = self._reminders(loan)
            self.assertEqual(len(message), 1)
            self.assertEqual(message.partner_ids, self.customer_ru)
            self.assertIn("LN-1", message.subject)
            self.assertIn("LN-1", message.body)
            self.assertIn(loan.name, message.body)
            self.assertIn(format_date(self.env, due), message.body)
            self.assertIn("Loaner Washing Machine", message.body)
            self.assertEqual(message.notification_ids.res_partner_id, self.customer_ru)
            self.assertEqual(loan.date_reminded, self.today + timedelta(days=1))
            # A second run (and the next day's) sends nothing more.
            self.Loaner._cron_loaner_overdue()
            self.assertEqual(len(self._reminders(loan)), 1)
        with freeze_time(self.today + timedelta(days=2)):
            self.Loaner._cron_loaner_overdue()
            self.assertEqual(len(self._reminders(loan)), 1)

    def test_extension_gets_a_new_reminder_and_the_flag_is_the_systems(self):
        loan = self._loan(days=1)
        loan.action_lend()
        self.assertEqual(self.Loaner._aftersales_remind_due_back(), loan)
        self.assertFalse(self.Loaner._aftersales_remind_due_back())
        with self.assertRaises(UserError):
            loan.write({"date_reminded": False})
        self.assertEqual(loan.date_reminded, self.today)
        loan.date_due = self.today + timedelta(days=7)
        self.assertFalse(loan.date_reminded)
        self.assertFalse(self.Loaner._aftersales_remind_due_back())  # a week ahead: not yet
        with freeze_time(self.today + timedelta(days=6)):
            self.assertEqual(self.Loaner._aftersales_remind_due_back(), loan)
        self.assertEqual(len(self._reminders(loan)), 2)

    def test_not_sent_for_returned_draft_or_later_loans(self):
        returned = self._loan(lot=self.lot_a, days=1)
        returned.action_lend()
        returned.action_return()
        draft = self._loan(lot=self.lot_b, days=1)
        later = self._loan(lot=self.lot_c, days=3)
        later.action_lend()
        self.assertFalse(self.Loaner._aftersales_remind_due_back())
        for loan in returned | draft | later:
            self.assertFalse(self._reminders(loan))
            self.assertFalse(loan.date_reminded)

    def test_job_covers_every_company_in_its_company(self):
        company_b = self.env["res.company"].create({"name": "Loaners B Reminders"})
        lot_b = self.env["stock.lot"].create(
            {"name": "LN-B-1", "product_id": self.product_loaner.id, "company_id": company_b.id}
        )
        loan_b = self.Loaner.with_company(company_b).create(
            {
                "lot_id": lot_b.id,
                "partner_id": self.customer_eu.id,
                "date_due": self.today + timedelta(days=1),
                "company_id": company_b.id,
            }
        )
        with loaner_workflow():
            loan_b.write({"state": "lent"})  # lent in company B (its stock is not built here)
        loan_a = self._loan(days=1)
        loan_a.action_lend()
        # A user of company A only does not see (nor remind) company B's loan ...
        user_a = new_test_user(
            self.env,
            login="rem_user_a",
            groups="aftersales_service.group_aftersales_user",
            company_id=self.company.id,
            company_ids=[(6, 0, self.company.ids)],
        )
        self.assertEqual(self.Loaner.with_user(user_a)._aftersales_remind_due_back(), loan_a)
        self.assertFalse(loan_b.date_reminded)
        # ... the daily job (run as the superuser) does, with company B's name.
        self.Loaner._cron_loaner_overdue()
        message = self._reminders(loan_b)
        self.assertEqual(len(message), 1)
        self.assertIn("Loaners B Reminders", message.subject)
        self.assertIn("LN-B-1", message.body)
        self.assertEqual(message.partner_ids, self.customer_eu)
        self.assertEqual(len(self._reminders(loan_a)), 1)


@tagged("post_install", "-at_install")
class TestDecisionMessages(AftersalesCommon):
    """The customer hears of a decision once: the decision message with the response letter
    attached (Law 2300-1 art. 22; Directive (EU) 2019/771 art. 14 p. 1)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._create_warranty_term()
        order, cls.lots = cls._sell_and_deliver(
            cls.customer_ru, serials=("DM-1", "DM-2", "DM-3", "DM-4")
        )
        cls._invoice(order)
        cls.replacement_lot = cls._create_lots(cls.product_unit, ["DM-NEW"])
        cls._add_stock(cls.product_unit, 1, lot=cls.replacement_lot)

    def _customer_facing(self, messages):
        """Messages the customer receives or sees as addressed to them: sent to them, or
        public (not an internal note) and so sent to them as a follower."""
        customer = self.customer_ru
        return messages.filtered(
            lambda m: (
                customer in m.partner_ids
                or customer in m.notification_ids.res_partner_id
                or (m.message_type != "notification" and m.subtype_id and not m.subtype_id.internal)
            )
        )

    def _decide(self, lot, request, decision, **kwargs):
        claim = self._create_claim(self.customer_ru, lot, request=request)
        claim.message_subscribe(self.customer_ru.ids)  # as a portal claim's customer is
        claim.action_start_diagnosis()
        self.env.flush_all()
        Message = self.env["mail.message"]
        domain = [("model", "=", claim._name), ("res_id", "=", claim.id)]
        last = Message.search(domain, order="id desc", limit=1).id
        claim.with_context(tracking_disable=False).with_user(self.manager).action_decide(
            decision, **kwargs
        )
        self.env.flush_all()
        return claim, Message.search([*domain, ("id", ">", last)])

    def test_one_customer_message_per_decision(self):
        cases = [
            ("reject", "repair", {"reason": "Water inside the unit"}),
            ("refund", "refund", {}),
            ("repair", "repair", {}),
            ("replace", "replacement", {"replacement_lot_id": self.replacement_lot.id}),
        ]
        for lot, (decision, request, kwargs) in zip(self.lots, cases, strict=True):
            with self.subTest(decision=decision):
                claim, messages = self._decide(lot, request, decision, **kwargs)
                self.assertEqual(claim.decision, decision)
                facing = self._customer_facing(messages)
                self.assertEqual(len(facing), 1, facing.mapped("subject"))
                self.assertIn("decision", facing.subject)
                self.assertEqual(facing.message_type, "auto_comment")
                self.assertIn(claim.name, facing.subject)
                # The response letter is rendered when the email leaves with the mail queue
                # (issue 17, mail_mail.py), then attached to the email and the message.
                self.assertFalse(facing.attachment_ids)
                self.env["mail.mail"].sudo().search([("mail_message_id", "=", facing.id)]).send()
                self.assertEqual(len(facing.attachment_ids), 1)  # the response letter
                self.assertIn(lot.name, facing.attachment_ids.raw.decode())
                notified = self.env["mail.notification"].search(
                    [
                        ("mail_message_id", "in", messages.ids),
                        ("res_partner_id", "=", self.customer_ru.id),
                    ]
                )
                self.assertEqual(len(notified), 1)
                # The team's own trail stays: the decision note is internal.
                self.assertTrue(
                    (messages - facing).filtered(lambda m: "Decision:" in (m.body or ""))
                )

    def test_rejection_message_carries_the_reason_and_the_article(self):
        claim, messages = self._decide(
            self.lots[0], "repair", "reject", reason="Water inside the unit"
        )
        facing = self._customer_facing(messages)
        self.assertEqual(len(facing), 1)
        self.assertIn("Water inside the unit", facing.body)
        self.assertIn("Law 2300-1 art. 18 p. 5", facing.body)
        self.assertEqual(claim.state, "rejected")
