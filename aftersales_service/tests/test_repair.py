from odoo import Command, fields
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, tagged

from .common import AftersalesCommon


class RepairCommon(AftersalesCommon):
    """Service-order builders: a billable serial (no warranty) and a serial under warranty."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.repair_type = cls.warehouse.repair_type_id
        cls.production_location = cls.repair_type.default_location_dest_id
        # Sold before any term exists: no warranty, the customer pays.
        _order, cls.lot_billable = cls._sell_and_deliver(cls.customer_ru, serials=("RP-BILL",))
        cls.term = cls._create_warranty_term(name="Test Guarantee", extend_by_downtime=True)
        _order, lots = cls._sell_and_deliver(cls.customer_ru, serials=("RP-WAR-1", "RP-WAR-2"))
        cls.lot_warranty, cls.lot_warranty_2 = lots
        for part, qty in ((cls.part_pump, 10), (cls.part_belt, 10), (cls.part_board, 5)):
            cls._add_stock(part, qty)
        cls.expense_warranty = cls.env["account.account"].create(
            {"name": "Warranty Cost (test)", "code": "619901", "account_type": "expense"}
        )
        cls.company.aftersales_warranty_expense_account_id = cls.expense_warranty
        cls.labor_absorbed = cls.env["account.account"].create(
            {"name": "Covered Labor Absorbed (test)", "code": "619902", "account_type": "expense"}
        )
        cls.company.aftersales_service_cost_account_id = cls.labor_absorbed
        plan = cls.env["account.analytic.plan"].create({"name": "Service Test Plan"})
        cls.analytic = cls.env["account.analytic.account"].create(
            {"name": "Workshop Moscow", "plan_id": plan.id}
        )

    # Builders -------------------------------------------------------------------------

    @classmethod
    def _accounts(cls, product):
        return product.product_tmpl_id.with_company(cls.company).get_product_accounts()

    def _new_order(self, lot, parts=(), labor=(), user=None, **vals):
        return self.env["repair.order"].create(
            {
                "product_id": self.product_unit.id,
                "lot_id": lot.id,
                "partner_id": self.customer_ru.id,
                "user_id": (user or self.technician).id,
                "picking_type_id": self.repair_type.id,
                "move_ids": [
                    Command.create(
                        {"repair_line_type": "add", "product_id": part.id, "product_uom_qty": qty}
                    )
                    for part, qty in parts
                ],
                "aftersales_labor_ids": [
                    Command.create(
                        {"user_id": tech.id, "product_id": self.service_labor.id, "hours": hours}
                    )
                    for tech, hours in labor
                ],
                **vals,
            }
        )

    def _receive(self, order):
        order.action_aftersales_create_intake()
        intake = order.aftersales_intake_picking_id
        intake.move_ids.picked = True
        intake.button_validate()
        self.assertEqual(intake.state, "done")
        return intake

    def _finish(self, order):
        order.action_validate()
        order.action_assign()
        order.action_repair_start()
        order.action_repair_end()
        self.assertEqual(order.state, "done")
        return order

    def _ship_back(self, order):
        back = order.aftersales_return_picking_id
        back.move_ids.picked = True
        back.button_validate()
        self.assertEqual(back.state, "done")
        return back

    def _qty(self, product, location, lot=None, owner=None):
        domain = [("product_id", "=", product.id), ("location_id", "=", location.id)]
        if lot:
            domain.append(("lot_id", "=", lot.id))
        if owner is not None:
            domain.append(("owner_id", "=", owner.id))
        return sum(self.env["stock.quant"].search(domain).mapped("quantity"))

    def _part_svl(self, order, product):
        moves = order.move_ids.filtered(lambda m: m.product_id == product)
        return sum(moves.stock_valuation_layer_ids.mapped("value"))

    def _account_moves_count(self):
        return self.env["account.move"].search_count([])


@tagged("post_install", "-at_install")
class TestRepairFlows(RepairCommon):
    def test_warranty_order_end_to_end(self):
        """Fully covered: no customer invoice; the cost goes to warranty expense."""
        order = self._new_order(
            self.lot_warranty,
            parts=[(self.part_pump, 1), (self.part_belt, 2)],
            labor=[(self.technician, 2.0)],
            analytic_distribution={str(self.analytic.id): 100},
        )
        self.assertTrue(order.aftersales_in_warranty)
        self.assertEqual(order.aftersales_parts_coverage, 100.0)
        self.assertEqual(order.aftersales_labor_coverage, 100.0)
        self.assertEqual(order.move_ids.mapped("aftersales_coverage"), [100.0, 100.0])
        self.assertEqual(order.aftersales_labor_ids.coverage, 100.0)

        intake = self._receive(order)
        self.assertEqual(intake.aftersales_purpose, "intake")
        self.assertEqual(intake.aftersales_repair_id, order)
        self.assertFalse(intake.move_ids.to_refund)
        self.assertEqual(intake.move_line_ids.lot_id, self.lot_warranty)
        self.assertEqual(intake.location_dest_id, order.product_location_src_id)
        # The customer's unit is in the repair location, still the customer's (not valued).
        self.assertEqual(
            self._qty(
                self.product_unit,
                order.product_location_src_id,
                self.lot_warranty,
                self.customer_ru,
            ),
            1,
        )
        self.assertFalse(intake.move_ids.stock_valuation_layer_ids)

        self._finish(order)
        # Parts consumed from stock, valued at FIFO cost.
        self.assertEqual(self._qty(self.part_pump, self.stock_location), 9)
        self.assertEqual(self._qty(self.part_belt, self.stock_location), 8)
        self.assertEqual(self._qty(self.part_pump, self.production_location), 1)
        self.assertAlmostEqual(self._part_svl(order, self.part_pump), -50.0)
        self.assertAlmostEqual(self._part_svl(order, self.part_belt), -20.0)
        self.assertFalse(order.move_id.stock_valuation_layer_ids)
        # Costs and shares.
        self.assertAlmostEqual(order.aftersales_cost_parts, 70.0)
        self.assertAlmostEqual(order.aftersales_cost_labor, 40.0)
        self.assertAlmostEqual(order.aftersales_cost_total, 110.0)
        self.assertAlmostEqual(order.aftersales_amount_billable, 0.0)
        self.assertAlmostEqual(order.aftersales_amount_warranty, 110.0)
        # The unit goes back to its owner.
        back = order.aftersales_return_picking_id
        self.assertEqual(back.aftersales_purpose, "unit_return")
        self.assertEqual(back.move_line_ids.lot_id, self.lot_warranty)
        self._ship_back(order)
        self.assertEqual(
            self._qty(self.product_unit, order.product_location_dest_id, self.lot_warranty), 0
        )
        self.assertEqual(self._qty(self.product_unit, self.customer_location, self.lot_warranty), 1)

        before = self._account_moves_count()
        order.action_aftersales_invoice()
        self.assertTrue(order.aftersales_invoiced)
        self.assertFalse(order.aftersales_invoice_id, "a warranty order has no customer invoice")
        entry = order.aftersales_warranty_move_id
        self.assertEqual(self._account_moves_count(), before + 1)
        self.assertEqual(entry.state, "posted")
        self.assertEqual(entry.move_type, "entry")
        stock_output = self._accounts(self.part_pump)["stock_output"]
        debits = entry.line_ids.filtered("debit")
        self.assertEqual(debits.account_id, self.expense_warranty)
        self.assertAlmostEqual(sum(debits.mapped("debit")), 110.0)
        for line in debits:
            self.assertEqual(line.analytic_distribution, {str(self.analytic.id): 100})
        credits = {line.account_id: line.credit for line in entry.line_ids.filtered("credit")}
        self.assertEqual(credits, {stock_output: 70.0, self.labor_absorbed: 40.0})
        # The parts' consumption and the warranty entry clear the stock output account.
        consumption = order.move_ids.stock_valuation_layer_ids.account_move_id.line_ids
        out_balance = sum(
            (consumption + entry.line_ids)
            .filtered(lambda l: l.account_id == stock_output)
            .mapped("balance")
        )
        self.assertAlmostEqual(out_balance, 0.0)

    def test_billable_order_end_to_end(self):
        """No coverage: the customer pays every line at sale price, no warranty expense."""
        order = self._new_order(
            self.lot_billable,
            parts=[(self.part_pump, 1), (self.part_belt, 2)],
            labor=[(self.technician, 2.0)],
        )
        self.assertFalse(order.aftersales_in_warranty)
        self.assertEqual(order.aftersales_parts_coverage, 0.0)
        self._receive(order)
        self._finish(order)
        self.assertAlmostEqual(order.aftersales_cost_total, 110.0)
        self.assertAlmostEqual(order.aftersales_amount_billable, 80.0 + 50.0 + 80.0)
        self.assertAlmostEqual(order.aftersales_amount_warranty, 0.0)

        order.action_aftersales_invoice()
        self.assertFalse(order.aftersales_warranty_move_id, "a billable order books no warranty")
        invoice = order.aftersales_invoice_id
        self.assertEqual(invoice.move_type, "out_invoice")
        self.assertEqual(invoice.state, "draft")
        self.assertEqual(invoice.partner_id, self.customer_ru)
        self.assertEqual(invoice.invoice_origin, order.name)
        lines = {line.product_id: line for line in invoice.invoice_line_ids}
        self.assertEqual(set(lines), {self.part_pump, self.part_belt, self.service_labor})
        self.assertRecordValues(
            lines[self.part_belt],
            [{"quantity": 2.0, "price_unit": 25.0, "discount": 0.0, "price_subtotal": 50.0}],
        )
        self.assertRecordValues(
            lines[self.service_labor],
            [{"quantity": 2.0, "price_unit": 40.0, "price_subtotal": 80.0}],
        )
        self.assertAlmostEqual(invoice.amount_untaxed, 210.0)
        for product, line in lines.items():
            self.assertEqual(line.tax_ids, product.taxes_id)
        expected_tax = sum(
            line.tax_ids.compute_all(line.price_subtotal)["total_included"] - line.price_subtotal
            for line in invoice.invoice_line_ids
        )
        self.assertAlmostEqual(invoice.amount_tax, expected_tax, places=2)
        # Posting books revenue and (anglo-saxon) the parts' cost of goods sold.
        invoice.action_post()
        stock_output = self._accounts(self.part_pump)["stock_output"]
        cogs = invoice.line_ids.filtered(
            lambda l: l.display_type == "cogs" and l.account_id == stock_output
        )
        self.assertAlmostEqual(sum(cogs.mapped("credit")), 70.0)

    def test_mixed_order_end_to_end(self):
        """Half the parts covered, one part fully covered, labor billed: both documents."""
        order = self._new_order(
            self.lot_billable,
            parts=[(self.part_pump, 1), (self.part_board, 1)],
            labor=[(self.technician, 2.0)],
            analytic_distribution={str(self.analytic.id): 100},
        )
        order.with_user(self.manager).write(
            {
                "aftersales_parts_coverage": 50.0,
                "aftersales_coverage_reason": "Goodwill: known pump defect",
            }
        )
        board_move = order.move_ids.filtered(lambda m: m.product_id == self.part_board)
        board_move.with_user(self.manager).write(
            {"aftersales_coverage": 100.0, "aftersales_coverage_reason": "Board recall"}
        )
        self.assertEqual(
            order.move_ids.filtered(lambda m: m.product_id == self.part_pump).aftersales_coverage,
            50.0,
        )
        self.assertEqual(board_move.aftersales_coverage, 100.0)
        self.assertEqual(order.aftersales_labor_ids.coverage, 0.0)
        self._receive(order)
        self._finish(order)
        self.assertAlmostEqual(order.aftersales_cost_parts, 170.0)
        self.assertAlmostEqual(order.aftersales_amount_billable, 40.0 + 80.0)
        self.assertAlmostEqual(order.aftersales_amount_warranty, 25.0 + 120.0)

        order.with_user(self.manager).action_aftersales_invoice()
        invoice = order.aftersales_invoice_id
        self.assertEqual(invoice.invoice_line_ids.product_id, self.part_pump + self.service_labor)
        pump_line = invoice.invoice_line_ids.filtered(lambda l: l.product_id == self.part_pump)
        self.assertRecordValues(
            pump_line, [{"price_unit": 80.0, "discount": 50.0, "price_subtotal": 40.0}]
        )
        self.assertEqual(pump_line.analytic_distribution, {str(self.analytic.id): 100})
        self.assertAlmostEqual(invoice.amount_untaxed, 120.0)

        entry = order.aftersales_warranty_move_id
        self.assertEqual(entry.state, "posted")
        pump_accounts = self._accounts(self.part_pump)
        debits = entry.line_ids.filtered("debit")
        self.assertEqual(debits.account_id, self.expense_warranty)
        self.assertEqual(sorted(debits.mapped("debit")), [25.0, 120.0])
        credits = {line.account_id: line.credit for line in entry.line_ids.filtered("credit")}
        # The billed pump's cost reaches COGS with the invoice: its covered half is taken
        # from there; the unbilled board is taken straight from stock output.
        self.assertEqual(
            credits, {pump_accounts["expense"]: 25.0, pump_accounts["stock_output"]: 120.0}
        )
        invoice.action_post()
        consumption = order.move_ids.stock_valuation_layer_ids.account_move_id.line_ids
        all_lines = consumption + entry.line_ids + invoice.line_ids

        def balance(account):
            return sum(all_lines.filtered(lambda l: l.account_id == account).mapped("balance"))

        self.assertAlmostEqual(balance(pump_accounts["stock_output"]), 0.0)
        self.assertAlmostEqual(balance(self.expense_warranty), 145.0)
        self.assertAlmostEqual(
            balance(pump_accounts["expense"]), 25.0
        )  # customer's half of the pump

    def test_coverage_from_claim_then_serial(self):
        """An order from a claim keeps the claim's coverage; without a claim, the serial's."""
        claim = self._create_claim(self.customer_ru, lot=self.lot_warranty)
        self.assertEqual(claim.parts_coverage, 100.0)
        claim.write({"parts_coverage": 60.0, "labor_coverage": 0.0})  # as decided on the claim
        order = claim.action_create_repair()
        self.assertEqual(order.aftersales_claim_id, claim)
        self.assertEqual(order.aftersales_parts_coverage, 60.0)
        self.assertEqual(order.aftersales_labor_coverage, 0.0)
        direct = self._new_order(self.lot_warranty)
        self.assertEqual(direct.aftersales_parts_coverage, 100.0)
        self.assertEqual(direct.aftersales_labor_coverage, 100.0)
        self.assertEqual(direct.aftersales_logistics_coverage, 100.0)
        billable = self._new_order(self.lot_billable)
        self.assertFalse(billable.aftersales_in_warranty)
        self.assertEqual(billable.aftersales_parts_coverage, 0.0)

    def test_warranty_account_created_when_missing(self):
        self.company.aftersales_warranty_expense_account_id = False
        order = self._new_order(
            self.lot_warranty, labor=[(self.technician, 1.0)], aftersales_on_site=True
        )
        self._finish(order)
        order.action_aftersales_invoice()
        account = self.company.aftersales_warranty_expense_account_id
        self.assertEqual(account.account_type, "expense")
        self.assertEqual(
            order.aftersales_warranty_move_id.line_ids.filtered("debit").account_id, account
        )

    def test_on_site_order_skips_transfers(self):
        order = self._new_order(
            self.lot_warranty, parts=[(self.part_belt, 1)], aftersales_on_site=True
        )
        self.assertFalse(order.aftersales_can_create_intake)
        with self.assertRaises(UserError):
            order.action_aftersales_create_intake()
        self._finish(order)
        self.assertFalse(order.aftersales_intake_picking_id)
        self.assertFalse(order.aftersales_return_picking_id)
        self.assertEqual(self._qty(self.part_belt, self.stock_location), 9)
        # The unit never entered our stock: it is still (only) at the customer's.
        self.assertEqual(self._qty(self.product_unit, self.customer_location, self.lot_warranty), 1)
        self.assertFalse(
            self.env["stock.quant"].search(
                [
                    ("lot_id", "=", self.lot_warranty.id),
                    ("location_id.usage", "=", "internal"),
                    ("quantity", "<", 0),
                ]
            )
        )

    def test_intake_stays_at_repair_location(self):
        """Putaway and push rules of the warehouse do not carry the customer's unit away from
        the location its order repairs it at (the host looks for it exactly there)."""
        shelf = self.env["stock.location"].create(
            {"name": "Shelf 9", "usage": "internal", "location_id": self.stock_location.id}
        )
        self.env["stock.putaway.rule"].create(
            {
                "product_id": self.product_unit.id,
                "location_in_id": self.stock_location.id,
                "location_out_id": shelf.id,
            }
        )
        route = self.env["stock.route"].create(
            {
                "name": "Units to shelf 9",
                "product_selectable": True,
                "rule_ids": [
                    Command.create(
                        {
                            "name": "Stock → Shelf 9",
                            "action": "push",
                            "location_src_id": self.stock_location.id,
                            "location_dest_id": shelf.id,
                            "picking_type_id": self.warehouse.int_type_id.id,
                        }
                    )
                ],
            }
        )
        self.product_unit.route_ids = route
        order = self._new_order(self.lot_billable, parts=[(self.part_belt, 1)])
        intake = self._receive(order)
        self.assertEqual(intake.move_line_ids.location_dest_id, order.product_location_src_id)
        self.assertRecordValues(
            intake.move_line_ids,
            [{"lot_id": self.lot_billable.id, "owner_id": self.customer_ru.id}],
        )
        self.assertEqual(
            self._qty(self.product_unit, order.product_location_src_id, self.lot_billable), 1
        )
        self.assertFalse(
            self.env["stock.move"].search(
                [("product_id", "=", self.product_unit.id), ("location_dest_id", "=", shelf.id)]
            ),
            "no push move of the customer's unit",
        )
        self._finish(order)
        self.assertEqual(order.aftersales_return_picking_id.state, "assigned")

    def test_purchase_receipt_status_follows_receipt(self):
        """The picking side of purchase_stock's receipt relation (declared so that state
        changes of pickings read it instead of searching purchase orders) keeps the purchase
        order's receipt status in step with its receipt, and unit transfers out of it."""
        purchase = self.env["purchase.order"].create(
            {
                "partner_id": self.vendor.id,
                "order_line": [
                    Command.create({"product_id": self.part_pump.id, "product_qty": 2.0})
                ],
            }
        )
        purchase.button_confirm()
        receipt = purchase.picking_ids
        self.assertEqual(len(receipt), 1)
        self.assertEqual(receipt.aftersales_purchase_ids, purchase)
        self.assertEqual(purchase.receipt_status, "pending")
        receipt.move_ids.quantity = 2.0
        receipt.move_ids.picked = True
        receipt.button_validate()
        self.assertEqual(receipt.state, "done")
        self.assertEqual(purchase.receipt_status, "full")
        self.assertTrue(purchase.is_shipped)
        order = self._new_order(self.lot_billable, parts=[(self.part_belt, 1)])
        intake = self._receive(order)
        self.assertFalse(intake.aftersales_purchase_ids)
        self.assertEqual(purchase.picking_ids, receipt)

    def test_downtime_extends_warranty(self):
        layer = self.env["aftersales.warranty"].search([("lot_id", "=", self.lot_warranty.id)])
        self.assertEqual(len(layer), 1)
        end_before = layer.date_end
        order = self._new_order(self.lot_warranty, parts=[(self.part_belt, 1)])
        intake = self._receive(order)
        intake.date_done = fields.Datetime.subtract(fields.Datetime.now(), days=6)
        self._finish(order)
        # Final at the handover (the return delivery), not at the end of the repair.
        self.assertEqual(order.aftersales_downtime_days, 0)
        self.assertEqual(layer.downtime_days, 0)
        self._ship_back(order)
        self.assertEqual(order.aftersales_downtime_days, 6)
        self.assertEqual(layer.downtime_days, 6)
        self.assertEqual(layer.date_end, fields.Date.add(end_before, days=6))


@tagged("post_install", "-at_install")
class TestRepairRules(RepairCommon):
    def test_coverage_override_is_manager_only(self):
        order = self._new_order(self.lot_warranty, parts=[(self.part_pump, 1)])
        as_tech = order.with_user(self.technician)
        with self.assertRaises(AccessError):
            as_tech.write({"aftersales_parts_coverage": 0.0, "aftersales_coverage_reason": "x"})
        with self.assertRaises(AccessError):
            as_tech.move_ids.write({"aftersales_coverage": 0.0, "aftersales_coverage_reason": "x"})
        with self.assertRaises(UserError):
            order.with_user(self.manager).write({"aftersales_parts_coverage": 20.0})
        self.assertEqual(order.aftersales_parts_coverage, 100.0)
        self.assertEqual(order.move_ids.aftersales_coverage, 100.0)
        # Rewriting the same value (a form save) is not an override.
        as_tech.write({"aftersales_parts_coverage": 100.0, "internal_notes": "noise"})
        order.with_user(self.manager).write(
            {"aftersales_parts_coverage": 20.0, "aftersales_coverage_reason": "Customer misuse"}
        )
        self.assertEqual(order.aftersales_parts_coverage, 20.0)
        self.assertEqual(order.aftersales_coverage_reason, "Customer misuse")
        self.assertEqual(order.move_ids.aftersales_coverage, 20.0)
        with self.assertRaises(AccessError):
            self.env["aftersales.labor.line"].with_user(self.technician).create(
                {
                    "repair_id": order.id,
                    "product_id": self.service_labor.id,
                    "coverage": 0.0,
                    "coverage_reason": "x",
                }
            )
        # A technician creating an order with a forged coverage is refused too.
        with self.assertRaises(AccessError):
            self.env["repair.order"].with_user(self.technician).create(
                {
                    "product_id": self.product_unit.id,
                    "lot_id": self.lot_warranty.id,
                    "partner_id": self.customer_ru.id,
                    "aftersales_parts_coverage": 0.0,
                    "aftersales_coverage_reason": "forged",
                }
            )

    def test_bad_input_changes_nothing(self):
        order = self._new_order(
            self.lot_billable, parts=[(self.part_pump, 1)], labor=[(self.technician, 1.0)]
        )
        with self.assertRaises(ValidationError):
            order.write({"aftersales_parts_coverage": 150.0, "aftersales_coverage_reason": "typo"})
        with self.assertRaises(ValidationError):
            order.write({"aftersales_labor_coverage": -1.0, "aftersales_coverage_reason": "typo"})
        self.assertEqual(order.aftersales_parts_coverage, 0.0)
        with self.assertRaises(ValidationError):
            order.aftersales_labor_ids.hours = -2.0
        self.assertEqual(order.aftersales_labor_ids.hours, 1.0)
        with self.assertRaises(ValidationError):
            order.aftersales_labor_ids.write({"coverage": 101.0, "coverage_reason": "typo"})
        with self.assertRaises(ValidationError):
            order.move_ids.product_uom_qty = -1.0
        self.assertEqual(order.move_ids.product_uom_qty, 1.0)
        # Invoicing an unfinished order.
        count = self._account_moves_count()
        with self.assertRaises(UserError):
            order.action_aftersales_invoice()
        self.assertEqual(self._account_moves_count(), count)
        self.assertFalse(order.aftersales_invoiced)
        # Invoicing twice.
        self._receive(order)
        self._finish(order)
        order.action_aftersales_invoice()
        invoice = order.aftersales_invoice_id
        count = self._account_moves_count()
        with self.assertRaises(UserError):
            order.action_aftersales_invoice()
        self.assertEqual(self._account_moves_count(), count)
        self.assertEqual(order.aftersales_invoice_id, invoice)
        with self.assertRaises(UserError):
            order.aftersales_labor_ids.hours = 5.0
        with self.assertRaises(UserError):
            order.write({"aftersales_parts_coverage": 50.0, "aftersales_coverage_reason": "late"})
        self.assertEqual(order.aftersales_parts_coverage, 0.0)

    def test_technician_sees_own_and_unassigned_orders(self):
        own = self._new_order(self.lot_warranty, user=self.technician)
        other = self._new_order(self.lot_warranty_2, user=self.technician_2)
        unassigned = self._new_order(self.lot_billable)
        unassigned.user_id = False
        Repair = self.env["repair.order"].with_user(self.technician)
        visible = Repair.search([("id", "in", (own + other + unassigned).ids)])
        self.assertEqual(visible, own + unassigned)
        with self.assertRaises(AccessError):
            other.with_user(self.technician).read(["name"])
        # The front desk sees them all.
        self.assertEqual(
            self.env["repair.order"]
            .with_user(self.frontdesk)
            .search_count([("id", "in", (own + other + unassigned).ids)]),
            3,
        )

    def test_cancellation_rules(self):
        order = self._new_order(self.lot_billable, parts=[(self.part_pump, 2)])
        self._receive(order)
        order.action_validate()
        order.action_assign()
        self.assertEqual(order.move_ids.quantity, 2.0)
        pump_quant = self.env["stock.quant"].search(
            [("product_id", "=", self.part_pump.id), ("location_id", "=", self.stock_location.id)]
        )
        self.assertEqual(sum(pump_quant.mapped("reserved_quantity")), 2.0)
        order.action_repair_cancel()
        self.assertEqual(order.state, "cancel")
        self.assertEqual(order.move_ids.state, "cancel")
        self.assertEqual(sum(pump_quant.mapped("reserved_quantity")), 0.0)
        self.assertEqual(self._qty(self.part_pump, self.stock_location), 10)
        # The received unit goes back unrepaired.
        self.assertEqual(order.aftersales_return_picking_id.aftersales_purpose, "unit_return")
        self._ship_back(order)
        self.assertEqual(self._qty(self.product_unit, self.customer_location, self.lot_billable), 1)

        # Reopened after the unit went back: it must come in again.
        order.action_repair_cancel_draft()
        self.assertEqual(order.state, "draft")
        self.assertFalse(order.aftersales_intake_picking_id)
        self.assertTrue(order.aftersales_can_create_intake)

        done = self._new_order(
            self.lot_warranty, parts=[(self.part_belt, 1)], aftersales_on_site=True
        )
        self._finish(done)
        with self.assertRaises(UserError):
            done.action_repair_cancel()
        self.assertEqual(done.state, "done")
        self.assertEqual(done.move_ids.state, "done")


@tagged("post_install", "-at_install")
class TestRepairFormWorkflow(RepairCommon):
    def test_form_workflow(self):
        """Front desk opens the order, the technician works, the manager invoices."""
        with Form(self.env["repair.order"].with_user(self.frontdesk)) as form:
            form.product_id = self.product_unit
            form.lot_id = self.lot_warranty
            form.partner_id = self.customer_ru
            form.user_id = self.technician
            self.assertEqual(form.aftersales_parts_coverage, 100.0)
            with form.move_ids.new() as part:
                part.repair_line_type = "add"
                part.product_id = self.part_pump
                part.product_uom_qty = 1
            with form.aftersales_labor_ids.new() as labor:
                labor.product_id = self.service_labor
                labor.user_id = self.technician
                labor.hours = 1.5
                self.assertEqual(labor.price_unit, 40.0)
                self.assertEqual(labor.coverage, 100.0)
        order = form.record
        self.assertEqual(order.aftersales_labor_ids.unit_cost, 20.0)
        self.assertEqual(order.move_ids.aftersales_coverage, 100.0)
        order.with_user(self.frontdesk).action_aftersales_create_intake()
        intake = order.aftersales_intake_picking_id
        intake.move_ids.picked = True
        intake.button_validate()
        tech_order = order.with_user(self.technician)
        tech_order.action_validate()
        tech_order.action_repair_start()
        with Form(tech_order) as form, form.aftersales_labor_ids.new() as labor:
            labor.product_id = self.service_labor
            labor.hours = 0.5
        tech_order.action_repair_end()
        self.assertEqual(order.state, "done")
        self.assertAlmostEqual(order.aftersales_labor_hours, 2.0)
        self.assertEqual(order.aftersales_labor_ids.user_id, self.technician)
        self.assertAlmostEqual(order.aftersales_cost_total, 50.0 + 40.0)
        self.assertAlmostEqual(order.aftersales_amount_warranty, 90.0)
        order.with_user(self.manager).action_aftersales_invoice()
        self.assertFalse(order.aftersales_invoice_id)
        self.assertAlmostEqual(
            sum(order.aftersales_warranty_move_id.line_ids.mapped("debit")), 90.0
        )
        self.assertEqual(order.aftersales_return_picking_id.state, "assigned")

    def test_cost_report_rows(self):
        order = self._new_order(
            self.lot_billable,
            parts=[(self.part_belt, 1)],
            labor=[(self.technician, 1.0), (self.technician_2, 2.0)],
        )
        self._receive(order)
        self._finish(order)
        self.env.flush_all()
        rows = self.env["aftersales.repair.cost.report"].search([("repair_id", "=", order.id)])
        self.assertEqual(len(rows), 3)
        self.assertAlmostEqual(sum(rows.mapped("cost_total")), order.aftersales_cost_total)
        self.assertAlmostEqual(
            sum(rows.mapped("amount_billable")), order.aftersales_amount_billable
        )
        by_tech = self.env["aftersales.repair.cost.report"]._read_group(
            [("repair_id", "=", order.id), ("line_type", "=", "labor")], ["user_id"], ["hours:sum"]
        )
        self.assertEqual(dict(by_tech), {self.technician: 1.0, self.technician_2: 2.0})
        hours = self.env["aftersales.labor.line"]._read_group(
            [("repair_id", "=", order.id)], ["user_id", "date:week"], ["hours:sum"]
        )
        self.assertEqual(sorted(h for *_g, h in hours), [1.0, 2.0])

    def test_views_load_for_each_role(self):
        """Workload, labor and cost views render for the users who open them."""
        views = [
            (self.env.ref("aftersales_service.repair_order_view_kanban_workload").id, "kanban"),
            (self.env.ref("aftersales_service.repair_order_view_calendar").id, "calendar"),
            (False, "form"),
            (False, "list"),
        ]
        for user in (self.technician, self.frontdesk, self.manager):
            with self.subTest(user=user.login):
                arch = self.env["repair.order"].with_user(user).get_views(views)["views"]
                form = arch["form"]["arch"]
                self.assertIn("aftersales_labor_ids", form)
                self.assertEqual("aftersales_cost_total" in form, user == self.manager)
                self.env["aftersales.labor.line"].with_user(user).get_views(
                    [(False, "pivot"), (False, "graph"), (False, "list")]
                )
        self.env["aftersales.repair.cost.report"].with_user(self.manager).get_views(
            [(False, "pivot"), (False, "graph"), (False, "list"), (False, "search")]
        )


@tagged("post_install", "-at_install")
class TestRepairMultiCompany(RepairCommon):
    def test_accounts_journal_locations_of_order_company(self):
        company_b = self.env["res.company"].create({"name": "After-Sales B Ltd"})
        self.env["account.chart.template"].try_loading("generic_coa", company_b, install_demo=False)
        env_b = self.env(context=dict(self.env.context, allowed_company_ids=[company_b.id]))
        warehouse_b = env_b["stock.warehouse"].search([("company_id", "=", company_b.id)], limit=1)
        self.part_belt.with_company(company_b).standard_price = 10.0  # costs are per company
        self._add_stock(self.part_belt.with_env(env_b), 5, location=warehouse_b.lot_stock_id)
        lot_b = env_b["stock.lot"].create(
            {"name": "RP-B-1", "product_id": self.product_unit.id, "company_id": company_b.id}
        )
        order = env_b["repair.order"].create(
            {
                "product_id": self.product_unit.id,
                "lot_id": lot_b.id,
                "partner_id": self.customer_eu.id,
                "aftersales_on_site": True,
                "aftersales_parts_coverage": 100.0,
                "aftersales_coverage_reason": "Goodwill",
                "move_ids": [
                    Command.create(
                        {
                            "repair_line_type": "add",
                            "product_id": self.part_belt.id,
                            "product_uom_qty": 1,
                        }
                    )
                ],
            }
        )
        self.assertEqual(order.company_id, company_b)
        self.assertEqual(order.location_id.warehouse_id, warehouse_b)
        order.action_validate()
        order.action_repair_start()
        order.action_repair_end()
        self.assertEqual(self._qty(self.part_belt, warehouse_b.lot_stock_id), 4)
        self.assertEqual(self._qty(self.part_belt, self.stock_location), 10)
        order.action_aftersales_invoice()
        entry = order.aftersales_warranty_move_id
        self.assertEqual(entry.company_id, company_b)
        self.assertEqual(entry.journal_id.company_id, company_b)
        expense_b = company_b.aftersales_warranty_expense_account_id
        self.assertTrue(expense_b)
        self.assertNotEqual(expense_b, self.expense_warranty)
        self.assertIn(company_b, expense_b.company_ids)
        self.assertEqual(entry.line_ids.filtered("debit").account_id, expense_b)
        self.assertAlmostEqual(sum(entry.line_ids.mapped("debit")), 10.0)
        self.assertEqual(self.company.aftersales_warranty_expense_account_id, self.expense_warranty)
