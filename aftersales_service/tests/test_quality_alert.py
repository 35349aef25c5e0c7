"""Systematic-defect alerts (issue 14): rate over the window, proposed action, no
duplicates, the decision."""

from datetime import timedelta

from odoo import Command, fields
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import new_test_user, tagged

from .common_defect import DefectCommon


@tagged("post_install", "-at_install")
class TestQualityAlert(DefectCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Alert = cls.env["aftersales.quality.alert"]
        cls.categ_dryers = cls.env["product.category"].create(
            {
                "name": "Dryers",
                "aftersales_failure_threshold": 5.0,
                "aftersales_failure_window_days": 90,
            }
        )
        cls.dryer = cls.env["product.product"].create(
            {
                "name": "Dryer D-7",
                "type": "consu",
                "is_storable": True,
                "tracking": "serial",
                "categ_id": cls.categ_dryers.id,
            }
        )
        term = cls._create_warranty_term(
            name="Dryer Guarantee", product_tmpl_ids=[(6, 0, cls.dryer.product_tmpl_id.ids)]
        )
        # 20 dryers delivered 30 days ago (their warranty registrations), one long before.
        cls.dryer_lots = cls._create_lots(cls.dryer, [f"DRY-{i:03d}" for i in range(21)])
        today = fields.Date.today()
        cls.env["aftersales.warranty"].create(
            [
                {
                    "lot_id": lot.id,
                    "term_id": term.id,
                    "partner_id": cls.customer_ru.id,
                    "company_id": cls.company.id,
                    "date_start": today - timedelta(days=400 if i == 20 else 30),
                }
                for i, lot in enumerate(cls.dryer_lots)
            ]
        )
        cls.claim = cls._create_claim(cls.customer_ru, lot=cls.dryer_lots[0], defect=False)
        cls.motor_lot_b = cls._create_lots(cls.part_motor, ["MOTOR-LOT-B"])
        cls._receive_from(cls.vendor, cls.part_motor, cls.motor_lot_b, 5)

    def _failures(self, count, lot=None, days_ago=1):
        """``count`` dryer failures ``days_ago`` (one per serial), on motor lot ``lot``."""
        return self.Defect.create(
            [
                {
                    "claim_id": self.claim.id,
                    "product_id": self.dryer.id,
                    "lot_id": self.dryer_lots[i].id,
                    "component_id": self.part_motor.id,
                    "component_lot_id": (lot or self.motor_lot_b).id if lot is not False else False,
                    "date": fields.Date.today() - timedelta(days=days_ago),
                }
                for i in range(count)
            ]
        )

    def _detect(self):
        return self.Alert._cron_detect().filtered(lambda a: a.product_id == self.dryer)

    def test_under_threshold_no_alert(self):
        self._failures(1, lot=False, days_ago=200)  # outside the window
        self.assertFalse(self._detect())
        self.categ_dryers.aftersales_failure_threshold = 0.0  # off
        self._failures(5, lot=False)
        self.assertFalse(self._detect())

    def test_at_threshold_monitor(self):
        self._failures(1, lot=False)  # 1 / 20 = 5 %
        alert = self._detect()
        self.assertEqual(len(alert), 1)
        self.assertEqual(alert.units_delivered, 20)
        self.assertEqual(alert.failures, 1)
        self.assertAlmostEqual(alert.failure_rate, 5.0)
        self.assertEqual(alert.threshold, 5.0)
        self.assertEqual(alert.proposed_action, "monitor")
        self.assertEqual(alert.state, "new")
        self.assertEqual(alert.date_to - alert.date_from, timedelta(days=90))
        self.assertFalse(alert.component_lot_id)

    def test_twice_reduce_four_times_stop(self):
        self._failures(2, lot=False)  # 10 %
        alert = self._detect()
        self.assertEqual(alert.proposed_action, "reduce_production")
        alert.action_dismiss("Two returns from one flooded shop: not systematic.")
        self._failures(4, lot=False)  # now 6 failures: 30 %
        alert = self._detect()
        self.assertEqual(alert.proposed_action, "stop_production")
        self.assertEqual(alert.failures, 6)

    def test_quarantine_when_one_lot_holds_half(self):
        self._failures(3, lot=self.motor_lot_b)  # 15 %: 3 failures, all on one lot
        alert = self._detect()
        self.assertEqual(alert.proposed_action, "quarantine_lot")
        self.assertEqual(alert.component_lot_id, self.motor_lot_b)
        self.assertEqual(alert.supplier_id, self.vendor)

    def test_quarantine_moves_the_lot_out_of_stock(self):
        self._failures(3, lot=self.motor_lot_b)
        alert = self._detect()
        Quant = self.env["stock.quant"]
        self.assertEqual(
            Quant._get_available_quantity(
                self.part_motor, self.stock_location, lot_id=self.motor_lot_b
            ),
            5.0,
        )
        alert.action_quarantine()
        picking = alert.quarantine_picking_ids
        self.assertEqual(picking.state, "done")
        quarantine = picking.location_dest_id
        self.assertEqual(quarantine.name, "Quarantine")
        self.assertEqual(quarantine.usage, "internal")
        self.assertFalse(quarantine.parent_path.startswith(self.stock_location.parent_path))
        self.assertEqual(
            Quant._get_available_quantity(
                self.part_motor, self.stock_location, lot_id=self.motor_lot_b
            ),
            0.0,
        )
        self.assertEqual(self._qty(self.part_motor, quarantine, lot=self.motor_lot_b), 5.0)
        self.assertIn("moved to quarantine", alert.message_ids[:1].body)
        # The other lot stays available; a second quarantine is refused.
        self.assertEqual(self._qty(self.part_motor, self.stock_location, lot=self.motor_lot), 5.0)
        with self.assertRaises(UserError):
            alert.action_quarantine()

    def test_quarantine_refused_without_suspect_lot(self):
        self._failures(1, lot=False)
        alert = self._detect()
        with self.assertRaises(UserError):
            alert.action_quarantine()
        self.assertFalse(alert.quarantine_picking_ids)

    def test_quarantine_refused_when_the_lot_has_no_free_stock(self):
        empty_lot = self._create_lots(self.part_motor, ["MOTOR-LOT-EMPTY"])
        self._failures(3, lot=empty_lot)
        alert = self._detect()
        self.assertEqual(alert.component_lot_id, empty_lot)
        with self.assertRaises(UserError) as caught:
            alert.action_quarantine()
        self.assertIn("no free stock to quarantine", str(caught.exception))
        self.assertFalse(alert.quarantine_picking_ids)
        self.assertFalse(alert.is_quarantined)

    def test_no_duplicate_open_alert_and_activity(self):
        self.company.aftersales_quality_user_id = self.manager
        self._failures(1, lot=False)
        alert = self._detect()
        self.assertEqual(alert.user_id, self.manager)
        self.assertEqual(alert.activity_ids.user_id, self.manager)
        self._failures(3, lot=False)
        self.assertFalse(self._detect())
        self.assertEqual(self.Alert.search_count([("product_id", "=", self.dryer.id)]), 1)
        alert.with_user(self.manager).action_confirm("Supplier audit booked.")
        self.assertEqual(alert.state, "confirmed")
        self.assertEqual(alert.decision, "Supplier audit booked.")
        self.assertFalse(alert.activity_ids)
        self.assertFalse(self._detect())  # confirmed is still open
        alert.action_done("New motor lot since week 12.")
        self.assertEqual(alert.state, "done")
        self.assertIn("New motor lot", alert.decision)
        self.assertEqual(len(self._detect()), 1)  # closed: a new one may open

    def test_activity_goes_to_managers_by_default(self):
        self._failures(1, lot=False)
        alert = self._detect()
        self.assertIn(self.manager, alert.activity_ids.user_id)

    def test_decision_bad_input(self):
        self._failures(1, lot=False)
        alert = self._detect()
        for note in (None, "", "  ", 7):
            with self.assertRaises(UserError):
                alert.action_dismiss(note)
        with self.assertRaises(UserError):
            alert.action_done("not confirmed yet")
        with self.assertRaises(UserError):
            alert.write({"state": "done"})
        with self.assertRaises(UserError):
            alert.write({"decision": "forged"})
        self.assertEqual(alert.state, "new")
        self.assertFalse(alert.decision)
        with self.assertRaises(ValidationError):
            self.categ_dryers.aftersales_failure_threshold = 150.0
        with self.assertRaises(ValidationError):
            self.categ_dryers.aftersales_failure_window_days = 0

    def test_detection_queries_do_not_grow_with_products(self):
        """The job reads failures, lots, deliveries and open alerts once per window."""

        def queries_for(count):
            products = self.env["product.product"].create(
                [
                    {
                        "name": f"Dryer Q{count}-{i}",
                        "type": "consu",
                        "categ_id": self.categ_dryers.id,
                    }
                    for i in range(count)
                ]
            )
            self.Defect.create(
                [{"claim_id": self.claim.id, "product_id": p.id, "lot_id": False} for p in products]
            )
            self.env.flush_all()
            self.env.invalidate_all()
            before = self.env.cr.sql_log_count
            alerts = self.Alert._cron_detect()
            self.assertFalse(alerts.filtered(lambda a: a.product_id in products))
            return self.env.cr.sql_log_count - before

        few = queries_for(2)
        many = queries_for(20)
        self.assertEqual(few, many)

    def test_access(self):
        self._failures(1, lot=False)
        alert = self._detect()
        self.assertEqual(alert.with_user(self.frontdesk).proposed_action, "monitor")
        with self.assertRaises(AccessError):
            alert.with_user(self.frontdesk).write({"user_id": self.frontdesk.id})
        with self.assertRaises(AccessError):
            alert.with_user(self.technician).read(["name"])
        other = self.env["res.company"].create({"name": "Other Quality Co"})
        stranger = new_test_user(
            self.env,
            login="as_other_quality",
            groups="aftersales_service.group_aftersales_manager",
            company_id=other.id,
            company_ids=[(6, 0, other.ids)],
        )
        self.assertFalse(self.Alert.with_user(stranger).search([("id", "=", alert.id)]))

    # Quarantine release ----------------------------------------------------------------------

    def _quarantined_alert(self):
        self._failures(3, lot=self.motor_lot_b)
        alert = self._detect()
        alert.with_user(self.manager).action_quarantine()
        self.assertTrue(alert.is_quarantined)
        return alert

    def _reserved_lots(self, picking):
        """{lot: quantity reserved} of ``picking``."""
        result = {}
        for line in picking.move_line_ids:
            result[line.lot_id] = result.get(line.lot_id, 0.0) + line.quantity
        return result

    def test_quarantined_lot_cannot_be_sold_until_released(self):
        alert = self._quarantined_alert()
        quarantine = alert.quarantine_picking_ids.location_dest_id
        order = self.env["sale.order"].create(
            {
                "partner_id": self.customer_ru.id,
                "order_line": [
                    Command.create({"product_id": self.part_motor.id, "product_uom_qty": 10})
                ],
            }
        )
        order.action_confirm()
        delivery = order.picking_ids
        delivery.action_assign()
        # Only lot A (5 in stock) is reserved: lot B sits in quarantine.
        self.assertEqual(self._reserved_lots(delivery), {self.motor_lot: 5.0})
        self.assertEqual(delivery.state, "assigned")
        alert.with_user(self.manager).action_release_quarantine()
        release = alert.release_picking_ids
        self.assertEqual(release.state, "done")
        self.assertEqual(release.location_id, quarantine)
        self.assertEqual(release.move_line_ids.location_dest_id, self.stock_location)
        self.assertEqual(release.move_line_ids.lot_id, self.motor_lot_b)
        self.assertEqual(self._qty(self.part_motor, quarantine, lot=self.motor_lot_b), 0.0)
        self.assertEqual(self._qty(self.part_motor, self.stock_location, lot=self.motor_lot_b), 5.0)
        self.assertTrue(alert.date_released)
        self.assertFalse(alert.is_quarantined)
        self.assertIn("released from quarantine", alert.message_ids[:1].body)
        delivery.action_assign()
        self.assertEqual(
            self._reserved_lots(delivery), {self.motor_lot: 5.0, self.motor_lot_b: 5.0}
        )
        # Released once: a second release is refused and changes nothing.
        with self.assertRaises(UserError):
            alert.with_user(self.manager).action_release_quarantine()
        self.assertEqual(alert.release_picking_ids, release)

    def test_quarantined_lot_cannot_be_issued_until_released(self):
        self.company.aftersales_parts_issue = True
        alert = self._quarantined_alert()
        order = self.env["repair.order"].create(
            {
                "partner_id": self.customer_ru.id,
                "move_ids": [
                    Command.create(
                        {
                            "product_id": self.part_motor.id,
                            "product_uom_qty": 8,
                            "repair_line_type": "add",
                        }
                    )
                ],
            }
        )
        order.action_validate()
        order.with_context(aftersales_open_pickings=False).action_aftersales_issue_parts()
        issue = order.aftersales_parts_picking_ids
        issue.action_assign()
        self.assertEqual(self._reserved_lots(issue), {self.motor_lot: 5.0})
        alert.with_user(self.manager).action_release_quarantine()
        issue.action_assign()
        self.assertEqual(self._reserved_lots(issue), {self.motor_lot: 5.0, self.motor_lot_b: 3.0})

    def test_release_only_what_is_left_in_quarantine(self):
        alert = self._quarantined_alert()
        quarantine = alert.quarantine_picking_ids.location_dest_id
        # Two units of the suspect lot were scrapped in quarantine meanwhile.
        scrap = self.env["stock.scrap"].create(
            {
                "product_id": self.part_motor.id,
                "lot_id": self.motor_lot_b.id,
                "scrap_qty": 2,
                "location_id": quarantine.id,
            }
        )
        scrap.action_validate()
        alert.with_user(self.manager).action_release_quarantine()
        self.assertEqual(alert.release_picking_ids.move_ids.quantity, 3.0)
        self.assertEqual(self._qty(self.part_motor, self.stock_location, lot=self.motor_lot_b), 3.0)
        self.assertEqual(self._qty(self.part_motor, quarantine, lot=self.motor_lot_b), 0.0)

    def test_release_refused_when_nothing_is_left_in_quarantine(self):
        alert = self._quarantined_alert()
        quarantine = alert.quarantine_picking_ids.location_dest_id
        # The whole quarantined quantity was scrapped there.
        self.env["stock.scrap"].create(
            {
                "product_id": self.part_motor.id,
                "lot_id": self.motor_lot_b.id,
                "scrap_qty": 5,
                "location_id": quarantine.id,
            }
        ).action_validate()
        with self.assertRaises(UserError) as caught:
            alert.with_user(self.manager).action_release_quarantine()
        self.assertIn("nothing left in quarantine to release", str(caught.exception))
        self.assertFalse(alert.release_picking_ids)
        self.assertFalse(alert.date_released)
        self.assertTrue(alert.is_quarantined)

    def test_release_refused_and_manager_only(self):
        self._failures(1, lot=False)
        plain = self._detect()
        with self.assertRaises(UserError):
            plain.with_user(self.manager).action_release_quarantine()
        self.assertFalse(plain.release_picking_ids)
        plain.unlink()
        alert = self._quarantined_alert()
        quarantine = alert.quarantine_picking_ids.location_dest_id
        with self.assertRaises(AccessError):
            alert.with_user(self.frontdesk).action_release_quarantine()
        with self.assertRaises(AccessError):
            alert.with_user(self.technician).action_release_quarantine()
        with self.assertRaises(AccessError):
            alert.with_user(self.frontdesk).action_quarantine()
        # Transfers and dates are the actions' (a context key does not open them).
        for vals in (
            {"release_picking_ids": [Command.set(alert.quarantine_picking_ids.ids)]},
            {"date_released": fields.Datetime.now()},
            {"quarantine_picking_ids": [Command.clear()]},
        ):
            with self.assertRaises(UserError):
                alert.with_user(self.manager).write(vals)
        with self.assertRaises(UserError):
            alert.with_context(aftersales_quality_decision=True).write({"state": "done"})
        with self.assertRaises(UserError):
            self.Alert.with_user(self.manager).create(
                {"product_id": self.part_belt.id, "state": "done"}
            )
        self.assertFalse(alert.release_picking_ids)
        self.assertFalse(alert.date_released)
        self.assertEqual(alert.state, "new")
        self.assertEqual(self._qty(self.part_motor, quarantine, lot=self.motor_lot_b), 5.0)
        alert.with_user(self.manager).action_release_quarantine()
        self.assertEqual(self._qty(self.part_motor, quarantine, lot=self.motor_lot_b), 0.0)
