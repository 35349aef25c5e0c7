"""The demo data tells a story a user can follow in the web client (issue 12): claims and
their service orders linked both ways, a technician and a front-desk user with their own
work, and no spare part whose shelf the demo emptied. Runs on the demo data of the test
database; skipped when it is not loaded."""

from odoo.exceptions import AccessDenied
from odoo.tests import TransactionCase, tagged

OPEN_ORDER = ("draft", "confirmed", "under_repair")


@tagged("post_install", "-at_install")
class TestDemoStory(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.tech = cls.env.ref("aftersales_service.demo_user_technician", raise_if_not_found=False)
        cls.desk = cls.env.ref("aftersales_service.demo_user_frontdesk", raise_if_not_found=False)

    def setUp(self):
        super().setUp()
        if not (self.tech and self.desk):
            self.skipTest("needs the demo data")

    def ref(self, xmlid):
        return self.env.ref(f"aftersales_service.{xmlid}")

    def _check_password(self, user, password):
        user.with_user(user)._check_credentials(
            {"type": "password", "password": password}, {"interactive": False}
        )

    def test_demo_users_log_in_with_their_role(self):
        self.assertEqual((self.tech.login, self.desk.login), ("technician", "frontdesk"))
        self._check_password(self.tech, "technician")
        self._check_password(self.desk, "frontdesk")
        with self.assertRaises(AccessDenied):
            self._check_password(self.tech, "frontdesk")
        self.assertTrue(self.tech.has_group("aftersales_service.group_aftersales_technician"))
        self.assertFalse(self.tech.has_group("aftersales_service.group_aftersales_user"))
        self.assertTrue(self.desk.has_group("aftersales_service.group_aftersales_user"))
        self.assertFalse(self.desk.has_group("aftersales_service.group_aftersales_manager"))

    def test_portal_customer_sees_his_claims_only(self):
        customer = self.ref("demo_user_portal_ru")
        self._check_password(customer, "customer")
        self.assertTrue(customer.has_group("base.group_portal"))
        self.assertEqual(customer.partner_id, self.ref("demo_partner_ru"))
        claims = self.env["aftersales.claim"].with_user(customer).search([])
        self.assertTrue(claims)
        self.assertEqual(claims.partner_id, self.ref("demo_partner_ru"))
        anna = self.env["aftersales.claim"].search(
            [("partner_id", "=", self.ref("demo_partner_eu").id)]
        )
        self.assertTrue(anna)
        self.assertFalse(claims & anna)

    def test_technician_has_orders_in_several_stages_with_parts_and_labor(self):
        # What "My Service Orders" shows him, read as him (his access, his domain).
        board = self.ref("repair_order_action_my_board")
        self.assertIn("('user_id', '=', uid)", board.domain)
        orders = (
            self.env["repair.order"]
            .with_user(self.tech)
            .search([("user_id", "=", self.tech.id), ("state", "!=", "cancel")])
        )
        self.assertGreaterEqual(len(orders), 8)
        self.assertTrue(
            {"draft", "confirmed", "under_repair", "done"} <= set(orders.mapped("state"))
        )
        self.assertEqual(
            {"ready", "waiting", "to_request"},
            set(orders.mapped("aftersales_parts_state")) - {False, "issued"},
        )
        with_parts = orders.filtered(lambda o: o.move_ids.filtered("repair_line_type"))
        self.assertGreaterEqual(len(with_parts), 7)
        labor = orders.aftersales_labor_ids.filtered(lambda line: line.user_id == self.tech)
        self.assertGreaterEqual(len(labor.repair_id), 6)
        self.assertGreater(sum(labor.mapped("hours")), 5.0)
        # The unassigned order is his to pick up too (a technician sees unassigned orders).
        unassigned = self.ref("demo_repair_in_progress")
        self.assertFalse(unassigned.user_id)
        self.assertEqual(unassigned.with_user(self.tech).state, "under_repair")

    def test_front_desk_owns_claims_in_several_states(self):
        Claim = self.env["aftersales.claim"].with_user(self.desk)
        claims = Claim.search([("user_id", "=", self.desk.id)])
        self.assertEqual(
            set(claims.mapped("state")),
            {"new", "diagnosis", "decided", "in_progress", "done", "rejected", "cancel"},
        )
        self.assertIn(self.ref("demo_claim_overdue"), claims)
        self.assertTrue(self.ref("demo_claim_overdue").is_overdue)
        # The dealer's and the disputed claims are the manager's.
        others = self.env["aftersales.claim"].search(
            [("lot_id", "in", claims.lot_id.ids), ("user_id", "!=", self.desk.id)]
        )
        self.assertTrue(others)
        self.assertEqual(others.user_id, self.env.ref("base.user_admin"))

    def test_orders_of_claims_are_linked_both_ways(self):
        in_progress, overdue = self.ref("demo_claim_in_progress"), self.ref("demo_claim_overdue")
        ready, waiting = in_progress.repair_ids, overdue.repair_ids
        self.assertEqual((len(ready), len(waiting)), (1, 1))
        self.assertEqual(ready.aftersales_claim_id, in_progress)
        self.assertEqual(waiting.aftersales_claim_id, overdue)
        self.assertEqual(ready.aftersales_parts_state, "ready")
        self.assertEqual(waiting.aftersales_parts_state, "waiting")
        self.assertEqual(
            waiting.aftersales_purchase_ids.partner_id, self.ref("demo_partner_vendor")
        )
        for order in ready | waiting:
            self.assertEqual(order.user_id, self.tech)
            self.assertEqual(order.aftersales_intake_picking_id.state, "done")
            self.assertEqual(order.lot_id, order.aftersales_claim_id.lot_id)
        # Every order linked to a claim is among the claim's orders (and the reverse), and
        # an open order of a serial with an open repair claim serves that claim.
        orders = self.env["repair.order"].search([])
        for order in orders.filtered("aftersales_claim_id"):
            self.assertIn(order, order.aftersales_claim_id.repair_ids)
        claims = self.env["aftersales.claim"].search([])
        for claim in claims:
            self.assertEqual(
                claim.repair_ids.aftersales_claim_id, claim if claim.repair_ids else claim.browse()
            )
        open_repair_claims = claims.filtered(
            lambda c: c.state in ("diagnosis", "in_progress") and c.request == "repair"
        )
        for order in orders.filtered(lambda o: o.state in OPEN_ORDER):
            claim = open_repair_claims.filtered(lambda c, o=order: c.lot_id == o.lot_id)
            if claim:
                self.assertEqual(order.aftersales_claim_id, claim, order.name)
        # One open order per washer at a time: the story never has a unit in two repairs.
        washer = self.ref("demo_product_washer")
        open_orders = orders.filtered(lambda o: o.state in OPEN_ORDER and o.product_id == washer)
        self.assertEqual(len(open_orders), len(open_orders.lot_id))
        decided_repair = claims.filtered(
            lambda c: c.decision == "repair" and c.state in ("decided", "in_progress", "done")
        )
        self.assertTrue(decided_repair)
        for claim in decided_repair:
            self.assertTrue(claim.repair_ids.filtered(lambda r: r.state != "cancel"), claim.name)

    def test_no_spare_part_shelf_emptied(self):
        stock = self.env.ref("stock.warehouse0").lot_stock_id
        for xmlid in ("demo_part_pump", "demo_part_belt", "demo_part_board"):
            part = self.ref(xmlid)
            on_hand = part.with_context(location=stock.id).qty_available
            self.assertGreater(on_hand, 0.0, f"{part.display_name} has no stock left in WH/Stock")
            quants = self.env["stock.quant"].search(
                [("product_id", "=", part.id), ("location_id", "child_of", stock.id)]
            )
            self.assertEqual(sum(quants.mapped("quantity")), on_hand)
        # The last control board waits on the shelf, reserved for the claim's order.
        board = self.ref("demo_part_board")
        self.assertEqual(board.with_context(location=stock.id).qty_available, 1.0)
        self.assertEqual(board.with_context(location=stock.id).free_qty, 0.0)

    def test_serials_are_where_the_readme_says(self):
        """A few rows of README's table "What happened to each serial", checked."""
        Lot = self.env["stock.lot"]
        Order = self.env["repair.order"]

        def orders(name):
            return Order.search([("lot_id", "=", Lot.search([("name", "=", name)]).id)])

        expected = {
            "WM100-2025-0009": ("done", False),
            "WM100-2025-0010": ("under_repair", "waiting"),
            "WM100-2025-0011": ("confirmed", "to_request"),
            "WM100-2024-0006": ("under_repair", False),
        }
        for name, (state, parts) in expected.items():
            order = orders(name)
            self.assertEqual(len(order), 1, name)
            self.assertEqual((order.state, order.aftersales_parts_state), (state, parts), name)
        self.assertFalse(orders("WM100-2024-0006").user_id)
        loaners = Lot.search([("name", "in", ("LOANER-1", "LOANER-2", "LOANER-3"))], order="name")
        self.assertEqual(len(loaners), 3)
        loan = self.env["aftersales.loaner"].search([("lot_id", "in", loaners.ids)])
        self.assertEqual((loan.lot_id.name, loan.state), ("LOANER-1", "lent"))
        self.assertEqual(loan.claim_id, self.ref("demo_claim_diagnosis"))
        disputed = self.env["aftersales.claim"].search([("lot_id.name", "=", "WM-DISPUTED-01")])
        self.assertEqual(disputed.state, "diagnosis")
        self.assertEqual(disputed.expertise_ids.conclusion, "manufacturing_defect")
        self.assertEqual(disputed.repair_ids.state, "draft")
