from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, new_test_user, tagged

from .common import AftersalesCommon


@tagged("post_install", "-at_install")
class TestClaimDecisions(AftersalesCommon):
    """Every decision carried out end to end with the host's documents."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.term = cls._create_warranty_term()
        cls.order, cls.lots = cls._sell_and_deliver(cls.customer_ru, serials=("DEC-1",))
        cls.lot = cls.lots
        cls.invoice = cls._invoice(cls.order)
        # Compensations are booked to this expense account (none set: refused).
        cls.company.aftersales_compensation_account_id = cls.env["account.account"].search(
            [("account_type", "=", "expense"), ("company_ids", "in", cls.company.ids)], limit=1
        )
        cls.replacement_lot = cls._create_lots(cls.product_unit, ["DEC-NEW"])
        cls._add_stock(cls.product_unit, 1, lot=cls.replacement_lot)

    def _claim(self, request="repair", diagnose=True):
        claim = self._create_claim(self.customer_ru, self.lot, request=request)
        if diagnose:
            claim.action_start_diagnosis()
        return claim

    def _qty(self, lot, location):
        quants = self.env["stock.quant"].search(
            [("lot_id", "=", lot.id), ("location_id", "child_of", location.id)]
        )
        return sum(quants.mapped("quantity"))

    def _validate(self, picking):
        picking.move_ids.picked = True
        picking.button_validate()
        self.assertEqual(picking.state, "done")

    def _snapshot(self, claim):
        return (
            claim.state,
            claim.decision,
            len(claim.picking_ids),
            len(claim.refund_move_ids),
            len(claim.repair_ids),
            self.env["account.move"].search_count([("move_type", "=", "out_refund")]),
            self.env["stock.picking"].search_count([]),
        )

    # Repair --------------------------------------------------------------------------------

    def test_repair(self):
        claim = self._claim()
        self.assertEqual(claim.sale_order_id, self.order)
        claim.with_user(self.manager).action_decide("repair", reason="Pump blocked")
        self.assertEqual(claim.state, "in_progress")
        self.assertEqual(claim.decision, "repair")
        repair = claim.repair_ids
        self.assertEqual(len(repair), 1)
        self.assertEqual(repair.aftersales_claim_id, claim)
        self.assertEqual(repair.product_id, self.product_unit)
        self.assertEqual(repair.lot_id, self.lot)
        self.assertEqual(repair.partner_id, self.customer_ru)
        self.assertEqual(repair.company_id, claim.company_id)
        # The claim cannot be resolved while the service order is open.
        with self.assertRaises(UserError):
            claim.action_done()
        repair.action_repair_cancel()
        claim.action_done()
        self.assertEqual(claim.state, "done")

    def test_repair_opened_for_diagnosis_then_decided(self):
        claim = self._claim(diagnose=False)
        repair = claim.action_create_repair()
        self.assertEqual(repair.aftersales_claim_id, claim)
        self.assertEqual(claim.state, "diagnosis")
        self.assertFalse(claim.can_create_repair)
        claim.with_user(self.manager).action_decide("repair")
        self.assertEqual(claim.state, "in_progress")
        self.assertEqual(claim.repair_ids, repair)

    # Replace -------------------------------------------------------------------------------

    def test_replace_reserves_the_chosen_serial(self):
        """With an older unit first in the removal order, the replacement transfer reserves
        the serial the manager chose, straight away: the older unit stays free."""
        older = self._create_lots(self.product_unit, ["DEC-OLDER"])
        self._add_stock(self.product_unit, 1, lot=older)
        older_quant = self.env["stock.quant"].search(
            [("lot_id", "=", older.id), ("location_id", "=", self.stock_location.id)]
        )
        older_quant.in_date = "2020-01-01 00:00:00"  # first out under FIFO
        claim = self._claim("replacement")
        claim.with_user(self.manager).action_decide(
            "replace", replacement_lot_id=self.replacement_lot.id
        )
        out = claim.picking_ids.filtered(lambda p: p.aftersales_purpose == "replacement")
        self.assertEqual(out.state, "assigned")
        self.assertEqual(out.move_line_ids.lot_id, self.replacement_lot)
        self.assertEqual(len(out.move_line_ids), 1)
        self.assertEqual(older_quant.reserved_quantity, 0)
        chosen = self.env["stock.quant"].search(
            [("lot_id", "=", self.replacement_lot.id), ("location_id", "=", self.stock_location.id)]
        )
        self.assertEqual(chosen.reserved_quantity, 1)
        # The warehouse (no rights on claims) unreserves and checks availability again: the
        # host's own reservation takes the chosen serial, not the first one out.
        clerk = new_test_user(self.env, login="dec_clerk", groups="stock.group_stock_user")
        out.with_user(clerk).do_unreserve()
        self.assertEqual(chosen.reserved_quantity, 0)
        out.with_user(clerk).action_assign()
        self.assertEqual(out.state, "assigned")
        self.assertEqual(out.move_line_ids.lot_id, self.replacement_lot)
        self.assertEqual(older_quant.reserved_quantity, 0)
        self.assertEqual(chosen.reserved_quantity, 1)

    def test_replace(self):
        claim = self._claim("replacement")
        delivery = self.order.picking_ids
        self.assertEqual(self._qty(self.replacement_lot, self.stock_location), 1)
        claim.with_user(self.manager).action_decide(
            "replace", replacement_lot_id=self.replacement_lot.id
        )
        self.assertEqual(claim.state, "in_progress")
        self.assertEqual(claim.replacement_lot_id, self.replacement_lot)
        back = claim.picking_ids.filtered(lambda p: p.aftersales_purpose == "claim_return")
        out = claim.picking_ids.filtered(lambda p: p.aftersales_purpose == "replacement")
        self.assertEqual(len(back), 1)
        self.assertEqual(len(out), 1)
        self.assertEqual(back.picking_type_id.code, "incoming")
        self.assertEqual(back.location_id.usage, "customer")
        self.assertTrue(all(back.move_ids.mapped("to_refund")))
        self.assertEqual(back.move_ids.origin_returned_move_id.picking_id, delivery)
        self.assertEqual(back.move_line_ids.lot_id, self.lot)
        self.assertEqual(out.picking_type_id.code, "outgoing")
        self.assertEqual(out.partner_id, self.customer_ru)
        self.assertEqual(out.move_line_ids.lot_id, self.replacement_lot)
        self.assertEqual(out.state, "assigned")
        with self.assertRaises(UserError):
            claim.action_done()

        self._validate(back)
        self._validate(out)
        self.assertEqual(self._qty(self.lot, self.stock_location), 1)
        self.assertEqual(self._qty(self.lot, self.customer_location), 0)
        self.assertEqual(self._qty(self.replacement_lot, self.stock_location), 0)
        self.assertEqual(self._qty(self.replacement_lot, self.customer_location), 1)
        # The exchange nets out on the sale line: nothing to invoice again.
        line = self.order.order_line
        self.assertEqual(line.qty_delivered, 1)
        self.assertEqual(line.qty_to_invoice, 0)
        # Warranties: the new serial starts fresh layers for the customer, the old ones end.
        Warranty = self.env["aftersales.warranty"]
        new_layers = Warranty.search([("lot_id", "=", self.replacement_lot.id)])
        self.assertEqual(len(new_layers), 1)
        self.assertEqual(new_layers.partner_id, self.customer_ru)
        self.assertEqual(new_layers.term_id, self.term)
        self.assertEqual(new_layers.state, "active")
        old_layers = Warranty.search([("lot_id", "=", self.lot.id)])
        self.assertEqual(old_layers.mapped("state"), ["void"])

        claim.action_done()
        self.assertEqual(claim.state, "done")
        self.assertEqual(claim.penalty_amount, 0.0)

    def test_replace_unit_without_delivery(self):
        """A unit the company never delivered (e.g. bought from a dealer): the faulty unit
        comes back by a plain receipt from the customer."""
        lot = self._create_lots(self.product_unit, ["DEC-DEALER"])
        claim = self._create_claim(self.customer_eu, lot, request="replacement", channel="dealer")
        self.assertFalse(claim.sale_order_id)
        claim.action_start_diagnosis()
        claim.with_user(self.manager).action_decide(
            "replace", replacement_lot_id=self.replacement_lot.id
        )
        back = claim.picking_ids.filtered(lambda p: p.aftersales_purpose == "claim_return")
        out = claim.picking_ids.filtered(lambda p: p.aftersales_purpose == "replacement")
        self.assertEqual(back.picking_type_id.code, "incoming")
        self.assertFalse(back.move_ids.origin_returned_move_id)
        self.assertEqual(back.move_line_ids.lot_id, lot)
        self.assertEqual(out.move_line_ids.lot_id, self.replacement_lot)
        self._validate(back)
        self._validate(out)
        self.assertEqual(self._qty(lot, self.stock_location), 1)
        self.assertEqual(self._qty(self.replacement_lot, self.customer_location), 1)
        claim.action_done()
        self.assertEqual(claim.state, "done")

    def test_replace_bad_lot_changes_nothing(self):
        claim = self._claim("replacement")
        before = self._snapshot(claim)
        sold = self._create_lots(self.product_unit, ["DEC-OUT"])  # never in stock
        for lot_id in (False, self.lot.id, sold.id):
            with self.subTest(lot=lot_id), self.assertRaises(UserError):
                claim.with_user(self.manager).action_decide("replace", replacement_lot_id=lot_id)
            self.assertEqual(self._snapshot(claim), before)

    # Refund --------------------------------------------------------------------------------

    def test_refund(self):
        claim = self._claim("refund")
        invoice_line = self.invoice.invoice_line_ids.filtered(
            lambda aml: aml.product_id == self.product_unit
        )
        claim.with_user(self.manager).action_decide("refund")
        self.assertEqual(claim.state, "in_progress")
        back = claim.picking_ids
        self.assertEqual(back.aftersales_purpose, "claim_return")
        self.assertTrue(back.move_ids.to_refund)
        self.assertEqual(back.move_line_ids.lot_id, self.lot)
        refund = claim.refund_move_ids
        self.assertEqual(len(refund), 1)
        self.assertEqual(refund.move_type, "out_refund")
        self.assertEqual(refund.state, "posted")
        self.assertEqual(refund.reversed_entry_id, self.invoice)
        self.assertEqual(refund.partner_id, self.invoice.partner_id)
        self.assertEqual(refund.invoice_line_ids.account_id, invoice_line.account_id)
        self.assertEqual(refund.invoice_line_ids.tax_ids, invoice_line.tax_ids)
        self.assertEqual(refund.invoice_line_ids.quantity, 1)
        self.assertAlmostEqual(refund.amount_untaxed, 1000.0)
        self.assertAlmostEqual(refund.amount_total, invoice_line.price_total)

        # Refunding twice is refused and changes nothing.
        before = self._snapshot(claim)
        with self.assertRaises(UserError):
            claim.with_user(self.manager).action_decide("refund")
        self.assertEqual(self._snapshot(claim), before)

        self._validate(back)
        self.assertEqual(self._qty(self.lot, self.stock_location), 1)
        self.assertEqual(self._qty(self.lot, self.customer_location), 0)
        line = self.order.order_line
        self.assertEqual(line.qty_delivered, 0)
        self.assertEqual(line.qty_invoiced, 0)
        claim.action_done()
        self.assertEqual(claim.state, "done")

    def test_refund_without_invoice_changes_nothing(self):
        order, lots = self._sell_and_deliver(self.customer_ru, serials=("DEC-NOINV",))
        claim = self._create_claim(self.customer_ru, lots, request="refund")
        claim.action_start_diagnosis()
        before = self._snapshot(claim)
        with self.assertRaises(UserError):
            claim.with_user(self.manager).action_decide("refund")
        self.assertEqual(self._snapshot(claim), before)
        self.assertEqual(order.order_line.qty_delivered, 1)

    # Price reduction and compensation -------------------------------------------------------

    def test_price_reduction_and_compensation(self):
        product = self.env.ref("aftersales_service.product_claim_compensation")
        for decision, amount in (("price_reduction", 150.0), ("compensation", 75.5)):
            with self.subTest(decision=decision):
                claim = self._claim(decision)
                claim.with_user(self.manager).action_decide(decision, amount=amount)
                self.assertEqual(claim.state, "decided")
                refund = claim.refund_move_ids
                self.assertEqual(refund.move_type, "out_refund")
                self.assertEqual(refund.state, "posted")
                self.assertEqual(refund.partner_id, self.customer_ru)
                self.assertEqual(refund.invoice_line_ids.product_id, product)
                # The amount is tax included; a price reduction's base is rounded to the
                # cent, so its total may differ from the amount by that rounding.
                self.assertAlmostEqual(refund.amount_total, amount, delta=0.011)
                self.assertFalse(claim.picking_ids)
                claim.action_done()
                self.assertEqual(claim.state, "done")

    def test_configured_credit_product(self):
        service = self.env["product.product"].create(
            {"name": "Goodwill", "type": "service", "taxes_id": [(5, 0, 0)]}
        )
        self.company.aftersales_claim_credit_product_id = service
        claim = self._claim("compensation")
        claim.with_user(self.manager).action_decide("compensation", amount=10.0)
        self.assertEqual(claim.refund_move_ids.invoice_line_ids.product_id, service)

    def test_amount_required(self):
        claim = self._claim("price_reduction")
        before = self._snapshot(claim)
        for amount in (0.0, -10.0):
            with self.assertRaises(UserError):
                claim.with_user(self.manager).action_decide("price_reduction", amount=amount)
        self.assertEqual(self._snapshot(claim), before)

    # Reject --------------------------------------------------------------------------------

    def test_reject_notifies_customer(self):
        claim = self._claim()
        with self.assertRaises(UserError):
            claim.with_user(self.manager).action_decide("reject")
        self.assertEqual(claim.state, "diagnosis")
        claim.with_user(self.manager).action_decide("reject", reason="Water damage by user")
        self.assertEqual(claim.state, "rejected")
        self.assertEqual(claim.decision_reason, "Water damage by user")
        self.assertTrue(claim.date_resolved)
        # One message to the customer: the decision, with the reason (issue 15).
        message = claim.message_ids.filtered(lambda m: self.customer_ru in m.partner_ids)
        message -= message.filtered(lambda m: "received" in (m.subject or ""))
        self.assertEqual(len(message), 1)
        self.assertEqual(message.message_type, "auto_comment")
        self.assertIn("Water damage by user", message.body)
        self.assertEqual(message.subtype_id, self.env.ref("mail.mt_comment"))
        with self.assertRaises(UserError):
            claim.action_done()

    # Guards --------------------------------------------------------------------------------

    def test_only_manager_decides(self):
        claim = self._claim()
        with self.assertRaises(AccessError):
            claim.with_user(self.frontdesk).action_decide("repair")
        self.assertEqual(claim.state, "diagnosis")
        self.assertFalse(claim.repair_ids)

    def test_decide_before_diagnosis(self):
        claim = self._claim("refund", diagnose=False)
        before = self._snapshot(claim)
        with self.assertRaises(UserError):
            claim.with_user(self.manager).action_decide("refund")
        self.assertEqual(self._snapshot(claim), before)

    def test_cancel(self):
        decided = self._claim("compensation")
        decided.with_user(self.manager).action_decide("compensation", amount=5.0)
        with self.assertRaises(UserError):
            decided.action_cancel()
        self.assertEqual(decided.state, "decided")
        claim = self._claim()
        claim.action_cancel()
        self.assertEqual(claim.state, "cancel")
        with self.assertRaises(UserError):
            claim.action_cancel()
        with self.assertRaises(UserError):
            claim.action_start_diagnosis()

    # The whole workflow through the UI -------------------------------------------------------

    def test_workflow_through_forms(self):
        Claim = self.env["aftersales.claim"].with_user(self.frontdesk)
        action = Claim.action_new_from_lot(self.lot.id)
        with Form(Claim.with_context(**action["context"])) as form:
            self.assertEqual(form.product_id, self.product_unit)
            self.assertEqual(form.partner_id, self.customer_ru)
            self.assertEqual(form.sale_order_id, self.order)
            form.request = "replacement"
            form.channel = "phone"
            form.summary = "Drum does not turn"
        claim = form.record
        self.assertEqual(claim.state, "new")
        self.assertTrue(claim.name.startswith("CLM/"))
        self.assertEqual(
            claim.legal_rule_id, self.env.ref("aftersales_service.legal_rule_ru_replacement")
        )
        self.assertTrue(claim.in_warranty)
        self.assertEqual(claim.parts_coverage, 100.0)
        self.assertEqual(claim.days_left, 7)
        claim.action_start_diagnosis()

        claim_as_manager = claim.with_user(self.manager)
        action = claim_as_manager.action_open_decision()
        Wizard = self.env[action["res_model"]].with_user(self.manager)
        with Form(Wizard.with_context(**action["context"])) as wizard_form:
            self.assertEqual(wizard_form.decision, "replace")
            wizard_form.replacement_lot_id = self.replacement_lot
            wizard_form.reason = "Drum bearing broken"
        wizard_form.record.action_confirm()
        self.assertEqual(claim.state, "in_progress")
        # The warehouse validates the transfers.
        for picking in self.env["stock.picking"].browse(claim.picking_ids.ids):
            self._validate(picking)
        claim.action_done()
        self.assertEqual(claim.state, "done")
        self.assertEqual(
            self.env["aftersales.warranty"]
            .search([("lot_id", "=", self.replacement_lot.id)])
            .partner_id,
            self.customer_ru,
        )
