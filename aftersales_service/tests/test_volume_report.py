# Copyright 2026 aftersales_service authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import datetime

from odoo import Command
from odoo.exceptions import AccessError, ValidationError
from odoo.tests import tagged

from .test_repair import RepairCommon


@tagged("post_install", "-at_install")
class TestVolumeReport(RepairCommon):
    def _known_data_set(self):
        """Team "Report Team" (Russia): 4 claims received 3 March 2025, resolved after 2, 4,
        6 and 20 days (due after 10); one done order in March (a pump, 2 hours); 30.00
        recovered from a supplier on the order; ratings 5 and 4 on two claims."""
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
        # The order's share of an accepted supplier claim (the stored figure the supplier
        # claims' acceptance writes, see test_supplier_claim).
        self.env.flush_all()  # pending recomputations first
        order._write({"aftersales_amount_recovered": 30.0})
        claim_model = self.env["ir.model"]._get_id("aftersales.claim")
        for claim, value in zip(claims[:2], (5, 4), strict=True):
            self.env["rating.rating"].create(
                {
                    "res_model_id": claim_model,
                    "res_id": claim.id,
                    "partner_id": self.customer_ru.id,
                    "rating": value,
                    "consumed": True,
                }
            )
        # A request not answered yet counts for nothing.
        self.env["rating.rating"].create(
            {"res_model_id": claim_model, "res_id": claims[2].id, "rating": 0, "consumed": False}
        )
        self.env.flush_all()
        return team, claims, order

    def test_figures_per_month_and_team(self):
        team, _claims, order = self._known_data_set()
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
        self.assertAlmostEqual(rows.recovered_amount, 30.0)
        self.assertEqual(rows.rating_count, 2)
        self.assertAlmostEqual(rows.rating_total, 9.0)
        self.assertAlmostEqual(rows.rating_avg, 4.5)
        with self.assertRaises(AccessError):
            self.env["aftersales.volume.report"].with_user(self.technician).search([])

    def test_grouped_rates_are_weighted(self):
        """Grouped by year (or over teams), the average rating is the ratings' sum over their
        count and the on-time rate the claims on time over the claims resolved: a month of
        one rating does not weigh as much as a month of three."""
        self.env["aftersales.team"].search([]).action_archive()
        team = self.env["aftersales.team"].create(
            {
                "name": "Weighted Team",
                "member_ids": [Command.set(self.technician.ids)],
                "country_ids": [Command.set(self.country_ru.ids)],
            }
        )
        claims = self.env["aftersales.claim"]
        for _i in range(4):
            claims |= self._create_claim(self.customer_ru, lot=self.lot_warranty, defect=False)
        claim_model = self.env["ir.model"]._get_id("aftersales.claim")
        # January: one claim, on time, rated 5. February: three claims, late, rated 1.
        for claim, month, rating in zip(claims, (1, 2, 2, 2), (5, 1, 1, 1), strict=True):
            claim._write(
                {
                    "date_received": datetime(2025, month, 3, 9, 0),
                    "date_resolved": datetime(2025, month, 5 if month == 1 else 20, 9, 0),
                    "date_resolution_due": datetime(2025, month, 13).date(),
                }
            )
            self.env["rating.rating"].create(
                {
                    "res_model_id": claim_model,
                    "res_id": claim.id,
                    "partner_id": self.customer_ru.id,
                    "rating": rating,
                    "consumed": True,
                }
            )
        self.env.flush_all()
        Report = self.env["aftersales.volume.report"]
        # (The demo's claims of Russian customers are this team's too, in recent months.)
        domain = [
            ("team_id", "=", team.id),
            ("month", ">=", "2025-01-01"),
            ("month", "<", "2025-03-01"),
        ]
        months = Report.search(domain, order="month")
        self.assertEqual(months.mapped("rating_avg"), [5.0, 1.0])
        self.assertEqual(months.mapped("on_time_rate"), [100.0, 0.0])
        (year,) = Report.read_group(
            domain, ["rating_avg", "on_time_rate", "rating_count"], ["month:year"]
        )
        self.assertEqual(year["rating_count"], 4)
        self.assertAlmostEqual(year["rating_avg"], 2.0)  # (5 + 3 x 1) / 4, not (5 + 1) / 2
        self.assertAlmostEqual(year["on_time_rate"], 25.0)  # 1 of 4, not (100 + 0) / 2
        # The same through the ORM's grouped read, by team.
        self.assertEqual(
            Report._read_group(domain, ["team_id"], ["rating_avg:avg", "on_time_rate:avg"]),
            [(team, 2.0, 25.0)],
        )
        # A group with no rating and no resolved claim has no rate (not 0).
        claims[0]._write({"date_received": datetime(2025, 6, 3, 9, 0)})
        self.env.flush_all()
        (june,) = Report.read_group(
            [("team_id", "=", team.id), ("month", "=", "2025-06-01")],
            ["rating_avg", "on_time_rate"],
            ["team_id"],
        )
        self.assertFalse(june["rating_avg"])
        self.assertFalse(june["on_time_rate"])

    def test_printed_period_report(self):
        team, _claims, _order = self._known_data_set()
        # Another month of the same team, outside the period: not printed.
        other = self._create_claim(self.customer_ru, lot=self.lot_warranty, defect=False)
        other._write({"date_received": datetime(2025, 5, 2, 9, 0)})
        self.env.flush_all()
        Print = self.env["aftersales.volume.report.print"]
        wizard = Print.with_user(self.manager).create(
            {"date_from": "2025-02-10", "date_to": "2025-04-05", "team_id": team.id}
        )
        values = wizard._aftersales_report_values()
        self.assertEqual(values["rows"].mapped("month"), [datetime(2025, 3, 1).date()])
        self.assertEqual(str(values["start"]), "2025-02-01")
        self.assertEqual(str(values["end"]), "2025-04-30")
        totals = values["totals"]
        self.assertEqual(totals["claims_received"], 4)
        self.assertEqual(totals["claims_on_time"], 3)
        self.assertAlmostEqual(totals["on_time_rate"], 75.0)
        self.assertAlmostEqual(totals["median_days"], 5.0)
        self.assertAlmostEqual(totals["p90_days"], 15.8)
        self.assertAlmostEqual(totals["recovered_amount"], 30.0)
        self.assertAlmostEqual(totals["rating_avg"], 4.5)
        action = wizard.action_print()
        self.assertEqual(action["report_name"], "aftersales_service.report_aftersales_volume")
        html = (
            self.env["ir.actions.report"]
            .with_user(self.manager)
            ._render_qweb_html("aftersales_service.action_report_aftersales_volume", wizard.ids)[0]
            .decode()
        )
        self.assertIn("Volume and Timing of the After-Sales Work", html)
        self.assertIn("Report Team", html)
        for figure in ("75.0", "5.0", "15.8", "2.00", "50.00", "30.00", "4.50"):
            self.assertIn(figure, html)
        self.assertIn("Signature", html)
        self.assertIn("March 2025", html)
        self.assertNotIn("May 2025", html)
        # May alone: the other claim, and no resolution to time.
        wizard.write({"date_from": "2025-05-01", "date_to": "2025-05-31"})
        totals = wizard._aftersales_report_values()["totals"]
        self.assertEqual(totals["claims_received"], 1)
        self.assertIsNone(totals["median_days"])
        self.assertIsNone(totals["rating_avg"])
        with self.assertRaises(ValidationError):
            Print.create({"date_from": "2025-05-02", "date_to": "2025-05-01"})
        with self.assertRaises(AccessError):
            Print.with_user(self.technician).create({"date_from": "2025-01-01"})

    def test_demo_builder_ratings(self):
        claims = self.env["aftersales.claim"].search([("date_resolved", "!=", False)])
        if not claims:
            self.skipTest("no resolved claim: the database has no demo data")
        Rating = self.env["rating.rating"]
        before = Rating.search_count(
            [("res_model", "=", "aftersales.claim"), ("consumed", "=", True)]
        )
        self.assertTrue(self.env["aftersales.demo"]._aftersales_demo_desk_reports())
        after = Rating.search_count(
            [("res_model", "=", "aftersales.claim"), ("consumed", "=", True)]
        )
        self.assertEqual(after - before, min(len(claims), 3))
        self.env.flush_all()
        rows = self.env["aftersales.volume.report"].search([("rating_count", ">", 0)])
        self.assertGreaterEqual(sum(rows.mapped("rating_count")), after - before)
