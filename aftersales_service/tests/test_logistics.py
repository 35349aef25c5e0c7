"""Logistics (issue #13): each transport of a unit carries a cost (a carrier's price or the
company's flat rate) that feeds the service order's logistics cost, split by coverage."""

import psycopg2

from odoo.exceptions import UserError, ValidationError
from odoo.tests import tagged
from odoo.tools import mute_logger

from .common_loaners import LoanerCommon


@tagged("post_install", "-at_install")
class TestLogistics(LoanerCommon):
    def test_flat_rate_and_carrier_price_feed_the_order(self):
        self.company.aftersales_logistics_flat_rate = 15.0
        order = self._new_order(self.lot_billable, parts=[(self.part_belt, 1)])
        intake = self._receive(order)
        self.assertEqual(intake.aftersales_logistics_cost, 15.0)
        self.assertEqual(order.aftersales_cost_logistics, 15.0)
        # A loaner hand-over for the order is a transport too.
        loan = self._loan(repair_id=order.id)
        loan.action_lend()
        self.assertEqual(loan.out_picking_id.aftersales_logistics_cost, 15.0)
        self.assertEqual(order.aftersales_cost_logistics, 30.0)
        # The carrier's price replaces the flat rate.
        intake.aftersales_logistics_cost = 40.0
        self.assertEqual(order.aftersales_cost_logistics, 55.0)
        # Not a warranty case: the customer pays the logistics (at cost) with the part.
        self.assertEqual(order.aftersales_logistics_coverage, 0.0)
        self.assertEqual(order.aftersales_amount_billable, 25.0 + 55.0)
        self.assertEqual(order.aftersales_amount_warranty, 0.0)
        self.assertEqual(order.aftersales_cost_total, 10.0 + 55.0)
        loan.action_return()
        self.assertEqual(order.aftersales_cost_logistics, 70.0)
        # Parts issue pickings are no transport: no cost.
        self._finish(order)
        self.assertEqual(order.aftersales_return_picking_id.aftersales_logistics_cost, 15.0)
        self.assertEqual(order.aftersales_cost_logistics, 85.0)
        order.action_aftersales_invoice()
        invoice = order.aftersales_invoice_id
        logistics_line = invoice.invoice_line_ids.filtered(
            lambda line: (
                line.product_id == self.env.ref("aftersales_service.product_aftersales_logistics")
            )
        )
        self.assertEqual(logistics_line.price_subtotal, 85.0)
        self.assertEqual(invoice.amount_untaxed, order.aftersales_amount_billable)
        # Settled: transport costs no longer change.
        with self.assertRaises(UserError):
            intake.aftersales_logistics_cost = 1.0

    def test_warranty_covers_logistics(self):
        order = self._new_order(self.lot_warranty)
        self.assertEqual(order.aftersales_logistics_coverage, 100.0)
        intake = self._receive(order)
        intake.aftersales_logistics_cost = 30.0
        self.assertEqual(order.aftersales_cost_logistics, 30.0)
        self.assertEqual(order.aftersales_amount_warranty, 30.0)
        self.assertEqual(order.aftersales_amount_billable, 0.0)
        order.write(
            {"aftersales_logistics_coverage": 50.0, "aftersales_coverage_reason": "Goodwill"}
        )
        self.assertEqual(order.aftersales_amount_warranty, 15.0)
        self.assertEqual(order.aftersales_amount_billable, 15.0)

    def test_no_transport_cost_keeps_manual_cost(self):
        order = self._new_order(self.lot_billable)
        order.aftersales_cost_logistics = 12.0
        self._receive(order)  # flat rate 0: the intake costs nothing
        self.assertEqual(order.aftersales_cost_logistics, 12.0)

    def test_bad_costs(self):
        order = self._new_order(self.lot_billable)
        intake = self._receive(order)
        for value in (-1.0, "ten", float("nan")):
            with self.assertRaises(ValidationError):
                intake.aftersales_logistics_cost = value
        self.assertEqual(intake.aftersales_logistics_cost, 0.0)
        with (
            mute_logger("odoo.sql_db"),
            self.assertRaises(psycopg2.errors.CheckViolation),
            self.env.cr.savepoint(),
        ):
            self.company.aftersales_logistics_flat_rate = -5.0
            self.env.flush_all()
