# Copyright 2026 aftersales_service authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import timedelta

from psycopg2 import IntegrityError

from odoo import fields
from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged
from odoo.tools import mute_logger

from .test_repair import RepairCommon


@tagged("post_install", "-at_install")
class TestPartsForecast(RepairCommon):
    """Spare-part consumption per month and the forecast of parts need, on a known data
    set: two units registered under warranty (RP-WAR-1, RP-WAR-2) in the window; order 1
    fits a pump and a board, order 2 a board and a belt (stock before: pump 10, belt 10,
    board 5)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.aftersales_expected_cost_days = 365
        cls.company.aftersales_forecast_months = 3
        cls.parts = cls.part_pump | cls.part_belt | cls.part_board

    def _done_orders(self):
        for lot, parts in (
            (self.lot_warranty, [(self.part_pump, 1), (self.part_board, 1)]),
            (self.lot_warranty_2, [(self.part_board, 1), (self.part_belt, 1)]),
        ):
            self._finish(self._new_order(lot, parts=parts, aftersales_on_site=True))
        # A draft order's parts are not consumed.
        self._new_order(self.lot_warranty, parts=[(self.part_pump, 3)])
        # The units were registered a month ago: registered today in the user's time zone
        # (Brussels) they start tomorrow for the view's CURRENT_DATE (UTC) late in the day.
        self.env["aftersales.warranty"].search(
            [("lot_id", "in", (self.lot_warranty | self.lot_warranty_2).ids)]
        )._write({"date_start": fields.Date.today() - timedelta(days=30)})
        self.env.flush_all()

    def _forecast(self):
        self.env.flush_all()
        self.env["aftersales.parts.forecast"].invalidate_model()  # a view: read it afresh
        rows = self.env["aftersales.parts.forecast"].search(
            [("product_id", "in", self.parts.ids), ("company_id", "=", self.company.id)]
        )
        return {row.product_id: row for row in rows}

    def test_consumption_per_month(self):
        self._done_orders()
        rows = self.env["aftersales.parts.demand.report"].search(
            [("product_id", "in", self.parts.ids)]
        )
        month = fields.Date.today().replace(day=1)
        self.assertEqual(set(rows.mapped("month")), {month})
        got = {row.product_id: (row.quantity, row.cost, row.order_count) for row in rows}
        self.assertEqual(
            got,
            {
                self.part_pump: (1.0, 50.0, 1),
                self.part_board: (2.0, 240.0, 2),
                self.part_belt: (1.0, 10.0, 1),
            },
        )
        self.assertEqual(rows.repaired_product_id, self.product_unit)
        grouped = self.env["aftersales.parts.demand.report"]._read_group(
            [("product_id", "in", self.parts.ids)], [], ["quantity:sum", "cost:sum"]
        )
        self.assertEqual(grouped, [(4.0, 300.0)])

    def test_forecast_from_units_and_failure_rates(self):
        self._done_orders()
        forecast = self._forecast()
        self.assertEqual(set(forecast), set(self.parts))
        # 3 months of a 365-day window: 0.25. Board: 2 units x (2 fitted / 2 registered)
        # x 0.25 = 0.5; pump and belt: 2 x (1 / 2) x 0.25 = 0.25.
        board, pump, belt = (
            forecast[self.part_board],
            forecast[self.part_pump],
            forecast[self.part_belt],
        )
        self.assertAlmostEqual(board.forecast_qty, 0.5)
        self.assertAlmostEqual(pump.forecast_qty, 0.25)
        self.assertAlmostEqual(belt.forecast_qty, 0.25)
        self.assertEqual(board.units_under_warranty, 2)
        self.assertAlmostEqual(board.consumed_qty, 2.0)
        self.assertEqual(board.forecast_months, 3)
        self.assertAlmostEqual(board.qty_on_hand, 3.0)
        self.assertAlmostEqual(pump.qty_on_hand, 9.0)
        self.assertEqual((board.qty_to_buy, pump.qty_to_buy, belt.qty_to_buy), (0, 0, 0))
        # Two years ahead: board 2 x 1 x 2 = 4 against 3 on hand: buy 1.
        self.company.aftersales_forecast_months = 24
        self.env.flush_all()
        forecast = self._forecast()
        self.assertAlmostEqual(forecast[self.part_board].forecast_qty, 4.0)
        self.assertAlmostEqual(forecast[self.part_board].qty_to_buy, 1.0)
        self.assertAlmostEqual(forecast[self.part_pump].forecast_qty, 2.0)  # 2 x 1/2 x 2
        self.assertAlmostEqual(forecast[self.part_pump].qty_to_buy, 0.0)
        # A unit whose warranty expired is no longer under warranty: board 1 x 1 x 2 = 2.
        layer = self.env["aftersales.warranty"].search([("lot_id", "=", self.lot_warranty_2.id)])
        # (Registered 100 days ago, so still counted among the units of the window.)
        today = fields.Date.today()
        layer._write(
            {
                "state": "expired",
                "date_start": today - timedelta(days=100),
                "date_end": today - timedelta(days=1),
            }
        )
        self.env.flush_all()
        forecast = self._forecast()
        self.assertEqual(forecast[self.part_board].units_under_warranty, 1)
        self.assertAlmostEqual(forecast[self.part_board].forecast_qty, 2.0)
        self.assertAlmostEqual(forecast[self.part_board].qty_to_buy, 0.0)

    def test_on_hand_is_what_can_be_issued(self):
        """On hand counts the warehouse's stock (WH/Stock and below) only: not what waits in
        Quarantine, in the workshop, among the loaners or the units in service."""
        self._done_orders()
        board = self.part_board
        shelf = self.env["stock.location"].create(
            {"name": "Shelf B", "usage": "internal", "location_id": self.stock_location.id}
        )
        quarantine = self.env["aftersales.quality.alert"]._aftersales_quarantine_location(
            self.warehouse
        )
        # 2 in WH/Stock (1 on the stock location, 1 on a shelf below it), 3 in Quarantine,
        # 1 in the workshop, 1 among the loaners, 1 in the units in service.
        self._add_stock(board, 1)
        for location, qty in (
            (shelf, 1),
            (quarantine, 3),
            (self.warehouse.aftersales_workshop_location_id, 1),
            (self.warehouse.aftersales_loaner_location_id, 1),
            (self.warehouse.aftersales_service_location_id, 1),
        ):
            self._add_stock(board, qty, location=location)
        self.assertEqual(self._qty(board, self.stock_location), 1)
        self.company.aftersales_forecast_months = 24  # board: 2 units x 1 x 2 = 4
        forecast = self._forecast()[board]
        self.assertAlmostEqual(forecast.forecast_qty, 4.0)
        self.assertAlmostEqual(forecast.qty_on_hand, 2.0)
        self.assertAlmostEqual(forecast.qty_to_buy, 2.0)

    def test_rate_counts_units_sold_before_the_window(self):
        """A unit sold before the window but still under warranty could fail in it: it is
        part of the rate's base, so a long warranty does not inflate the forecast."""
        self._done_orders()
        today = fields.Date.today()
        self.env["aftersales.warranty"].search([("lot_id", "=", self.lot_warranty_2.id)])._write(
            {
                "state": "active",
                "date_start": today - timedelta(days=500),
                "date_end": today + timedelta(days=200),
            }
        )
        self.env.flush_all()
        # Board: 2 units under warranty x (2 fitted / 2 units in the window) x 0.25 = 0.5
        # (counting only the unit registered in the window would give 2 x 2/1 x 0.25 = 1.0).
        self.assertAlmostEqual(self._forecast()[self.part_board].forecast_qty, 0.5)

    def test_forecast_is_one_query(self):
        self._done_orders()
        Forecast = self.env["aftersales.parts.forecast"]
        with self.assertQueryCount(1):
            Forecast.search_fetch([("product_id", "in", self.parts.ids)], ["qty_to_buy"])

    def test_access_and_horizon_bounds(self):
        self._done_orders()
        stock_user = new_test_user(
            self.env, login="as_stock_forecast", groups="stock.group_stock_user"
        )
        # Technicians and the front desk are stock users too (their group implies it).
        for user in (self.manager, stock_user, self.technician):
            self.assertTrue(
                self.env["aftersales.parts.forecast"]
                .with_user(user)
                .search([("product_id", "in", self.parts.ids)])
            )
            self.assertTrue(
                self.env["aftersales.parts.demand.report"]
                .with_user(user)
                .search([("product_id", "in", self.parts.ids)])
            )
        with self.assertRaises(AccessError):
            self.env["aftersales.parts.forecast"].with_user(self.plain_user).search([])
        with self.assertRaises(AccessError):
            self.env["aftersales.parts.demand.report"].with_user(self.plain_user).search([])
        with mute_logger("odoo.sql_db"), self.assertRaises(IntegrityError), self.cr.savepoint():
            self.company.aftersales_forecast_months = 0
            self.company.flush_recordset()
