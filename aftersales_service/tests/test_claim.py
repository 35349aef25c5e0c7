from datetime import datetime, timedelta

from odoo import fields
from odoo.exceptions import UserError, ValidationError
from odoo.tests import tagged

from .common import AftersalesCommon


@tagged("post_install", "-at_install")
class TestClaimLegalClock(AftersalesCommon):
    """Legal rules, due dates, overdue flag, penalty, clock watch, archiving."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Rule = cls.env["aftersales.legal.rule"]
        cls.Claim = cls.env["aftersales.claim"]
        cls.rule_ru_repair = cls.env.ref("aftersales_service.legal_rule_ru_repair")
        cls.rule_default_repair = cls.env.ref("aftersales_service.legal_rule_default_repair")
        cls.order, cls.lots = cls._sell_and_deliver(cls.customer_ru, serials=("CLK-1", "CLK-2"))
        # Compensations are booked to this expense account (none set: refused).
        cls.company.aftersales_compensation_account_id = cls.env["account.account"].search(
            [("account_type", "=", "expense"), ("company_ids", "in", cls.company.ids)], limit=1
        )

    # Rules ---------------------------------------------------------------------------------

    def test_shipped_rules(self):
        ru = {
            rule.request: rule
            for rule in self.Rule.search([("country_id", "=", self.country_ru.id)])
        }
        self.assertEqual(
            {r: (ru[r].resolution_days, ru[r].penalty_rate) for r in ru},
            {
                "repair": (45, 1.0),
                "replacement": (7, 1.0),
                "refund": (10, 1.0),
                "price_reduction": (10, 1.0),
                "compensation": (10, 1.0),
            },
        )
        self.assertEqual(ru["repair"].loaner_within_days, 3)
        self.assertIn("art. 20", ru["repair"].law_reference)
        self.assertIn("art. 21", ru["replacement"].law_reference)
        self.assertIn("art. 22", ru["refund"].law_reference)
        defaults = self.Rule.search([("country_id", "=", False), ("company_id", "=", False)])
        self.assertEqual(len(defaults), 5)
        for rule in defaults:
            self.assertEqual(rule.resolution_days, 30)
            self.assertEqual(rule.penalty_rate, 0.0)
            self.assertIn("2019/771", rule.law_reference)

    def test_negative_rule_values_rejected(self):
        count = self.Rule.search_count([])
        for field in ("response_days", "resolution_days", "loaner_within_days", "penalty_rate"):
            with (
                self.subTest(field=field),
                self.assertRaises(ValidationError),
                self.env.cr.savepoint(),
            ):
                self.Rule.create(
                    {
                        "name": "Bad",
                        "country_id": self.env.ref("base.fr").id,
                        "request": "repair",
                        field: -1,
                    }
                )
        with self.assertRaises(ValidationError), self.env.cr.savepoint():
            self.rule_ru_repair.write({"resolution_days": -5})
        self.assertEqual(self.rule_ru_repair.resolution_days, 45)
        self.assertEqual(self.Rule.search_count([]), count)

    def test_rule_lookup_by_country_and_default(self):
        claim_ru = self._create_claim(self.customer_ru, self.lots[0])
        self.assertEqual(claim_ru.legal_rule_id, self.rule_ru_repair)
        # A contact of a Russian company uses its commercial partner's country.
        contact = self.env["res.partner"].create(
            {"name": "Contact", "parent_id": self.customer_ru.id, "type": "contact"}
        )
        contact.country_id = False
        self.assertEqual(self._create_claim(contact).legal_rule_id, self.rule_ru_repair)
        claim_eu = self._create_claim(self.customer_eu)
        self.assertEqual(claim_eu.legal_rule_id, self.rule_default_repair)
        claim_repl = self._create_claim(self.customer_ru, request="replacement")
        self.assertEqual(claim_repl.legal_rule_id.resolution_days, 7)
        # A new jurisdiction wins over the default.
        fr_rule = self.Rule.create(
            {
                "name": "FR: repair",
                "country_id": self.env.ref("base.fr").id,
                "request": "repair",
                "resolution_days": 30,
                "response_days": 5,
            }
        )
        customer_fr = self.env["res.partner"].create(
            {"name": "Jean", "country_id": self.env.ref("base.fr").id}
        )
        self.assertEqual(self._create_claim(customer_fr).legal_rule_id, fr_rule)

    def test_due_dates_are_local_dates(self):
        # 22:30 UTC on 10 January is already 11 January in Moscow (UTC+3), the company's
        # time zone; the clock counts there whatever the time zone of the user.
        received = datetime(2026, 1, 10, 22, 30)
        self.company.partner_id.tz = "Europe/Moscow"
        claim = self.Claim.with_context(tz="America/New_York").create(
            {
                "partner_id": self.customer_ru.id,
                "request": "repair",
                "date_received": received,
            }
        )
        self.assertEqual(claim.date_response_due, fields.Date.to_date("2026-01-21"))
        self.assertEqual(claim.date_resolution_due, fields.Date.to_date("2026-02-25"))
        self.company.partner_id.tz = "UTC"
        claim_utc = self.Claim.with_context(tz="Europe/Moscow").create(
            {"partner_id": self.customer_ru.id, "request": "refund", "date_received": received}
        )
        self.assertEqual(claim_utc.date_resolution_due, fields.Date.to_date("2026-01-20"))
        eu = self.Claim.with_context(tz="Europe/Berlin").create(
            {"partner_id": self.customer_eu.id, "request": "repair", "date_received": received}
        )
        self.assertEqual(eu.date_resolution_due, fields.Date.to_date("2026-02-09"))
        self.assertEqual(eu.penalty_amount, 0.0)

    # Penalty -------------------------------------------------------------------------------

    def test_penalty_from_sale_price_and_frozen_on_resolution(self):
        order, lots = self._sell_and_deliver(self.customer_ru, serials=("PEN-1",), extra_lines=())
        order.order_line.write({"discount": 10.0})  # price paid: 900 + taxes
        paid = order.order_line.price_total
        claim = self._create_claim(
            self.customer_ru,
            lots,
            date_received=fields.Datetime.now() - timedelta(days=50),
        )
        self.assertEqual(claim.sale_order_id, order)
        self.assertAlmostEqual(claim.unit_price, paid)
        today = claim._today()
        days_late = (today - claim.date_resolution_due).days
        self.assertGreaterEqual(days_late, 4)
        self.assertTrue(claim.is_overdue)
        self.assertLess(claim.days_left, 0)
        self.assertEqual(claim.days_left, -days_late)
        self.assertAlmostEqual(claim.penalty_amount, paid * 0.01 * days_late)
        # Ten days later the open claim owes ten more days...
        later = today + timedelta(days=10)
        self.assertAlmostEqual(claim._penalty_on(later), paid * 0.01 * (days_late + 10))
        # ...but once resolved the penalty stops growing.
        claim.action_start_diagnosis()
        self.company.aftersales_compensation_account_id = self.env["account.account"].search(
            [("account_type", "=", "expense")], limit=1
        )
        claim.with_user(self.manager).action_decide("compensation", amount=50.0)
        claim.action_done()
        self.assertEqual(claim.state, "done")
        self.assertTrue(claim.date_resolved)
        self.assertFalse(claim.is_overdue)
        frozen = claim.penalty_amount
        self.assertAlmostEqual(frozen, paid * 0.01 * days_late)
        self.assertAlmostEqual(claim._penalty_on(later), frozen)
        self.Claim._cron_watch_deadlines()
        self.assertAlmostEqual(claim.penalty_amount, frozen)

    def test_unit_price_falls_back_to_list_price(self):
        claim = self._create_claim(
            self.customer_ru,
            date_received=fields.Datetime.now() - timedelta(days=47),
            product_id=self.product_unit.id,
        )
        self.assertFalse(claim.sale_order_id)
        self.assertEqual(claim.unit_price, 1000.0)
        days_late = (claim._today() - claim.date_resolution_due).days
        self.assertAlmostEqual(claim.penalty_amount, 1000.0 * 0.01 * days_late)

    def test_not_overdue_within_deadline(self):
        claim = self._create_claim(self.customer_ru, self.lots[0])
        self.assertFalse(claim.is_overdue)
        self.assertEqual(claim.penalty_amount, 0.0)
        self.assertEqual(claim.days_left, 45)
        # Still unanswered past the response due date: overdue although not late to resolve.
        claim.date_received = fields.Datetime.now() - timedelta(days=12)
        self.assertTrue(claim.is_overdue)
        self.assertEqual(claim.penalty_amount, 0.0)
        claim.action_start_diagnosis()
        self.assertFalse(claim.is_overdue)

    # Bad input -----------------------------------------------------------------------------

    def test_serial_must_belong_to_product(self):
        count = self.Claim.search_count([])
        with self.assertRaises(ValidationError), self.env.cr.savepoint():
            self._create_claim(self.customer_ru, self.lots[0], product_id=self.part_pump.id)
        self.assertEqual(self.Claim.search_count([]), count)
        claim = self._create_claim(self.customer_ru, self.lots[0])
        with self.assertRaises(ValidationError), self.env.cr.savepoint():
            claim.product_id = self.part_pump
        self.assertEqual(claim.product_id, self.product_unit)

    def test_out_of_order_transitions(self):
        claim = self._create_claim(self.customer_ru, self.lots[0])
        with self.assertRaises(UserError):
            claim.action_done()
        with self.assertRaises(UserError):
            claim.with_user(self.manager).action_decide("repair")
        self.assertEqual(claim.state, "new")
        self.assertFalse(claim.decision)
        claim.action_start_diagnosis()
        with self.assertRaises(UserError):
            claim.action_start_diagnosis()
        with self.assertRaises(UserError):
            claim.with_user(self.manager).action_decide("teleport")
        self.assertEqual(claim.state, "diagnosis")

    # Archiving and chatter -----------------------------------------------------------------

    def test_claims_are_archived_not_deleted(self):
        claim = self._create_claim(self.customer_ru, self.lots[0])
        with self.assertRaises(UserError):
            claim.unlink()
        with self.assertRaises(UserError):
            claim.sudo().unlink()
        self.assertTrue(claim.exists())
        claim.action_archive()
        self.assertFalse(claim.active)
        self.assertFalse(self.Claim.search([("id", "=", claim.id)]))
        self.assertTrue(self.Claim.with_context(active_test=False).search([("id", "=", claim.id)]))

    def test_sequence_names(self):
        claims = self.Claim.create(
            [
                {"partner_id": self.customer_ru.id, "request": "repair"},
                {"partner_id": self.customer_eu.id, "request": "refund"},
            ]
        )
        self.assertTrue(all(name.startswith("CLM/") for name in claims.mapped("name")))
        self.assertNotEqual(claims[0].name, claims[1].name)

    def test_state_changes_post_chatter_messages(self):
        # The class environment disables tracking: the explicit notes must still be there.
        self.assertTrue(self.env.context.get("tracking_disable"))
        claim = self._create_claim(self.customer_ru, self.lots[0])

        def bodies():
            return claim.message_ids.mapped("body")

        claim.action_start_diagnosis()
        self.assertTrue(any("Diagnosis started" in b for b in bodies()))
        claim.with_user(self.manager).action_decide("compensation", amount=20.0, reason="Scratch")
        decision_msgs = claim.message_ids.filtered(lambda m: "Decision" in (m.body or ""))
        self.assertEqual(len(decision_msgs), 1)
        self.assertIn("Compensation", decision_msgs.body)
        self.assertIn("Scratch", decision_msgs.body)
        self.assertEqual(decision_msgs.author_id, self.manager.partner_id)
        claim.action_done()
        self.assertTrue(any("Claim resolved" in b for b in bodies()))


@tagged("post_install", "-at_install")
class TestClaimClockWatch(AftersalesCommon):
    """The daily cron: overdue flags, penalties, near-due activities (once), batches."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Claim = cls.env["aftersales.claim"]
        now = fields.Datetime.now()
        # RU repair: 45 days. Received 50 days ago: overdue; 44 days ago: due tomorrow;
        # 10 days ago: far from due.
        cls.claim_overdue = cls._create_claim(
            cls.customer_ru,
            date_received=now - timedelta(days=50),
            product_id=cls.product_unit.id,
        )
        cls.claim_near = cls._create_claim(
            cls.customer_ru,
            date_received=now - timedelta(days=44),
            product_id=cls.product_unit.id,
        )
        cls.claim_far = cls._create_claim(
            cls.customer_ru,
            date_received=now - timedelta(days=10),
            product_id=cls.product_unit.id,
        )
        (cls.claim_overdue | cls.claim_near | cls.claim_far).action_start_diagnosis()

    def _stale(self, claims, days_ago):
        """Pretend the stored clock was last computed ``days_ago`` (as after a night)."""
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE aftersales_claim SET is_overdue = FALSE, penalty_amount = 0,"
            " date_clock_checked = CURRENT_DATE - %s WHERE id = ANY(%s)",
            (days_ago, claims.ids),
        )
        self.env.invalidate_all()

    def test_cron_flags_overdue_and_penalty(self):
        claims = self.claim_overdue | self.claim_near | self.claim_far
        self._stale(claims, 1)
        self.assertFalse(self.claim_overdue.is_overdue)
        self.Claim._cron_watch_deadlines()
        self.assertTrue(self.claim_overdue.is_overdue)
        days_late = (self.Claim._today() - self.claim_overdue.date_resolution_due).days
        self.assertAlmostEqual(self.claim_overdue.penalty_amount, 1000.0 * 0.01 * days_late)
        self.assertFalse(self.claim_near.is_overdue)
        self.assertFalse(self.claim_far.is_overdue)
        # The SQL and the ORM agree.
        for claim in claims:
            self.assertEqual(claim.is_overdue, claim._is_overdue_on(claim._today()))
            self.assertAlmostEqual(claim.penalty_amount, claim._penalty_on(claim._today()))
        self.assertEqual(
            self.Claim.search([("is_overdue", "=", True), ("id", "in", claims.ids)]),
            self.claim_overdue,
        )

    def test_scheduled_job(self):
        cron = self.env.ref("aftersales_service.ir_cron_aftersales_claim_watch_deadlines")
        self.assertTrue(cron.active)
        self.assertEqual(cron.interval_type, "days")
        claims = self.claim_overdue | self.claim_near | self.claim_far
        self._stale(claims, 1)
        cron.method_direct_trigger()
        self.assertTrue(self.claim_overdue.is_overdue)
        self.assertGreater(self.claim_overdue.penalty_amount, 0)
        self.assertEqual(len(self.claim_near.activity_ids), 1)
        progress = self.env["ir.cron.progress"].search(
            [("cron_id", "=", cron.id)], order="id desc", limit=1
        )
        self.assertGreaterEqual(progress.done, 3)
        self.assertEqual(progress.remaining, 0)

    def test_near_due_activity_once(self):
        claims = self.claim_overdue | self.claim_near | self.claim_far
        self.Claim._cron_watch_deadlines()
        self.assertEqual(len(self.claim_near.activity_ids), 1)
        activity = self.claim_near.activity_ids
        self.assertEqual(activity.user_id, self.claim_near.user_id)
        self.assertEqual(activity.date_deadline, self.claim_near.date_resolution_due)
        self.assertFalse(self.claim_far.activity_ids)
        self.assertFalse(self.claim_overdue.activity_ids)
        # The next day's run does not schedule it again.
        self._stale(claims, 1)
        self.Claim._cron_watch_deadlines()
        self.assertEqual(len(self.claim_near.activity_ids), 1)
        # A second run on the same day touches nothing.
        self.assertEqual(self.Claim._cron_watch_deadlines(), 0)

    def test_cron_skips_resolved_and_archived(self):
        self.claim_far.action_cancel()
        self.claim_overdue.action_archive()
        self._stale(self.claim_far | self.claim_overdue, 1)
        self.Claim._cron_watch_deadlines()
        today = self.Claim._today()
        self.assertEqual(self.claim_near.date_clock_checked, today)
        self.assertNotEqual(self.claim_far.date_clock_checked, today)
        self.assertNotEqual(self.claim_overdue.date_clock_checked, today)
        self.assertFalse(self.claim_overdue.is_overdue)

    def test_cron_batches_constant_queries(self):
        """Queries per batch do not depend on the batch size."""

        def make(n):
            claims = self.Claim.create(
                [
                    {
                        "partner_id": self.customer_ru.id,
                        "product_id": self.product_unit.id,
                        "request": "repair",
                        "date_received": fields.Datetime.now() - timedelta(days=44 + i % 10),
                    }
                    for i in range(n)
                ]
            )
            self.env.flush_all()
            return claims

        today = self.Claim._today()
        counts = []
        for size in (10, 50):
            claims = make(size)
            # warm the registry caches (activity type, model id)
            self.Claim._watch_deadlines_batch(claims[:1].ids, today)
            self.env.flush_all()
            self.env.invalidate_all()
            start = self.env.cr.sql_log_count
            self.Claim._watch_deadlines_batch(claims[1:].ids, today)
            self.env.flush_all()
            counts.append(self.env.cr.sql_log_count - start)
        self.assertEqual(counts[0], counts[1], counts)
