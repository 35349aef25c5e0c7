# Copyright 2026 aftersales_service authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import timedelta

from odoo import Command, fields
from odoo.tests import Form, tagged

from .test_repair import RepairCommon


@tagged("post_install", "-at_install")
class TestExpectedCost(RepairCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Template = cls.env["product.template"]
        cls.unit_tmpl = cls.product_unit.product_tmpl_id
        cls.company.aftersales_expected_cost_days = 365
        cls.company.aftersales_extended_margin = 30.0

    def _warranty_order(self, lot, parts):
        order = self._new_order(lot, parts=parts, aftersales_on_site=True)
        self._finish(order)
        return order

    def test_expected_cost_from_history(self):
        # Two serials registered under warranty (RP-WAR-1, RP-WAR-2); RP-BILL was sold
        # before any term and counts for nothing.
        layers = self.env["aftersales.warranty"].search([("product_id", "=", self.product_unit.id)])
        self.assertEqual(set(layers.lot_id.ids), {self.lot_warranty.id, self.lot_warranty_2.id})
        order = self._warranty_order(self.lot_warranty, [(self.part_pump, 1), (self.part_belt, 2)])
        self.assertAlmostEqual(order.aftersales_amount_warranty, 70.0)
        billable = self._warranty_order(self.lot_billable, [(self.part_board, 1)])
        self.assertAlmostEqual(billable.aftersales_amount_warranty, 0.0)
        self._new_order(self.lot_warranty_2, parts=[(self.part_board, 1)])  # not done
        self.Template._cron_aftersales_expected_cost()
        self.assertAlmostEqual(self.unit_tmpl.aftersales_expected_cost, 35.0)  # 70 / 2 units
        self.assertEqual(self.part_pump.product_tmpl_id.aftersales_expected_cost, 0.0)
        # A second run changes nothing.
        self.assertEqual(self.Template._cron_aftersales_expected_cost(), 0)
        # Void registrations do not count as units delivered.
        voided = layers.filtered(lambda w: w.lot_id == self.lot_warranty_2)
        voided._write({"state": "void"})
        voided.invalidate_recordset(["state"])
        self.Template._cron_aftersales_expected_cost()
        self.assertAlmostEqual(self.unit_tmpl.aftersales_expected_cost, 70.0)

    def test_window_bounds_history(self):
        order = self._warranty_order(self.lot_warranty, [(self.part_pump, 1)])
        self.assertAlmostEqual(order.aftersales_amount_warranty, 50.0)
        order._write({"schedule_date": fields.Datetime.now() - timedelta(days=30)})
        self.company.aftersales_expected_cost_days = 10
        self.Template._cron_aftersales_expected_cost()
        self.assertEqual(self.unit_tmpl.aftersales_expected_cost, 0.0)
        self.company.aftersales_expected_cost_days = 60
        self.Template._cron_aftersales_expected_cost()
        self.assertAlmostEqual(self.unit_tmpl.aftersales_expected_cost, 25.0)
        # Seen from far in the future, no unit was registered in the window: 0.
        self.Template._cron_aftersales_expected_cost(
            today=fields.Date.today() + timedelta(days=400)
        )
        self.assertEqual(self.unit_tmpl.aftersales_expected_cost, 0.0)

    def test_cron_is_one_query(self):
        self._warranty_order(self.lot_warranty, [(self.part_pump, 1)])
        self.env.flush_all()
        with self.assertQueryCount(1):
            self.Template._cron_aftersales_expected_cost(today=fields.Date.today())

    def test_suggested_price_and_sale_line(self):
        self._warranty_order(self.lot_warranty, [(self.part_pump, 1), (self.part_belt, 2)])
        self.Template._cron_aftersales_expected_cost()
        extension = self.env["product.product"].create(
            {"name": "Extended Warranty +1 year", "type": "service", "list_price": 60.0}
        )
        term = self.env["aftersales.warranty.term"].create(
            {
                "name": "Extended +1 year",
                "kind": "extended",
                "duration": 1,
                "duration_unit": "year",
                "extension_product_id": extension.id,
                "product_tmpl_ids": [Command.link(self.unit_tmpl.id)],
            }
        )
        # 35 per unit over a 365-day window, one year, 30 % margin: 35 x 1 x 1.3.
        self.assertAlmostEqual(term.aftersales_expected_cost, 35.0)
        self.assertAlmostEqual(term.aftersales_suggested_price, 45.5)
        term.write({"duration": 6, "duration_unit": "month"})
        self.assertAlmostEqual(term.aftersales_suggested_price, 22.75)
        self.company.aftersales_extended_margin = 0.0
        term.invalidate_recordset(["aftersales_suggested_price"])
        self.assertAlmostEqual(term.aftersales_suggested_price, 17.5)
        # The sale order line shows the expected cost of what it sells.
        order = self._sell(self.customer_eu, [(self.product_unit, 3)], confirm=False)
        self.assertAlmostEqual(order.order_line.aftersales_expected_cost, 105.0)
        with Form(order) as form, form.order_line.edit(0) as line:
            line.product_uom_qty = 2
            self.assertAlmostEqual(line.aftersales_expected_cost, 70.0)

    def test_expected_cost_per_company_currency(self):
        """Two companies in different currencies sharing the product: each company's figure
        is its own history in its own currency, never the sum of both."""
        foreign = self.env.ref("base.EUR")
        if foreign == self.company.currency_id:
            foreign = self.env.ref("base.GBP")
        foreign.active = True
        company2 = self.env["res.company"].create(
            {"name": "Service Abroad", "currency_id": foreign.id}
        )
        self.assertFalse(self.unit_tmpl.company_id)  # shared by both companies
        # Company 1: a done order with 50.00 of warranty cost on RP-WAR-1.
        order = self._warranty_order(self.lot_warranty, [(self.part_pump, 1)])
        self.assertAlmostEqual(order.aftersales_amount_warranty, 50.0)
        # Company 2 (stored figures as its own flows write them): RP-WAR-2 registered
        # there, and a done order costing it 120.00 in its currency.
        other = self._warranty_order(self.lot_warranty_2, [(self.part_belt, 1)])
        self.env.flush_all()  # pending recomputations first
        other._write({"company_id": company2.id, "aftersales_amount_warranty": 120.0})
        layer2 = self.env["aftersales.warranty"].search([("lot_id", "=", self.lot_warranty_2.id)])
        layer2._write({"company_id": company2.id})
        self.Template._cron_aftersales_expected_cost()
        tmpl1 = self.unit_tmpl.with_company(self.company)
        tmpl2 = self.unit_tmpl.with_company(company2)
        self.assertAlmostEqual(tmpl1.aftersales_expected_cost, 50.0)  # 50 / 1 unit
        self.assertEqual(tmpl1.cost_currency_id, self.company.currency_id)
        self.assertAlmostEqual(tmpl2.aftersales_expected_cost, 120.0)  # 120 / 1 unit
        self.assertEqual(tmpl2.cost_currency_id, foreign)
        self.assertEqual(
            self.unit_tmpl.aftersales_expected_cost_value, 50.0
        )  # current company: company 1
        self.assertEqual(self.Template._cron_aftersales_expected_cost(), 0)
        # The suggested price of a company-2 extended warranty uses company 2's figure.
        extension = self.env["product.product"].create(
            {"name": "Extended +1 year abroad", "type": "service", "list_price": 100.0}
        )
        term = self.env["aftersales.warranty.term"].create(
            {
                "name": "Extended abroad",
                "kind": "extended",
                "duration": 1,
                "duration_unit": "year",
                "company_id": company2.id,
                "extension_product_id": extension.id,
                "product_tmpl_ids": [Command.link(self.unit_tmpl.id)],
            }
        )
        self.assertEqual(term.aftersales_currency_id, foreign)
        self.assertAlmostEqual(term.aftersales_expected_cost, 120.0)
        self.assertAlmostEqual(term.aftersales_suggested_price, 156.0)  # 120 x 1.3
        # Company 2 loses its unit: its figure drops to 0, company 1's stays.
        layer2._write({"state": "void"})
        self.Template._cron_aftersales_expected_cost()
        self.unit_tmpl.invalidate_recordset()
        self.assertAlmostEqual(tmpl2.aftersales_expected_cost, 0.0)
        self.assertAlmostEqual(tmpl1.aftersales_expected_cost, 50.0)
