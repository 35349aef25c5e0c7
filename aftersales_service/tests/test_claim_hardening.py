import math

from odoo import SUPERUSER_ID, Command, api
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import TransactionCase, tagged

from .common import AftersalesCommon


@tagged("post_install", "-at_install")
class TestClaimHardening(AftersalesCommon):
    """What an RPC client or a careless user can do to a claim (issue #11): repeated ids,
    workflow fields written directly, unbounded amounts, other people's serials."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.aftersales_compensation_account_id = cls.env["account.account"].search(
            [("account_type", "=", "expense"), ("company_ids", "in", cls.company.ids)], limit=1
        )
        cls.order, cls.lot = cls._sell_and_deliver(cls.customer_ru, serials=("HD-1",))
        cls.invoice = cls._invoice(cls.order)
        line = cls.order.order_line
        cls.price_paid = line.price_total / line.product_uom_qty

    def _claim(self, request="repair"):
        claim = self._create_claim(self.customer_ru, self.lot, request=request)
        claim.action_start_diagnosis()
        return claim

    def _counts(self):
        return (
            self.env["account.move"].search_count([("move_type", "=", "out_refund")]),
            self.env["stock.picking"].search_count([]),
            self.env["repair.order"].search_count([]),
        )

    # Repeated ids ---------------------------------------------------------------------------

    def test_repeated_ids_decide_once(self):
        claim = self._claim("price_reduction")
        refunds = self.env["account.move"].search_count([("move_type", "=", "out_refund")])
        twice = self.env["aftersales.claim"].browse([claim.id, claim.id])
        twice.with_user(self.manager).action_decide("price_reduction", amount=50.0)
        self.assertEqual(len(claim.refund_move_ids), 1)
        self.assertEqual(
            self.env["account.move"].search_count([("move_type", "=", "out_refund")]),
            refunds + 1,
        )
        notes = claim.message_ids.filtered(lambda m: "Decision" in (m.body or ""))
        self.assertEqual(len(notes), 1)

    def test_repeated_ids_repair_once(self):
        claim = self._claim()
        repairs = self.env["repair.order"].search_count([])
        self.env["aftersales.claim"].browse([claim.id, claim.id]).with_user(
            self.manager
        ).action_decide("repair")
        self.assertEqual(len(claim.repair_ids), 1)
        self.assertEqual(self.env["repair.order"].search_count([]), repairs + 1)
        notes = claim.message_ids.filtered(lambda m: "Decision" in (m.body or ""))
        self.assertEqual(len(notes), 1)

    # Workflow fields ------------------------------------------------------------------------

    def test_workflow_fields_refused_in_write(self):
        claim = self._claim()
        forged = {
            "state": "done",
            "decision": "refund",
            "decision_amount": 1000000.0,
            "decision_user_id": self.manager.id,
            "refund_move_ids": [Command.link(self.invoice.id)],
            "unit_price": 1.0,
            "penalty_amount": 0.0,
            "date_resolution_due": "2099-01-01",
        }
        for user in (self.frontdesk, self.manager):
            for fname, value in forged.items():
                with self.subTest(user=user.login, field=fname), self.assertRaises(UserError):
                    claim.with_user(user).write({fname: value})
        # Not even as superuser (server code outside the actions).
        with self.assertRaises(UserError):
            claim.sudo().write({"state": "done"})
        claim.invalidate_recordset()
        self.assertEqual(claim.state, "diagnosis")
        self.assertFalse(claim.decision)
        self.assertFalse(claim.refund_move_ids)
        self.assertAlmostEqual(claim.unit_price, self.price_paid)
        # A context key does not open the guard.
        with self.assertRaises(UserError):
            claim.with_user(self.frontdesk).with_context(
                aftersales_claim_workflow=True, aftersales_workflow=True
            ).write({"state": "done"})
        self.assertEqual(claim.state, "diagnosis")

    def test_workflow_fields_refused_in_create(self):
        Claim = self.env["aftersales.claim"].with_user(self.frontdesk)
        count = Claim.search_count([])
        for vals in (
            {"state": "done"},
            {"decision": "refund"},
            {"decision_amount": 500.0},
            {"unit_price": 1.0},
            {"penalty_amount": 10.0},
            {"decision_user_id": self.manager.id},
        ):
            with self.subTest(vals=vals), self.assertRaises(UserError):
                Claim.create({"partner_id": self.customer_ru.id, **vals})
        self.assertEqual(Claim.search_count([]), count)
        # The default state is fine.
        claim = Claim.create({"partner_id": self.customer_ru.id, "state": "new"})
        self.assertEqual(claim.state, "new")

    def test_decided_claim_keys_frozen(self):
        claim = self._claim("price_reduction")
        claim.with_user(self.manager).action_decide("price_reduction", amount=10.0)
        other = self.env["sale.order"].create({"partner_id": self.customer_ru.id})
        for vals in ({"sale_order_id": other.id}, {"date_received": "2020-01-01 00:00:00"}):
            with self.subTest(vals=vals), self.assertRaises(UserError):
                claim.with_user(self.frontdesk).write(vals)
        self.assertEqual(claim.sale_order_id, self.order)
        # Free fields still editable.
        claim.with_user(self.frontdesk).write({"summary": "Scratch on the door"})

    # Amount bounds --------------------------------------------------------------------------

    def test_amount_bounded_by_price_paid(self):
        before = self._counts()
        for decision in ("price_reduction", "compensation"):
            claim = self._claim(decision)
            with self.subTest(decision=decision), self.assertRaises(UserError):
                claim.with_user(self.manager).action_decide(decision, amount=1000000.0)
            self.assertEqual(claim.state, "diagnosis")
            self.assertFalse(claim.refund_move_ids)
        self.assertEqual(self._counts(), before)
        # A price reduction never exceeds the price, whatever the reason.
        claim = self._claim("price_reduction")
        with self.assertRaises(UserError):
            claim.with_user(self.manager).action_decide(
                "price_reduction", amount=self.price_paid + 1, exceed_reason="Customer angry"
            )
        self.assertEqual(self._counts(), before)

    def test_compensation_above_price_with_reason_is_tracked(self):
        claim = self._claim("compensation")
        amount = self.price_paid + 500.0
        claim.with_user(self.manager).action_decide(
            "compensation", amount=amount, exceed_reason="Flooded the neighbour's kitchen"
        )
        self.assertAlmostEqual(claim.refund_move_ids.amount_total, amount)
        note = claim.message_ids.filtered(lambda m: "Decision" in (m.body or ""))
        self.assertIn("Flooded the neighbour", note.body)

    def test_bad_amounts_refused(self):
        claim = self._claim("compensation")
        before = self._counts()
        for amount in ("100", float("nan"), float("inf"), [1], True):
            with self.subTest(amount=amount), self.assertRaises(UserError):
                claim.with_user(self.manager).action_decide("compensation", amount=amount)
        self.assertEqual(self._counts(), before)
        self.assertEqual(claim.state, "diagnosis")

    # Replacement serials --------------------------------------------------------------------

    def _replacement_refused(self, lot_value):
        claim = self._claim("replacement")
        before = self._counts()
        with self.assertRaises(UserError):
            claim.with_user(self.manager).action_decide("replace", replacement_lot_id=lot_value)
        self.assertEqual(claim.state, "diagnosis")
        self.assertEqual(self._counts(), before)

    def test_replacement_lot_as_list_refused(self):
        lot = self._create_lots(self.product_unit, ["HD-LIST"])
        self._add_stock(self.product_unit, 1, lot=lot)
        self._replacement_refused([lot.id])
        self._replacement_refused((lot.id,))
        self._replacement_refused("HD-LIST")
        self._replacement_refused(10**9)

    def test_replacement_owned_by_customer_refused(self):
        # A customer's unit in for service, in our stock with the customer as owner.
        lot = self._create_lots(self.product_unit, ["HD-OWNED"])
        self.env["stock.quant"]._update_available_quantity(
            self.product_unit, self.stock_location, 1, lot_id=lot, owner_id=self.customer_eu
        )
        self._replacement_refused(lot.id)

    def test_replacement_reserved_refused(self):
        lot = self._create_lots(self.product_unit, ["HD-RESERVED"])
        self._add_stock(self.product_unit, 1, lot=lot)
        order = self._sell(self.customer_eu, [(self.product_unit, 1)])
        order.picking_ids.action_assign()
        self.assertEqual(order.picking_ids.move_line_ids.lot_id, lot)
        self._replacement_refused(lot.id)

    def test_replacement_free_stock_accepted(self):
        lot = self._create_lots(self.product_unit, ["HD-FREE"])
        self._add_stock(self.product_unit, 1, lot=lot)
        claim = self._claim("replacement")
        claim.with_user(self.manager).action_decide("replace", replacement_lot_id=lot.id)
        self.assertEqual(claim.replacement_lot_id, lot)
        delivery = claim.picking_ids.filtered(lambda p: p.aftersales_purpose == "replacement")
        self.assertEqual(delivery.move_line_ids.lot_id, lot)


@tagged("post_install", "-at_install")
class TestClaimRace(TransactionCase):
    """Two workers deciding the same claim at once, with real cursors on committed data
    (plain TransactionCase: nothing of the test's own transaction may lock what they use)."""

    def _committed_claim(self):
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {"tracking_disable": True})
            claim = env["aftersales.claim"].create({"request": "repair", "summary": "race"})
            claim.action_start_diagnosis()
            claim_id = claim.id
        self.addCleanup(self._drop_committed, claim_id)
        return claim_id

    def _drop_committed(self, claim_id):
        with self.registry.cursor() as cr:
            cr.execute(
                "DELETE FROM mail_message WHERE model = 'aftersales.claim' AND res_id = %s",
                [claim_id],
            )
            cr.execute(
                "DELETE FROM mail_followers WHERE res_model = 'aftersales.claim' AND res_id = %s",
                [claim_id],
            )
            cr.execute("DELETE FROM aftersales_claim WHERE id = %s", [claim_id])

    def _state(self, claim_id):
        with self.registry.cursor() as cr:
            cr.execute("SELECT state, decision FROM aftersales_claim WHERE id = %s", [claim_id])
            return cr.fetchone()

    def test_locked_claim_refused(self):
        claim_id = self._committed_claim()
        holder = self.registry.cursor()
        try:
            # A first worker is deciding the claim (its row is locked).
            holder.execute("SELECT id FROM aftersales_claim WHERE id = %s FOR UPDATE", [claim_id])
            with self.registry.cursor() as cr:
                # Without the NOWAIT lock the decision would wait for the first worker:
                # bound the wait so such code fails here instead of hanging.
                cr.execute("SET LOCAL lock_timeout = '3s'")
                env = api.Environment(cr, SUPERUSER_ID, {})
                claim = env["aftersales.claim"].browse(claim_id)
                with self.assertRaisesRegex(UserError, "being changed by someone else"):
                    claim.action_decide("reject", reason="second worker")
                cr.rollback()
        finally:
            holder.rollback()
            holder.close()
        self.assertEqual(self._state(claim_id), ("diagnosis", None))


@tagged("post_install", "-at_install")
class TestRpcInputChecks(AftersalesCommon):
    """Issue #11, "values that break other users later": what a JSON-RPC client can put in
    ``create``/``write``/``read`` of the after-sales models is refused with a clear error
    naming the field, before the ORM converts it (``models/aftersales_rpc_input.py``)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.order, cls.lot = cls._sell_and_deliver(cls.customer_ru, serials=("IN-1",))
        cls.claim = cls._create_claim(cls.customer_ru, cls.lot)

    def _claims(self):
        return self.env["aftersales.claim"].search_count([])

    def test_links_must_be_one_record_id(self):
        count = self._claims()
        Claim = self.env["aftersales.claim"].with_user(self.frontdesk)
        for partner in ("abc", [self.customer_ru.id], 1.5, {"id": 1}):
            with self.subTest(partner=partner), self.assertRaises(ValidationError) as caught:
                Claim.create({"partner_id": partner, "lot_id": self.lot.id, "request": "repair"})
            self.assertIn("Customer", str(caught.exception))
        self.assertEqual(self._claims(), count)
        with self.assertRaises(ValidationError):
            self.claim.with_user(self.frontdesk).write({"lot_id": [self.lot.id, self.lot.id]})
        self.assertEqual(self.claim.lot_id, self.lot)

    def test_choices_must_be_known(self):
        count = self._claims()
        Claim = self.env["aftersales.claim"].with_user(self.frontdesk)
        with self.assertRaises(ValidationError) as caught:
            Claim.create(
                {"partner_id": self.customer_ru.id, "lot_id": self.lot.id, "request": "free"}
            )
        self.assertIn("repair", str(caught.exception))  # the choices are listed
        self.assertEqual(self._claims(), count)
        channel = self.claim.channel
        with self.assertRaises(ValidationError):
            self.claim.with_user(self.frontdesk).write({"channel": "pigeon"})
        self.assertEqual(self.claim.channel, channel)
        terms = self.env["aftersales.warranty.term"].search_count([])
        with self.assertRaises(ValidationError):
            self._create_warranty_term(name="Bad kind", kind="lifetime")
        self.assertEqual(self.env["aftersales.warranty.term"].search_count([]), terms)

    def test_numbers_must_be_finite_and_bounded(self):
        terms = self.env["aftersales.warranty.term"].search_count([])
        for value in (math.nan, math.inf, -math.inf, "half", True):
            with self.subTest(value=value), self.assertRaises(ValidationError):
                self._create_warranty_term(name="Bad coverage", parts_coverage=value)
        self.assertEqual(self.env["aftersales.warranty.term"].search_count([]), terms)
        order = self.env["repair.order"].create(
            {"partner_id": self.customer_ru.id, "product_id": self.product_unit.id}
        )
        for value in (math.nan, math.inf, 1e308, "ten"):
            with self.subTest(value=value), self.assertRaises(ValidationError):
                order.with_user(self.manager).write({"aftersales_cost_logistics": value})
        self.assertEqual(order.aftersales_cost_logistics, 0.0)
        order.with_user(self.manager).write({"aftersales_cost_logistics": 12.5})
        self.assertEqual(order.aftersales_cost_logistics, 12.5)

    def test_ids_must_be_whole_numbers(self):
        with self.assertRaises(UserError):
            self.env["aftersales.claim"].browse([[self.claim.id]]).read(["name"])
        with self.assertRaises(UserError):
            self.env["aftersales.claim"].browse(["1"]).write({"summary": "x"})
        self.assertEqual(self.claim.read(["name"])[0]["name"], self.claim.name)

    def test_only_a_manager_writes_the_coverage_reason(self):
        order = self.env["repair.order"].create(
            {"partner_id": self.customer_ru.id, "product_id": self.product_unit.id}
        )
        parts = order.aftersales_parts_coverage
        with self.assertRaises(AccessError):
            order.with_user(self.frontdesk).write(
                {"aftersales_parts_coverage": parts, "aftersales_coverage_reason": "x"}
            )
        self.assertFalse(order.aftersales_coverage_reason)
        with self.assertRaises(AccessError):
            self.env["repair.order"].with_user(self.frontdesk).create(
                {
                    "partner_id": self.customer_ru.id,
                    "product_id": self.product_unit.id,
                    "aftersales_coverage_reason": "forged",
                }
            )
        # Unchanged, the reason may come back with the form; the manager writes it.
        order.with_user(self.frontdesk).write({"aftersales_coverage_reason": False})
        order.with_user(self.manager).write({"aftersales_coverage_reason": "Goodwill"})
        self.assertEqual(order.aftersales_coverage_reason, "Goodwill")
        with self.assertRaises(AccessError):
            order.with_user(self.frontdesk).write({"aftersales_coverage_reason": "Other"})
        order.with_user(self.frontdesk).write({"aftersales_coverage_reason": "Goodwill"})
        self.assertEqual(order.aftersales_coverage_reason, "Goodwill")
