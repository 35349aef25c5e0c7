import ast
from datetime import timedelta

from odoo import fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user, tagged

from .test_repair import RepairCommon


@tagged("post_install", "-at_install")
class TestDeadEnds(RepairCommon):
    """Flows that used to dead-end at the desk (issue: the daily work of each role)."""

    def test_no_second_receipt_for_a_unit_already_here(self):
        first = self._new_order(self.lot_warranty)
        self._receive(first)
        second = self._new_order(self.lot_warranty)
        self.assertFalse(second.aftersales_can_create_intake)
        self.assertIn("Units in Service", second.aftersales_unit_held or "")
        pickings_before = self.env["stock.picking"].search_count([])
        with self.assertRaisesRegex(UserError, "already here"):
            second.action_aftersales_create_intake()
        self.assertFalse(second.aftersales_intake_picking_id)
        self.assertEqual(self.env["stock.picking"].search_count([]), pickings_before)
        # A unit at the customer's is still received as before.
        other = self._new_order(self.lot_warranty_2)
        self.assertTrue(other.aftersales_can_create_intake)
        self.assertFalse(other.aftersales_unit_held)

    def test_claim_keeps_its_sale_after_an_on_site_repair(self):
        sale = (
            self.env["sale.order.line"]
            .search([("move_ids.move_line_ids.lot_id", "=", self.lot_warranty.id)], limit=1)
            .order_id
        )
        self.assertTrue(sale)
        order = self._new_order(self.lot_warranty, aftersales_on_site=True)
        self._finish(order)
        last = self.env["aftersales.claim"]._lot_last_delivery(self.lot_warranty)
        self.assertFalse(last.sale_line_id, "the on-site repair is the serial's last move")
        claim = self._create_claim(self.customer_ru, lot=self.lot_warranty)
        self.assertEqual(claim.sale_order_id, sale)
        self.assertEqual(
            self.env["aftersales.claim"]._prepare_vals_from_lot(self.lot_warranty)["sale_order_id"],
            sale.id,
        )

    def test_resolve_lists_every_blocker_at_once(self):
        claim = self._create_claim(self.customer_ru, lot=self.lot_warranty)
        claim.action_start_diagnosis()
        claim.action_decide("repair", reason="Pump failure")
        order = claim.repair_ids[:1] or claim.action_create_repair()
        order.action_aftersales_create_intake()
        intake = order.aftersales_intake_picking_id
        self.assertEqual(intake.aftersales_claim_id, claim)
        state = claim.state
        with self.assertRaises(UserError) as caught:
            claim.action_done()
        message = str(caught.exception)
        self.assertIn(intake.name, message)
        self.assertIn(order.name, message)
        self.assertIn("cancel", message)
        self.assertEqual(claim.state, state)


@tagged("post_install", "-at_install")
class TestAccountantOnCommunity(RepairCommon):
    """An accountant with Invoicing's Billing group only reads service costs, the analyses
    and the warranty entries with their lines, and changes none of them."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.accountant = new_test_user(
            cls.env,
            login="as_billing",
            groups="account.group_account_invoice",
            name="Billing Accountant",
        )

    def test_accountant_reads_costs_reports_and_entry_lines(self):
        order = self._new_order(
            self.lot_warranty,
            parts=[(self.part_belt, 1)],
            labor=[(self.technician, 1.0)],
            aftersales_on_site=True,
        )
        self._finish(order)
        order.action_aftersales_invoice()
        entry = order.aftersales_warranty_move_id
        self.assertTrue(entry)
        as_accountant = order.with_user(self.accountant)
        values = as_accountant.read(
            ["aftersales_cost_total", "aftersales_amount_warranty", "aftersales_labor_ids"]
        )[0]
        self.assertEqual(values["aftersales_cost_total"], order.aftersales_cost_total)
        self.assertGreater(values["aftersales_amount_warranty"], 0)
        self.assertTrue(as_accountant.aftersales_labor_ids.read(["cost_amount"]))
        for model in ("aftersales.repair.cost.report", "aftersales.parts.report"):
            rows = (
                self.env[model]
                .with_user(self.accountant)
                .search_read([("repair_id", "=", order.id)], ["repair_id"])
            )
            self.assertTrue(rows, model)
        # The warranty entry's items, from the order's button and the Warranty Entries menu.
        action = as_accountant.action_aftersales_view_warranty_move()
        self.assertEqual(action["res_model"], "account.move.line")
        lines = self.env["account.move.line"].with_user(self.accountant).search(action["domain"])
        self.assertEqual(lines, entry.line_ids)
        menu = self.env.ref("aftersales_service.account_move_line_action_aftersales_warranty")
        listed = (
            self.env["account.move.line"]
            .with_user(self.accountant)
            .search(ast.literal_eval(menu.domain))
        )
        self.assertEqual(listed & entry.line_ids, entry.line_ids)
        views = (
            self.env["repair.order"]
            .with_user(self.accountant)
            .get_views(
                [(self.env.ref("aftersales_service.repair_order_view_form_accounting").id, "form")]
            )
        )
        self.assertIn("aftersales_cost_total", views["views"]["form"]["arch"])
        # Read-only: no write, no create, no unlink.
        with self.assertRaises(AccessError):
            as_accountant.write({"internal_notes": "edited"})
        with self.assertRaises(AccessError):
            as_accountant.aftersales_labor_ids.check_access("write")
        with self.assertRaises(AccessError):
            self.env["repair.order"].with_user(self.accountant).create(
                {"product_id": self.product_unit.id, "partner_id": self.customer_ru.id}
            )


@tagged("post_install", "-at_install")
class TestFrontDeskBoard(RepairCommon):
    """The claim board's legal-clock colour, priority and tags; one billing path."""

    def test_clock_state_follows_the_legal_clock(self):
        fresh = self._create_claim(self.customer_ru, lot=self.lot_warranty)
        self.assertEqual(fresh.clock_state, "on_time")
        days = (fresh.date_resolution_due - fresh._today()).days
        self.assertGreater(days, 2)
        soon = self._create_claim(
            self.customer_ru,
            lot=self.lot_warranty_2,
            date_received=fields.Datetime.now() - timedelta(days=days - 1),
        )
        # Answered (in diagnosis): only the resolution clock runs, due tomorrow.
        soon.action_start_diagnosis()
        self.assertEqual(soon.clock_state, "due_soon")
        late = self._create_claim(
            self.customer_ru,
            lot=self.lot_billable,
            date_received=fields.Datetime.now() - timedelta(days=days + 3),
        )
        self.assertEqual(late.clock_state, "overdue")
        # The daily watch keeps the stored colour in step, in SQL.
        self.env.cr.execute(
            "UPDATE aftersales_claim SET clock_state = 'on_time', date_clock_checked = NULL "
            "WHERE id IN %s",
            [(soon.id, late.id)],
        )
        self.env.invalidate_all()
        self.env["aftersales.claim"]._cron_watch_deadlines()
        self.assertEqual((soon.clock_state, late.clock_state), ("due_soon", "overdue"))
        groups = self.env["aftersales.claim"].read_group(
            [("id", "in", (fresh | soon | late).ids)], ["clock_state"], ["clock_state"]
        )
        self.assertEqual(
            {g["clock_state"]: g["clock_state_count"] for g in groups},
            {"on_time": 1, "due_soon": 1, "overdue": 1},
        )
        fresh.action_cancel()
        self.assertEqual(fresh.clock_state, "closed")

    def test_front_desk_tags_and_priority(self):
        tag = self.env["aftersales.claim.tag"].with_user(self.frontdesk).create({"name": "VIP"})
        claim = self._create_claim(self.customer_ru, lot=self.lot_warranty).with_user(
            self.frontdesk
        )
        claim.write({"priority": "2", "tag_ids": [(4, tag.id)]})
        self.assertEqual(claim.priority, "2")
        self.assertEqual(claim.tag_ids, tag)
        with self.assertRaises(AccessError):
            tag.with_user(self.technician).write({"name": "Renamed"})

    def test_serial_form_shows_new_claim_and_warranty_status(self):
        arch = (
            self.env["stock.lot"]
            .with_user(self.frontdesk)
            .get_views([(False, "form")])["views"]["form"]["arch"]
        )
        header = arch.split("<header>", 1)[1].split("</header>", 1)[0]
        self.assertIn("New Claim", header)
        self.assertIn("action_aftersales_warranty_status", header)

    def test_quotation_refused_once_billed_with_invoice_service(self):
        order = self._new_order(
            self.lot_billable, parts=[(self.part_belt, 1)], aftersales_on_site=True
        )
        self._finish(order)
        order.action_aftersales_invoice()
        self.assertTrue(order.aftersales_invoiced)
        sales_before = self.env["sale.order"].search_count([])
        with self.assertRaisesRegex(UserError, "second time"):
            order.action_create_sale_order()
        self.assertEqual(self.env["sale.order"].search_count([]), sales_before)
        self.assertFalse(order.sale_order_id)
