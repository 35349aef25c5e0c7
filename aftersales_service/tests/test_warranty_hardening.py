"""Warranty hardening (issues #10 points 10 and 12, #11 warranty part): replacement units,
ownership transfers, who may register, void and configure, bounded values, RPC-shaped input
and the portal."""

from dateutil.relativedelta import relativedelta
from psycopg2 import IntegrityError

from odoo import Command
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import new_test_user, tagged
from odoo.tools import mute_logger

from .test_warranty import WarrantyCommon


class HardeningCommon(WarrantyCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # Transferable legal guarantee (half of parts and labor) and a non-transferable
        # 10-year motor warranty (all parts): the best coverage differs per owner.
        cls.term_legal = cls._create_warranty_term(
            parts_coverage=50.0, labor_coverage=50.0, logistics_coverage=0.0
        )
        cls.term_motor = cls._create_warranty_term(
            "Motor 10 Years",
            kind="component",
            duration=10,
            labor_coverage=0.0,
            logistics_coverage=0.0,
            transferable=False,
        )
        cls.portal_ru = new_test_user(
            cls.env, login="as_hard_portal_ru", groups="base.group_portal", name="Ivan Portal"
        )
        cls.customer_ru.is_company = True
        cls.portal_ru.partner_id.parent_id = cls.customer_ru

    def _snapshot(self, records, fields):
        return records.sudo().read(fields)


@tagged("post_install", "-at_install")
class TestWarrantyReplacement(HardeningCommon):
    def test_replacement_starts_at_handover_not_invoice(self):
        """Law 2300-1 art. 21 p. 3: the replacement's warranty runs from its handover, even on
        a term counted from the invoice, although its delivery is linked to the old sale line
        (the host's exchange does so) whose invoice is a year old."""
        term = self._create_warranty_term("Invoice-based 2 Years", start_basis="invoice")
        order, lot_old = self._sell_and_deliver(self.customer_ru, serials=("RP-OLD",))
        invoice = order._create_invoices()
        invoice.invoice_date = self.today - relativedelta(days=200)
        invoice.action_post()
        old_layer = self._layers(lot_old).filtered(lambda w: w.term_id == term)
        self.assertEqual(old_layer.date_start, self.today, "sold unit: delivery (no invoice yet)")

        lot_new = self._create_lots(self.product_unit, ["RP-NEW"])
        self._add_stock(self.product_unit, 1, lot=lot_new)
        customer_location = self.customer_location
        replacement = self.env["stock.picking"].create(
            {
                "picking_type_id": self.warehouse.out_type_id.id,
                "partner_id": self.customer_ru.id,
                "location_id": self.stock_location.id,
                "location_dest_id": customer_location.id,
                "aftersales_purpose": "replacement",
                "move_ids": [
                    Command.create(
                        {
                            "name": "Replacement",
                            "product_id": self.product_unit.id,
                            "product_uom_qty": 1,
                            "product_uom": self.product_unit.uom_id.id,
                            "location_id": self.stock_location.id,
                            "location_dest_id": customer_location.id,
                            "sale_line_id": order.order_line.id,
                        }
                    )
                ],
            }
        )
        replacement.action_confirm()
        self._deliver(replacement, lots=lot_new)
        self.assertEqual(replacement.state, "done")
        new_layers = self._layers(lot_new)
        self.assertEqual(new_layers.term_id, term | self.term_legal | self.term_motor)
        handover = new_layers.move_id.date.date()
        for layer in new_layers:
            with self.subTest(term=layer.term_id.name):
                self.assertEqual(layer.date_start, handover)
                self.assertNotEqual(layer.date_start, invoice.invoice_date)
        self.assertEqual(
            new_layers.filtered(lambda w: w.term_id == term).date_end,
            handover + relativedelta(years=2),
        )


@tagged("post_install", "-at_install")
class TestWarrantyOwnership(HardeningCommon):
    def test_transfer_new_owner_gets_transferable_coverage_only(self):
        _order, lot = self._sell_and_deliver(self.customer_ru, serials=("OW-1",))
        before = lot.aftersales_get_coverage()
        self.assertEqual((before["parts"], before["labor"]), (100.0, 50.0))
        self.assertEqual(lot.aftersales_owner_id, self.customer_ru)

        moved = lot.with_user(self.frontdesk).aftersales_transfer(self.customer_eu)
        self.assertEqual(moved.term_id, self.term_legal)
        lot.invalidate_recordset()
        # The serial shows the new owner, although the old owner's motor layer ends later.
        self.assertEqual(lot.aftersales_owner_id, self.customer_eu)
        self.assertEqual(
            self.env["stock.lot"].search([("aftersales_owner_id", "=", self.customer_eu.id)]),
            lot,
        )
        self.assertFalse(
            self.env["stock.lot"].search([("aftersales_owner_id", "=", self.customer_ru.id)])
        )
        # The new owner's coverage: the transferable layer only (50 %, not the motor's 100 %).
        after = lot.aftersales_get_coverage()
        self.assertEqual(set(after), set(before), "same keys as before")
        self.assertEqual(after["warranty_ids"].term_id, self.term_legal)
        self.assertEqual((after["parts"], after["labor"], after["logistics"]), (50.0, 50.0, 0.0))
        self.assertEqual(after["date_end"], self.today + relativedelta(years=2))
        self.assertEqual(lot.aftersales_parts_coverage, 50.0)
        self.assertEqual(lot.aftersales_labor_coverage, 50.0)
        # The old owner keeps the motor layer (history, and his claim rights).
        motor = self._layers(lot).filtered(lambda w: w.term_id == self.term_motor)
        self.assertEqual(motor.partner_id, self.customer_ru)
        self.assertEqual(motor.state, "active")
        # A claim of the new owner takes the new owner's coverage.
        claim = self._create_claim(self.customer_eu, lot=lot)
        self.assertEqual(claim.parts_coverage, 50.0)
        # A claim registered from the serial alone proposes the new owner.
        claim_from_serial = self.env["aftersales.claim"].create(
            {"lot_id": lot.id, "request": "repair", "channel": "counter"}
        )
        self.assertEqual(claim_from_serial.partner_id, self.customer_eu)

    def test_transfer_takes_rpc_values(self):
        _order, lot = self._sell_and_deliver(self.customer_ru, serials=("OW-2",))
        layers = self._layers(lot)
        before = self._snapshot(layers, ["partner_id", "state"])
        for bad in ("abc", [self.customer_eu.id], 10**9, -1, 0, False, None, 1.5):
            with self.subTest(partner=bad), self.assertRaises(UserError):
                lot.aftersales_transfer(bad)
        self.assertEqual(self._snapshot(layers, ["partner_id", "state"]), before)
        # A record still works, as before.
        self.assertEqual(lot.aftersales_transfer(self.customer_eu).term_id, self.term_legal)

    def test_coverage_of_several_serials(self):
        _order, lots = self._sell_and_deliver(self.customer_ru, serials=("CV-1", "CV-2"))
        bare = self._create_lots(self.product_unit, ["CV-3"])
        single = lots[0].aftersales_get_coverage()
        self.assertEqual(
            set(single),
            {"in_warranty", "parts", "labor", "logistics", "date_end", "warranty_ids"},
        )
        lots[1].aftersales_transfer(self.customer_eu)
        all_lots = lots | bare
        with self.assertQueryCount(3):
            result = all_lots.aftersales_get_coverage()
        self.assertEqual(set(result), set(all_lots.ids))
        self.assertEqual(result[lots[0].id]["parts"], 100.0)
        self.assertEqual(result[lots[1].id]["parts"], 50.0, "transferred: new owner's only")
        self.assertFalse(result[bare.id]["in_warranty"])
        self.assertEqual(result[lots[0].id], single)
        self.assertEqual(self.env["stock.lot"].aftersales_get_coverage(), {})


@tagged("post_install", "-at_install")
class TestWarrantyManagerOnly(HardeningCommon):
    def test_golive_registration_for_managers_only(self):
        _order, lots = self._sell_and_deliver(self.customer_ru, serials=("GL-1",))
        term = self._create_warranty_term("Late Term", kind="manufacturer")
        for user in (self.frontdesk, self.technician, self.plain_user, self.portal_ru):
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                self.Warranty.with_user(user).register_past_deliveries()
        self.assertFalse(self._layers(lots).filtered(lambda w: w.term_id == term))
        created = self.Warranty.with_user(self.manager).register_past_deliveries()
        self.assertEqual(created.term_id, term)
        self.assertEqual(created.lot_id, lots)

    def test_void_for_managers_only_and_never_revived(self):
        _order, lot = self._sell_and_deliver(self.customer_ru, serials=("VD-1",))
        layer = self._layers(lot).filtered(lambda w: w.term_id == self.term_legal)
        for user in (self.frontdesk, self.technician, self.portal_ru):
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                layer.with_user(user).action_void("mistake")
        with self.assertRaises(AccessError):
            layer.with_user(self.frontdesk).write({"state": "void"})
        self.assertEqual(layer.state, "active")

        layer.with_user(self.manager).action_void("Registered in error")
        self.assertEqual(layer.state, "void")
        for state in ("active", "expired"):
            with self.subTest(state=state), self.assertRaises(UserError):
                layer.with_user(self.manager).write({"state": state})
        with self.assertRaises(UserError):
            layer.write({"state": "active"})  # not even the superuser
        # Re-running the go-live does not register the same delivery again.
        self.assertFalse(self.Warranty.with_user(self.manager).register_past_deliveries())
        self.assertEqual(len(self._layers(lot)), 2)
        self.assertEqual(layer.state, "void")
        self.assertEqual(layer.void_reason, "Registered in error")


@tagged("post_install", "-at_install")
class TestWarrantySharedConfiguration(HardeningCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company_b = cls.env["res.company"].create({"name": "After-Sales Second Company"})
        cls.manager_b = new_test_user(
            cls.env,
            login="as_hard_manager_b",
            groups="aftersales_service.group_aftersales_manager",
            company_id=cls.company_b.id,
            company_ids=[Command.set(cls.company_b.ids)],
        )
        cls.manager_all = new_test_user(
            cls.env,
            login="as_hard_manager_all",
            groups="aftersales_service.group_aftersales_manager",
            company_ids=[Command.set(cls.env["res.company"].search([]).ids)],
        )
        # A system administrator who is after-sales manager of the first company only.
        cls.sysadmin = new_test_user(
            cls.env,
            login="as_hard_system",
            groups="base.group_system,aftersales_service.group_aftersales_manager",
            name="Admin",
        )
        cls.shared_term = cls._create_warranty_term("Shared Legal", company_id=False)
        cls.shared_rule = cls.env.ref("aftersales_service.legal_rule_ru_repair")

    def test_second_company_manager_cannot_rewrite_shared_law(self):
        self.assertFalse(self.shared_rule.company_id)
        term_before = self._snapshot(self.shared_term, ["duration", "company_id", "active"])
        rule_before = self._snapshot(self.shared_rule, ["resolution_days", "company_id"])
        for user in (self.manager_b, self.manager):
            with self.subTest(user=user.login):
                with self.assertRaises(AccessError):
                    self.shared_term.with_user(user).write({"duration": 1})
                with self.assertRaises(AccessError):
                    self.shared_rule.with_user(user).write({"resolution_days": 90})
                with self.assertRaises(AccessError):
                    self.shared_rule.with_user(user).unlink()
                with self.assertRaises(AccessError):
                    self.env["aftersales.legal.rule"].with_user(user).create(
                        {"name": "Shared by one", "request": "refund", "resolution_days": 1}
                    )
                with self.assertRaises(AccessError):
                    self.env["aftersales.warranty.term"].with_user(user).create(
                        {"name": "Shared by one", "company_id": False}
                    )
        # Nor make its own term shared.
        own = self.env["aftersales.warranty.term"].with_user(self.manager).create({"name": "Own"})
        self.assertEqual(own.company_id, self.company)
        with self.assertRaises(AccessError):
            own.with_user(self.manager).write({"company_id": False})
        self.assertEqual(own.company_id, self.company)
        self.assertEqual(self._snapshot(self.shared_term, list(term_before[0])[1:]), term_before)
        self.assertEqual(self._snapshot(self.shared_rule, list(rule_before[0])[1:]), rule_before)
        # Company-bound configuration stays with its company's managers.
        rule_b = (
            self.env["aftersales.legal.rule"]
            .with_user(self.manager_b)
            .create(
                {
                    "name": "B refund",
                    "request": "refund",
                    "resolution_days": 5,
                    "company_id": self.company_b.id,
                }
            )
        )
        rule_b.with_user(self.manager_b).write({"resolution_days": 6})
        with self.assertRaises(AccessError):
            rule_b.with_user(self.manager).write({"resolution_days": 60})
        self.assertEqual(rule_b.resolution_days, 6)
        # A manager of every company, or a system administrator, may change shared law.
        self.shared_rule.with_user(self.manager_all).write({"resolution_days": 40})
        self.shared_term.with_user(self.sysadmin).write({"duration": 3})
        self.assertEqual(self.shared_rule.resolution_days, 40)
        self.assertEqual(self.shared_term.duration, 3)


@tagged("post_install", "-at_install")
class TestWarrantyBounds(HardeningCommon):
    def test_term_duration_bounded(self):
        Term = self.env["aftersales.warranty.term"].with_user(self.manager)
        for duration, unit in ((101, "year"), (1201, "month"), (36501, "day"), (20000, "year")):
            with self.subTest(duration=duration, unit=unit), self.assertRaises(ValidationError):
                Term.create({"name": "Too long", "duration": duration, "duration_unit": unit})
        for duration, unit in ((100, "year"), (1200, "month"), (36500, "day")):
            with self.subTest(duration=duration, unit=unit):
                Term.create({"name": "Longest", "duration": duration, "duration_unit": unit})
        term = Term.create({"name": "Months", "duration": 1200, "duration_unit": "month"})
        with self.assertRaises(ValidationError):
            term.write({"duration_unit": "year"})  # 1200 years
        with self.assertRaises(ValidationError):
            term.write({"duration": "abc"})
        self.assertEqual((term.duration, term.duration_unit), (1200, "month"))
        # A product with the longest term still delivers.
        term.product_tmpl_ids = self.product_unit.product_tmpl_id
        _order, lot = self._sell_and_deliver(self.customer_ru, serials=("BD-1",))
        layer = self._layers(lot).filtered(lambda w: w.term_id == term)
        self.assertEqual(layer.date_end, layer.date_start + relativedelta(months=1200))

    def test_legal_rule_bounded(self):
        rule = self.env["aftersales.legal.rule"].create(
            {"name": "Bounded", "request": "refund", "company_id": self.company.id}
        )
        Rule = self.env["aftersales.legal.rule"].with_user(self.manager)
        for vals in (
            {"response_days": 3651},
            {"resolution_days": 10**6},
            {"loaner_within_days": 3651},
            {"resolution_days": -1},
            {"penalty_rate": 100.01},
            {"penalty_rate": -0.5},
        ):
            with self.subTest(vals=vals):
                with self.assertRaises(ValidationError):
                    rule.with_user(self.manager).write(vals)
                with self.assertRaises(ValidationError):
                    Rule.create(
                        {"name": "Bad", "request": "repair", "company_id": self.company.id, **vals}
                    )
        rule.with_user(self.manager).write({"resolution_days": 3650, "penalty_rate": 100.0})
        self.assertEqual((rule.resolution_days, rule.penalty_rate), (3650, 100.0))

    def test_layer_values_bounded(self):
        _order, lot = self._sell_and_deliver(self.customer_ru, serials=("BD-2",))
        layer = self._layers(lot).filtered(lambda w: w.term_id == self.term_legal)
        fields = ["parts_coverage", "labor_coverage", "downtime_days", "date_end", "duration"]
        before = self._snapshot(layer, fields)
        for vals in (
            {"parts_coverage": 101.0},
            {"labor_coverage": -1.0},
            {"logistics_coverage": 1000.0},
            {"downtime_days": -3},
            {"duration": -5},
            {"duration": 10**6},
            {"duration": 0},
            {"duration_unit": "week"},
        ):
            with self.subTest(vals=vals), self.assertRaises(ValidationError):
                layer.with_user(self.manager).write(vals)
        with self.assertRaises(ValidationError):
            self.Warranty.with_user(self.manager).create(
                {
                    "lot_id": self._create_lots(self.product_unit, ["BD-3"]).id,
                    "term_id": self.term_legal.id,
                    "partner_id": self.customer_ru.id,
                    "parts_coverage": 150.0,
                }
            )
        with self.assertRaises(ValidationError):
            layer.add_downtime(-1)
        with self.assertRaises(ValidationError):
            layer.add_downtime("7")
        self.assertEqual(self._snapshot(layer, fields), before)

    @mute_logger("odoo.sql_db")
    def test_sql_checks_back_the_python_constraints(self):
        _order, lot = self._sell_and_deliver(self.customer_ru, serials=("BD-4",))
        layer = self._layers(lot)[:1]
        rule = self.env.ref("aftersales_service.legal_rule_ru_repair")
        statements = [
            ("aftersales_warranty_term", "duration = 101, duration_unit = 'year'", self.term_legal),
            ("aftersales_legal_rule", "resolution_days = 3651", rule),
            ("aftersales_legal_rule", "penalty_rate = 101", rule),
            ("aftersales_warranty", "parts_coverage = 101", layer),
            ("aftersales_warranty", "downtime_days = -1", layer),
            ("aftersales_warranty", "date_end = date_start - 1", layer),
            ("aftersales_warranty", "duration = 1201, duration_unit = 'month'", layer),
        ]
        self.env.flush_all()
        for table, assignment, record in statements:
            with (
                self.subTest(table=table, sql=assignment),
                self.assertRaises(IntegrityError),
                self.env.cr.savepoint(),
            ):
                self.env.cr.execute(
                    f"UPDATE {table} SET {assignment} WHERE id = %s",
                    [record.id],
                )


@tagged("post_install", "-at_install")
class TestWarrantyPortal(HardeningCommon):
    def test_portal_reads_own_serial_and_warranty_pages(self):
        _order, lot = self._sell_and_deliver(self.customer_ru, serials=("PT-1",))
        _order_eu, lot_eu = self._sell_and_deliver(self.customer_eu, serials=("PT-2",))
        layers = self._layers(lot)
        # The warranty page: every field of the layers, their chatter.
        values = layers.with_user(self.portal_ru).read()
        self.assertEqual({v["lot_id"][1] for v in values}, {"PT-1"})
        self.assertTrue(layers[0].with_user(self.portal_ru).message_ids.ids is not None)
        # The serial page: the serial and its warranty summary.
        portal_lot = lot.with_user(self.portal_ru)
        data = portal_lot.read(
            [
                "name",
                "product_id",
                "aftersales_warranty_ids",
                "aftersales_warranty_count",
                "aftersales_in_warranty",
                "aftersales_warranty_date_end",
                "aftersales_owner_id",
                "aftersales_parts_coverage",
                "aftersales_labor_coverage",
                "aftersales_logistics_coverage",
            ]
        )[0]
        self.assertEqual(data["name"], "PT-1")
        self.assertEqual(data["aftersales_owner_id"][0], self.customer_ru.id)
        self.assertEqual(set(data["aftersales_warranty_ids"]), set(layers.ids))
        self.assertTrue(data["aftersales_in_warranty"])
        self.assertEqual(portal_lot.aftersales_get_coverage()["parts"], 100.0)
        self.assertEqual(self.env["stock.lot"].with_user(self.portal_ru).search([]), lot)
        # Not someone else's serial, and nothing written.
        with self.assertRaises(AccessError):
            lot_eu.with_user(self.portal_ru).read(["name"])
        with self.assertRaises(AccessError):
            portal_lot.write({"name": "X"})
        with self.assertRaises(AccessError):
            layers.with_user(self.portal_ru).write({"note": "X"})
