"""Defect register (issue 14): codes, supplier inference, the defect-required rule, the
failure analysis."""

from psycopg2 import IntegrityError

from odoo import Command
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import new_test_user, tagged
from odoo.tools import mute_logger

from .common_defect import DefectCommon


@tagged("post_install", "-at_install")
class TestDefect(DefectCommon):
    # Codes -------------------------------------------------------------------------------

    def test_generic_codes_shipped_hierarchical(self):
        Code = self.env["aftersales.defect.code"]
        for code_type in ("symptom", "fault", "cause", "resolution"):
            self.assertGreaterEqual(Code.search_count([("type", "=", code_type)]), 4, code_type)
        door = self.env.ref("aftersales_service.defect_code_s_leak_door")
        leak = self.env.ref("aftersales_service.defect_code_s_leak")
        self.assertEqual(door.parent_id, leak)
        self.assertEqual(door.complete_name, "[S-LEAK] Leak / [S-LEAK-DOOR] Leak at the door")
        self.assertIn(door, Code.search([("parent_id", "child_of", leak.id)]))
        # Names are translatable; codes are editable.
        self.assertTrue(Code._fields["name"].translate)
        door.name = "Door seal leak"
        self.assertIn("Door seal leak", door.display_name)

    def test_code_bad_input(self):
        leak = self.env.ref("aftersales_service.defect_code_s_leak")
        with self.assertRaises(ValidationError):
            leak.parent_id = self.code_pump  # a fault cannot parent a symptom
        door = self.env.ref("aftersales_service.defect_code_s_leak_door")
        with self.assertRaises(UserError):  # ValidationError or the host's recursion check
            leak.parent_id = door  # a cycle
        self.assertFalse(leak.parent_id)
        with self.assertRaises(IntegrityError), mute_logger("odoo.sql_db"):
            self.env["aftersales.defect.code"].create(
                {"type": "symptom", "code": "S-LEAK", "name": "Duplicate"}
            )

    # Supplier inference -------------------------------------------------------------------

    def test_supplier_from_component_lot_receipt(self):
        order = self._new_order(self.lot_warranty, aftersales_on_site=True)
        # The motor's main vendor is the shared vendor; its lot came from Motor Works.
        self.assertEqual(self.part_motor.seller_ids.partner_id, self.vendor)
        defect = self._defect(order, component=self.part_motor, lot=self.motor_lot)
        self.assertEqual(defect.supplier_id, self.vendor_motor)
        self.assertEqual(defect.component_cost, 80.0)
        # Without its lot, the main vendor.
        defect = self._defect(order, component=self.part_motor)
        self.assertEqual(defect.supplier_id, self.vendor)

    def test_supplier_from_main_vendor(self):
        order = self._new_order(self.lot_warranty, aftersales_on_site=True)
        defect = self._defect(order, component=self.part_pump)
        self.assertEqual(defect.supplier_id, self.vendor)
        self.assertEqual(defect.component_cost, 50.0)
        # No vendor at all: no supplier, the technician may set it.
        self.part_belt.seller_ids = [(5, 0, 0)]
        defect = self._defect(order, component=self.part_belt)
        self.assertFalse(defect.supplier_id)
        defect.supplier_id = self.vendor_motor
        self.assertEqual(defect.supplier_id, self.vendor_motor)

    def test_defect_takes_unit_from_order_and_claim(self):
        claim = self._create_claim(self.customer_ru, lot=self.lot_warranty, defect=False)
        order = self._new_order(
            self.lot_warranty, aftersales_on_site=True, aftersales_claim_id=claim.id
        )
        defect = self._defect(order, component=self.part_pump)
        self.assertEqual(defect.product_id, self.product_unit)
        self.assertEqual(defect.lot_id, self.lot_warranty)
        self.assertEqual(defect.claim_id, claim)
        self.assertEqual(defect.company_id, self.company)
        self.assertEqual(defect.date, self._today())
        self.assertEqual(defect.date_delivered, self._today())
        self.assertEqual(defect.age_months, 0)
        self.assertEqual(claim.defect_ids, defect)
        self.assertEqual(order.aftersales_defect_count, 1)

    def test_defect_bad_input(self):
        order = self._new_order(self.lot_warranty, aftersales_on_site=True)
        count = self.Defect.search_count([])
        with self.assertRaises(UserError):
            self.Defect.create({"product_id": self.product_unit.id})  # neither order nor claim
        with self.assertRaises(UserError):
            self._defect(order, component=self.part_pump, lot=self.motor_lot)  # wrong lot
        with self.assertRaises(UserError):
            self._defect(order, component=self.part_pump, component_cost=-5.0)
        other_claim = self._create_claim(self.customer_ru, lot=self.lot_warranty_2, defect=False)
        with self.assertRaises(UserError):
            self._defect(order, claim=other_claim)
        self.assertEqual(self.Defect.search_count([]), count)

    # Defect required ------------------------------------------------------------------------

    def test_claim_order_needs_a_defect_to_finish(self):
        claim = self._create_claim(self.customer_ru, lot=self.lot_warranty, defect=False)
        order = self._new_order(
            self.lot_warranty,
            parts=[(self.part_pump, 1)],
            aftersales_on_site=True,
            aftersales_claim_id=claim.id,
        )
        self.assertTrue(self.company.aftersales_defect_required)
        order.action_validate()
        order.action_repair_start()
        with self.assertRaises(UserError) as caught:
            order.action_repair_end()
        self.assertIn(order.name, str(caught.exception))
        self.assertEqual(order.state, "under_repair")
        # Recorded from the order form's Defects tab: the order now ends.
        order.write(
            {
                "aftersales_defect_ids": [
                    Command.create(
                        {"component_id": self.part_pump.id, "symptom_code_id": self.code_noise.id}
                    )
                ]
            }
        )
        order.action_repair_end()
        self.assertEqual(order.state, "done")

    def test_defect_not_required_when_setting_off_or_no_claim(self):
        plain = self._new_order(self.lot_warranty_2, aftersales_on_site=True)
        self._finish(plain)
        self.company.aftersales_defect_required = False
        claim = self._create_claim(self.customer_ru, lot=self.lot_warranty, defect=False)
        order = self._new_order(
            self.lot_warranty, aftersales_on_site=True, aftersales_claim_id=claim.id
        )
        self._finish(order)

    # Access ---------------------------------------------------------------------------------

    def test_access_per_role_and_company(self):
        order = self._new_order(self.lot_warranty, aftersales_on_site=True)
        defect = self.Defect.with_user(self.technician).create(
            {"repair_id": order.id, "component_id": self.part_pump.id}
        )
        self.assertEqual(defect.supplier_id, self.vendor)
        defect.fault_code_id = self.code_pump
        with self.assertRaises(AccessError):
            self.code_noise.with_user(self.technician).name = "Renamed"
        with self.assertRaises(AccessError):
            self.Defect.with_user(self.plain_user).search([])
        other = self.env["res.company"].create({"name": "Other Service Co"})
        stranger = new_test_user(
            self.env,
            login="as_other_tech",
            groups="aftersales_service.group_aftersales_manager",
            company_id=other.id,
            company_ids=[(6, 0, other.ids)],
        )
        self.assertFalse(self.Defect.with_user(stranger).search([("id", "=", defect.id)]))
        with self.assertRaises(AccessError):
            defect.with_user(stranger).read(["date"])

    # Analysis ----------------------------------------------------------------------------------

    def test_report_failure_rate_against_units_delivered(self):
        order = self._new_order(self.lot_warranty, aftersales_on_site=True)
        self._defect(order, component=self.part_pump)
        self._defect(order, component=self.part_pump)
        self._defect(order, component=self.part_motor, lot=self.motor_lot)
        self.env.flush_all()
        Report = self.env["aftersales.defect.report"]
        groups = Report.read_group(
            [("product_id", "=", self.product_unit.id)],
            ["failures:sum", "units_delivered:sum", "failure_rate"],
            ["product_id"],
        )
        self.assertEqual(len(groups), 1)
        # Three failures over the two serials delivered with a warranty (RP-WAR-1, -2; none
        # for RP-BILL, sold before any term): 3 / 2.
        self.assertEqual(groups[0]["failures"], 3)
        self.assertEqual(groups[0]["units_delivered"], 2)
        self.assertAlmostEqual(groups[0]["failure_rate"], 150.0)
        by_supplier = Report.read_group(
            [("row_type", "=", "failure"), ("product_id", "=", self.product_unit.id)],
            ["failures:sum"],
            ["supplier_id"],
        )
        # Most failures first (a Pareto), not by name ("Motor Works" < "Parts Supplier").
        self.assertEqual(
            [(g["supplier_id"][0], g["failures"]) for g in by_supplier],
            [(self.vendor.id, 2), (self.vendor_motor.id, 1)],
        )
        by_age = Report.read_group([("row_type", "=", "failure")], ["failures:sum"], ["age_months"])
        self.assertEqual(sum(g["failures"] for g in by_age), self.Defect.search_count([]))

    def test_report_follows_every_change_of_the_defects(self):
        """The failure counts the analysis reads are kept by the database on insert, update
        and delete of defects (in the same transaction)."""
        Report = self.env["aftersales.defect.report"]

        def counts():
            self.env.flush_all()
            return {
                g["component_id"] and g["component_id"][0]: g["failures"]
                for g in Report.read_group(
                    [("row_type", "=", "failure"), ("product_id", "=", self.product_unit.id)],
                    ["failures:sum"],
                    ["component_id"],
                )
            }

        order = self._new_order(self.lot_warranty, aftersales_on_site=True)
        before = counts()
        pump_1 = self._defect(order, component=self.part_pump)
        pump_2 = self._defect(order, component=self.part_pump)
        pump, motor = self.part_pump.id, self.part_motor.id
        self.assertEqual(counts().get(pump, 0) - before.get(pump, 0), 2)
        pump_2.write({"component_id": self.part_motor.id, "note": "It was the motor."})
        self.assertEqual(counts().get(pump, 0) - before.get(pump, 0), 1)
        self.assertEqual(counts().get(motor, 0) - before.get(motor, 0), 1)
        pump_1.note = "No key changed: the counts stay."
        self.assertEqual(counts().get(pump, 0) - before.get(pump, 0), 1)
        (pump_1 | pump_2).unlink()
        self.assertEqual(counts(), before)
        # Every grouping adds up to the defects.
        self.env.flush_all()
        total = sum(
            g["failures"]
            for g in Report.read_group([("row_type", "=", "failure")], ["failures:sum"], [])
        )
        self.assertEqual(total, self.Defect.search_count([]))
