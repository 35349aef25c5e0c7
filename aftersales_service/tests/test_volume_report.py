# Copyright 2026 aftersales_service authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import datetime

from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import tagged

from .test_repair import RepairCommon


@tagged("post_install", "-at_install")
class TestVolumeReport(RepairCommon):
    def test_figures_per_month_and_team(self):
        self.env["aftersales.team"].search([]).action_archive()  # one team per country
        team = self.env["aftersales.team"].create(
            {
                "name": "Report Team",
                "member_ids": [Command.set(self.technician.ids)],
                "country_ids": [Command.set(self.country_ru.ids)],
            }
        )
        claims = self.env["aftersales.claim"]
        for _i in range(4):
            claims |= self._create_claim(self.customer_ru, lot=self.lot_warranty, defect=False)
        received = datetime(2025, 3, 3, 9, 0)
        # Resolved after 2, 4, 6 and 20 days (in March); due 10 days after receipt.
        for claim, days in zip(claims, (2, 4, 6, 20), strict=True):
            claim._write(
                {
                    "date_received": received,
                    "date_resolved": datetime(2025, 3, 3 + days, 9, 0),
                    "date_resolution_due": datetime(2025, 3, 13).date(),
                }
            )
        order = self._new_order(
            self.lot_warranty,
            parts=[(self.part_pump, 1)],
            labor=[(self.technician, 2.0)],
            aftersales_on_site=True,
        )
        self._finish(order)
        order._write({"schedule_date": datetime(2025, 3, 10, 9, 0)})
        self.assertEqual(order.aftersales_team_id, team)
        self.env.flush_all()
        rows = self.env["aftersales.volume.report"].search(
            [("team_id", "=", team.id), ("month", "=", "2025-03-01")]
        )
        self.assertEqual(len(rows), 1)
        self.assertEqual(rows.claims_received, 4)
        self.assertEqual(rows.claims_resolved, 4)
        self.assertEqual(rows.claims_on_time, 3)
        self.assertAlmostEqual(rows.on_time_rate, 75.0)
        self.assertAlmostEqual(rows.median_days, 5.0)  # between 4 and 6
        self.assertAlmostEqual(rows.p90_days, 15.8)  # 6 + 0.7 x (20 - 6)
        self.assertEqual(rows.orders_done, 1)
        self.assertAlmostEqual(rows.labor_hours, 2.0)
        self.assertAlmostEqual(rows.parts_cost, 50.0)
        self.assertAlmostEqual(rows.warranty_cost, order.aftersales_amount_warranty)
        with self.assertRaises(AccessError):
            self.env["aftersales.volume.report"].with_user(self.technician).search([])
