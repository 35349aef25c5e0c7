"""The service order's books and guards (issue #10 points 4, 6, 7, 9; issue #11 order points)."""

import odoo
from odoo import Command, fields
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import tagged

from .test_repair import RepairCommon


@tagged("post_install", "-at_install")
class TestRepairBooks(RepairCommon):
    def _mixed_order(self, **vals):
        """Pump half covered, labor billed: an invoice and a warranty entry."""
        order = self._new_order(
            self.lot_billable,
            parts=[(self.part_pump, 1)],
            labor=[(self.technician, 2.0)],
            aftersales_on_site=True,
            **vals,
        )
        order.with_user(self.manager).write(
            {"aftersales_parts_coverage": 50.0, "aftersales_coverage_reason": "Goodwill"}
        )
        return self._finish(order)

    def _entries(self, order):
        return self.env["account.move"].search([("ref", "=", f"Warranty cost of {order.name}")])

    # Issue #10 point 2 ----------------------------------------------------------------

    def _valued_part(self, method):
        categ = self.env["product.category"].create(
            {
                "name": f"Parts ({method})",
                "property_cost_method": method,
                "property_valuation": "real_time",
            }
        )
        return self.env["product.product"].create(
            {
                "name": f"Heater ({method})",
                "is_storable": True,
                "categ_id": categ.id,
                "standard_price": 50.0,
                "list_price": 100.0,
            }
        )

    def _books(self, order, part):
        """Balances of the part's stock output and expense accounts over the consumption,
        the warranty entry and the posted invoice."""
        accounts = self._accounts(part)
        lines = (
            order.move_ids.stock_valuation_layer_ids.account_move_id.line_ids
            + order.aftersales_warranty_move_id.line_ids
            + order.aftersales_invoice_id.line_ids
        )

        def balance(account):
            return sum(lines.filtered(lambda l: l.account_id == account).mapped("balance"))

        return balance(accounts["stock_output"]), balance(accounts["expense"])

    def test_cogs_is_the_consumed_fifo_layer(self):
        """FIFO: the order consumed the 50 layer while the next layer costs 90: the invoice's
        COGS and the warranty entry clear stock output at 50, not at today's 90."""
        part = self._valued_part("fifo")
        self.assertTrue(self.company.anglo_saxon_accounting)
        self._add_stock(part, 1)
        part.standard_price = 90.0
        self._add_stock(part, 2)
        order = self._new_order(self.lot_billable, parts=[(part, 1)], aftersales_on_site=True)
        order.with_user(self.manager).write(
            {"aftersales_parts_coverage": 50.0, "aftersales_coverage_reason": "Goodwill"}
        )
        self._finish(order)
        self.assertAlmostEqual(self._part_svl(order, part), -50.0)
        order.action_aftersales_invoice()
        invoice = order.aftersales_invoice_id
        invoice.action_post()
        self.assertEqual(invoice.invoice_line_ids.aftersales_stock_move_id, order.move_ids)
        cogs = invoice.line_ids.filtered(lambda l: l.display_type == "cogs")
        self.assertAlmostEqual(sum(cogs.mapped("debit")), 50.0)
        stock_output, expense = self._books(order, part)
        self.assertAlmostEqual(stock_output, 0.0)
        self.assertAlmostEqual(expense, 25.0)  # the customer's half, at the consumed cost
        self.assertAlmostEqual(
            sum(
                order.aftersales_warranty_move_id.line_ids.filtered(
                    lambda l: l.account_id == self.expense_warranty
                ).mapped("debit")
            ),
            25.0,
        )

    def test_cogs_is_the_consumed_average_cost(self):
        """AVCO: the part was consumed at 50 and the average moved to 150 afterwards."""
        part = self._valued_part("average")
        self._add_stock(part, 1)
        order = self._new_order(self.lot_billable, parts=[(part, 1)], aftersales_on_site=True)
        self._finish(order)
        self.assertAlmostEqual(self._part_svl(order, part), -50.0)
        part.standard_price = 150.0
        order.action_aftersales_invoice()
        order.aftersales_invoice_id.action_post()
        stock_output, expense = self._books(order, part)
        self.assertAlmostEqual(stock_output, 0.0)
        self.assertAlmostEqual(expense, 50.0)

    # Issue #10 point 3 ----------------------------------------------------------------

    def _pricelist(self, currency, pump_price, labor_price):
        # The Pricelists setting on (as Settings > Sales > Pricelists does).
        self.env.ref("base.group_user").write(
            {"implied_ids": [Command.link(self.env.ref("product.group_product_pricelist").id)]}
        )
        return self.env["product.pricelist"].create(
            {
                "name": f"Customer prices ({currency.name})",
                "currency_id": currency.id,
                "company_id": self.company.id,
                "item_ids": [
                    Command.create(
                        {
                            "applied_on": "0_product_variant",
                            "product_id": product.id,
                            "compute_price": "fixed",
                            "fixed_price": price,
                        }
                    )
                    for product, price in (
                        (self.part_pump, pump_price),
                        (self.service_labor, labor_price),
                    )
                ],
            }
        )

    def test_fixed_price_pricelist_and_invoice_address(self):
        pricelist = self._pricelist(self.company.currency_id, 70.0, 30.0)
        self.customer_ru.with_company(self.company).property_product_pricelist = pricelist
        billing = self.env["res.partner"].create(
            {"name": "Petrov Accounts", "type": "invoice", "parent_id": self.customer_ru.id}
        )
        order = self._new_order(
            self.lot_billable,
            parts=[(self.part_pump, 1)],
            labor=[(self.technician, 2.0)],
            aftersales_on_site=True,
        )
        self.assertEqual(order.aftersales_pricelist_id, pricelist)
        self.assertEqual(order.aftersales_partner_invoice_id, billing)
        self.assertEqual(order.aftersales_labor_ids.price_unit, 30.0)
        self._finish(order)
        self.assertAlmostEqual(order.aftersales_amount_billable, 70.0 + 60.0)
        order.action_aftersales_invoice()
        invoice = order.aftersales_invoice_id
        self.assertEqual(invoice.partner_id, billing)
        self.assertEqual(invoice.currency_id, self.company.currency_id)
        lines = {line.product_id: line for line in invoice.invoice_line_ids}
        self.assertEqual(lines[self.part_pump].price_unit, 70.0)
        self.assertEqual(lines[self.service_labor].price_unit, 30.0)
        self.assertAlmostEqual(invoice.amount_untaxed, 130.0)

    def test_foreign_currency_pricelist(self):
        """A customer on a EUR pricelist is billed its EUR prices in EUR; the order's figures
        stay in the company currency, and COGS still clears stock output."""
        foreign = self.env.ref("base.EUR")
        if foreign == self.company.currency_id:
            foreign = self.env.ref("base.GBP")
        foreign.active = True
        self.env["res.currency.rate"].search(
            [("currency_id", "=", foreign.id), ("company_id", "in", (False, self.company.id))]
        ).unlink()
        self.env["res.currency.rate"].create(
            {
                "currency_id": foreign.id,
                "rate": 0.5,
                "name": "2000-01-01",
                "company_id": self.company.id,
            }
        )
        pricelist = self._pricelist(foreign, 60.0, 25.0)
        self.customer_ru.with_company(self.company).property_product_pricelist = pricelist
        order = self._new_order(
            self.lot_billable,
            parts=[(self.part_pump, 1)],
            labor=[(self.technician, 2.0)],
            aftersales_on_site=True,
        )
        self.assertEqual(order.aftersales_pricing_currency_id, foreign)
        self._finish(order)
        # 60 + 2 × 25 = 110 in the pricelist's currency = 220 in the company's (rate 0.5).
        self.assertAlmostEqual(order.aftersales_amount_billable, 220.0)
        order.action_aftersales_invoice()
        invoice = order.aftersales_invoice_id
        self.assertEqual(invoice.currency_id, foreign)
        lines = {line.product_id: line for line in invoice.invoice_line_ids}
        self.assertEqual(lines[self.part_pump].price_unit, 60.0)
        self.assertEqual(lines[self.service_labor].price_unit, 25.0)
        self.assertAlmostEqual(invoice.amount_untaxed, 110.0)
        invoice.action_post()
        self.assertAlmostEqual(invoice.amount_untaxed_signed, 220.0)
        stock_output, expense = self._books(order, self.part_pump)
        self.assertAlmostEqual(stock_output, 0.0)
        self.assertAlmostEqual(expense, 50.0)

    # Issue #10 point 4 ----------------------------------------------------------------

    def test_warranty_entry_credits_carry_analytic(self):
        """The warranty entry only reclassifies cost: its analytic lines net to zero, so the
        order's analytic balance is revenue minus the cost of goods sold, seen once."""
        distribution = {str(self.analytic.id): 100}
        order = self._mixed_order(analytic_distribution=distribution)
        order.action_aftersales_invoice()
        entry = order.aftersales_warranty_move_id
        credits = entry.line_ids.filtered("credit")
        self.assertTrue(credits)
        for line in credits:
            self.assertEqual(line.analytic_distribution, distribution)
        entry_analytic = self.env["account.analytic.line"].search(
            [("move_line_id", "in", entry.line_ids.ids)]
        )
        self.assertAlmostEqual(sum(entry_analytic.mapped("amount")), 0.0)
        self.assertEqual(
            sorted(entry_analytic.mapped("amount")), [-25.0, 25.0]
        )  # the covered half of the pump: out of COGS, into warranty, both on the order
        invoice = order.aftersales_invoice_id
        invoice.action_post()
        invoice_analytic = self.env["account.analytic.line"].search(
            [("move_line_id", "in", invoice.line_ids.ids)]
        )
        # Revenue 40 (pump, half) + 80 (labor), less the pump's COGS at cost (50): seen once.
        self.assertAlmostEqual(sum(invoice_analytic.mapped("amount")), 70.0)

    # Issue #10 point 6 ----------------------------------------------------------------

    def test_covered_labor_goes_to_absorption_account(self):
        order = self._new_order(
            self.lot_warranty, labor=[(self.technician, 2.0)], aftersales_on_site=True
        )
        self._finish(order)
        order.action_aftersales_invoice()
        credits = order.aftersales_warranty_move_id.line_ids.filtered("credit")
        self.assertEqual(credits.account_id, self.labor_absorbed)
        self.assertAlmostEqual(sum(credits.mapped("credit")), 40.0)

    def test_covered_labor_without_account_says_what_to_set(self):
        self.company.aftersales_service_cost_account_id = False
        order = self._new_order(
            self.lot_warranty, labor=[(self.technician, 2.0)], aftersales_on_site=True
        )
        self._finish(order)
        count = self._account_moves_count()
        with self.assertRaises(UserError) as caught:
            order.action_aftersales_invoice()
        self.assertIn("Covered Labor Absorption Account", str(caught.exception))
        self.assertEqual(self._account_moves_count(), count)
        self.assertFalse(order.aftersales_invoiced)
        self.assertFalse(order.aftersales_warranty_move_id)

    # Issue #10 point 7 ----------------------------------------------------------------

    def test_cancelled_invoice_can_be_made_again(self):
        order = self._mixed_order()
        order.action_aftersales_invoice()
        first = order.aftersales_invoice_id
        entry = order.aftersales_warranty_move_id
        self.assertEqual(entry.state, "posted")
        first.button_cancel()
        self.assertEqual(first.state, "cancel")
        self.assertFalse(order.aftersales_invoiced)
        self.assertFalse(order.aftersales_invoice_id)
        self.assertTrue(order.aftersales_can_invoice)
        count = self._account_moves_count()
        order.action_aftersales_invoice()
        second = order.aftersales_invoice_id
        self.assertNotEqual(second, first)
        self.assertAlmostEqual(second.amount_untaxed, 120.0)
        self.assertEqual(order.aftersales_warranty_move_id, entry, "not posted twice")
        self.assertEqual(self._account_moves_count(), count + 1)
        self.assertEqual(self._entries(order), entry)
        # A partial credit note leaves the order settled; a full reversal re-opens it.
        second.action_post()
        partial = self.env["account.move"].create(
            {
                "move_type": "out_refund",
                "partner_id": self.customer_ru.id,
                "reversed_entry_id": second.id,
                "invoice_line_ids": [
                    Command.create({"name": "Goodwill discount", "quantity": 1, "price_unit": 10})
                ],
            }
        )
        partial.action_post()
        self.assertTrue(order.aftersales_invoiced)
        self.assertEqual(order.aftersales_invoice_id, second)
        second._reverse_moves([{"invoice_date": second.invoice_date}], cancel=True)
        self.assertFalse(order.aftersales_invoiced)
        order.action_aftersales_invoice()
        self.assertTrue(order.aftersales_invoiced)
        self.assertEqual(self._entries(order), entry)
        self.assertEqual(len(self._entries(order).line_ids.filtered("debit")), 1)

    # Issue #10 point 9 ----------------------------------------------------------------

    def test_downtime_runs_from_claim_to_handover(self):
        layer = self.env["aftersales.warranty"].search([("lot_id", "=", self.lot_warranty_2.id)])
        end_before = layer.date_end
        claim = self._create_claim(self.customer_ru, lot=self.lot_warranty_2)
        claim.date_received = fields.Datetime.subtract(fields.Datetime.now(), days=10)
        order = claim.action_create_repair()
        order.write(
            {
                "move_ids": [
                    Command.create(
                        {
                            "repair_line_type": "add",
                            "product_id": self.part_belt.id,
                            "product_uom_qty": 1,
                        }
                    )
                ]
            }
        )
        if not order.aftersales_intake_picking_id:
            order.action_aftersales_create_intake()
        intake = order.aftersales_intake_picking_id
        intake.move_ids.picked = True
        intake.button_validate()
        intake.date_done = fields.Datetime.subtract(fields.Datetime.now(), days=6)
        self._finish(order)
        self.assertEqual(order.aftersales_downtime_days, 0, "final at the handover only")
        self.assertEqual(layer.date_end, end_before)
        self._ship_back(order)
        self.assertEqual(order.aftersales_downtime_days, 10)
        self.assertEqual(layer.downtime_days, 10)
        self.assertEqual(layer.date_end, fields.Date.add(end_before, days=10))


@tagged("post_install", "-at_install")
class TestRepairGuards(RepairCommon):
    # Issue #11: repeated ids and concurrency ---------------------------------------------

    def test_repeated_ids_invoice_once(self):
        order = self._new_order(
            self.lot_billable,
            parts=[(self.part_pump, 1)],
            labor=[(self.technician, 1.0)],
            aftersales_on_site=True,
        )
        self._finish(order)
        count = self._account_moves_count()
        self.env["repair.order"].browse([order.id, order.id]).action_aftersales_invoice()
        self.assertEqual(self._account_moves_count(), count + 1)
        self.assertEqual(
            self.env["account.move"].search_count([("invoice_origin", "=", order.name)]), 1
        )

    def test_order_locked_by_another_worker_is_refused(self):
        committed = self.env["repair.order"].search([], limit=1)
        if not committed:
            self.skipTest("needs a committed service order (demo data)")
        other = odoo.sql_db.db_connect(self.env.cr.dbname).cursor()
        try:
            other.execute("SELECT id FROM repair_order WHERE id = %s FOR UPDATE", [committed.id])
            with self.assertRaises(UserError) as caught:
                committed._aftersales_lock()
            self.assertIn("another user", str(caught.exception))
            with self.assertRaises(UserError):
                committed.action_aftersales_invoice()
        finally:
            other.rollback()
            other.close()
        self.assertEqual(committed._aftersales_lock(), committed)

    # Issue #11: workflow fields ----------------------------------------------------------

    def test_workflow_fields_refused_in_write(self):
        order = self._new_order(
            self.lot_billable, parts=[(self.part_pump, 1)], aftersales_on_site=True
        )
        self._finish(order)
        order.action_aftersales_invoice()
        invoice = order.aftersales_invoice_id
        forged = [
            {"aftersales_invoiced": False},
            {"aftersales_invoice_id": False},
            {"aftersales_warranty_move_id": invoice.id},
            {"aftersales_amount_billable": 0.0},
            {"aftersales_cost_parts": 0.0},
            {"aftersales_downtime_days": 300},
        ]
        for vals in forged:
            for env_order in (
                order.with_user(self.manager),
                order.with_user(self.frontdesk),
                order.sudo(),
                order.with_context(aftersales_billing_action=True),
            ):
                with self.assertRaises(AccessError):
                    env_order.write(vals)
        self.assertTrue(order.aftersales_invoiced)
        self.assertEqual(order.aftersales_invoice_id, invoice)
        self.assertAlmostEqual(order.aftersales_amount_billable, 80.0)
        with self.assertRaises(AccessError):
            self.env["repair.order"].create(
                {
                    "product_id": self.product_unit.id,
                    "lot_id": self.lot_billable.id,
                    "partner_id": self.customer_ru.id,
                    "aftersales_invoiced": True,
                }
            )
        # Nothing the order was billed on changes once settled.
        with self.assertRaises(UserError):
            order.write({"aftersales_cost_logistics": 10.0})
        with self.assertRaises(UserError):
            order.write({"partner_id": self.customer_eu.id})
        self.assertEqual(order.partner_id, self.customer_ru)

    # Issue #11: coverage borrowing -------------------------------------------------------

    def test_claim_of_another_serial_is_refused(self):
        foreign = self._create_claim(self.customer_ru, lot=self.lot_warranty)
        order = self._new_order(self.lot_billable, parts=[(self.part_pump, 1)])
        with self.assertRaises(ValidationError):
            order.write({"aftersales_claim_id": foreign.id})
        self.assertFalse(order.aftersales_claim_id)
        self.assertEqual(order.aftersales_parts_coverage, 0.0)
        self.assertEqual(order.move_ids.aftersales_coverage, 0.0)

    def test_part_override_fields_follow_the_override_rule(self):
        order = self._new_order(self.lot_billable, parts=[(self.part_pump, 1)])
        move = order.move_ids
        with self.assertRaises(AccessError):
            move.with_user(self.technician).write(
                {"aftersales_coverage_overridden": True, "aftersales_coverage_manual": 100.0}
            )
        with self.assertRaises(UserError):
            move.with_user(self.manager).write(
                {"aftersales_coverage_overridden": True, "aftersales_coverage_manual": 100.0}
            )
        self.assertEqual(move.aftersales_coverage, 0.0)
        self.assertFalse(move.aftersales_coverage_overridden)
        move.with_user(self.manager).write(
            {
                "aftersales_coverage_overridden": True,
                "aftersales_coverage_manual": 50.0,
                "aftersales_coverage_reason": "Recall",
            }
        )
        self.assertEqual(move.aftersales_coverage, 50.0)
        order.aftersales_on_site = True
        self._finish(order)
        order.action_aftersales_invoice()
        with self.assertRaises(UserError):
            move.with_user(self.manager).write(
                {"aftersales_coverage_manual": 100.0, "aftersales_coverage_reason": "late"}
            )
        self.assertEqual(move.aftersales_coverage, 50.0)

    # Issue #11: values -------------------------------------------------------------------

    def test_bad_values_are_clear_errors(self):
        order = self._new_order(self.lot_billable, labor=[(self.technician, 1.0)])
        line = order.aftersales_labor_ids
        for value in (-5.0, float("nan"), float("inf"), "abc", [1]):
            with self.assertRaises(ValidationError):
                order.write({"aftersales_cost_logistics": value})
        self.assertEqual(order.aftersales_cost_logistics, 0.0)
        for value in (25.0, float("nan"), float("-inf"), "2h"):
            with self.assertRaises(ValidationError):
                line.write({"hours": value})
        with self.assertRaises(ValidationError):
            line.write({"price_unit": float("inf")})
        self.assertEqual(line.hours, 1.0)
        self.assertEqual(line.price_unit, 40.0)
        count = self.env["aftersales.labor.line"].search_count([])
        with self.assertRaises(ValidationError):
            self.env["aftersales.labor.line"].create(
                {"repair_id": order.id, "product_id": self.part_pump.id, "hours": 1.0}
            )
        with self.assertRaises(ValidationError):
            self.env["aftersales.labor.line"].create(
                {"repair_id": order.id, "product_id": self.service_labor.id, "hours": 30.0}
            )
        self.assertEqual(self.env["aftersales.labor.line"].search_count([]), count)
        # Backed by the database.
        self.env.cr.execute(
            "SELECT conname FROM pg_constraint WHERE conname IN %s",
            [
                (
                    "aftersales_labor_line_hours_per_day",
                    "repair_order_aftersales_cost_logistics_positive",
                )
            ],
        )
        self.assertEqual(len(self.env.cr.fetchall()), 2)
