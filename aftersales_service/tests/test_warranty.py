from dateutil.relativedelta import relativedelta
from psycopg2 import IntegrityError

from odoo import Command, fields
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, new_test_user, tagged
from odoo.tools import mute_logger

from .common import AftersalesCommon


class WarrantyCommon(AftersalesCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Term = cls.env["aftersales.warranty.term"]
        cls.Warranty = cls.env["aftersales.warranty"]
        cls.today = fields.Date.context_today(cls.Warranty)
        cls.product_ext = cls.env["product.product"].create(
            {"name": "Extended Warranty +1 Year", "type": "service", "list_price": 150.0}
        )

    @classmethod
    def _create_unit(cls, name, categ):
        return cls.env["product.product"].create(
            {
                "name": name,
                "type": "consu",
                "is_storable": True,
                "tracking": "serial",
                "categ_id": categ.id,
                "list_price": 800.0,
                "standard_price": 500.0,
            }
        )

    @classmethod
    def _return(cls, picking, lots, to_refund=True):
        """Return ``lots`` of a done delivery with the host's return wizard and validate it."""
        wizard = (
            cls.env["stock.return.picking"]
            .with_context(active_id=picking.id, active_model="stock.picking")
            .create({"picking_id": picking.id})
        )
        for line in wizard.product_return_moves:
            line.quantity = len(lots.filtered(lambda lot, ln=line: lot.product_id == ln.product_id))
            line.to_refund = to_refund
        action = wizard.action_create_returns()
        return_picking = cls.env["stock.picking"].browse(action["res_id"])
        cls._deliver(return_picking, lots=lots)
        return return_picking

    def _layers(self, lots):
        return self.Warranty.search([("lot_id", "in", lots.ids)])


@tagged("post_install", "-at_install")
class TestWarrantyTerm(WarrantyCommon):
    def test_term_form_creation(self):
        """A manager defines terms through the form; an extended term needs its product."""
        term_form = Form(self.Term.with_user(self.manager))
        term_form.name = "Manufacturer 3 Years"
        term_form.kind = "manufacturer"
        term_form.duration = 3
        term_form.duration_unit = "year"
        term_form.labor_coverage = 50
        term_form.categ_ids.add(self.categ_units)
        term = term_form.save()
        self.assertEqual(term.start_basis, "delivery")
        self.assertTrue(term.transferable)
        self.assertEqual((term.parts_coverage, term.labor_coverage), (100.0, 50.0))
        self.assertIn(term, self.product_unit.aftersales_applicable_term_ids)

        ext_form = Form(self.Term.with_user(self.manager))
        ext_form.name = "Extended +1"
        ext_form.kind = "extended"
        ext_form.duration = 1
        ext_form.extension_product_id = self.product_ext
        ext = ext_form.save()
        self.assertEqual(ext.extension_start, "after_base")

    def test_term_bad_input_nothing_written(self):
        count = self.Term.search_count([])
        bad_values = [
            {"duration": 0},
            {"duration": -3},
            {"parts_coverage": 101},
            {"labor_coverage": -1},
            {"logistics_coverage": 150},
            {"kind": "extended"},
        ]
        for vals in bad_values:
            with self.subTest(vals=vals), self.assertRaises(ValidationError):
                self._create_warranty_term(name="Bad", **vals)
        self.assertEqual(self.Term.search_count([]), count)
        term = self._create_warranty_term()
        with self.assertRaises(ValidationError):
            term.write({"duration": 0})
        self.assertEqual(term.duration, 2)
        with self.assertRaises(ValidationError), Form(self.Term.with_user(self.manager)) as form:
            form.name = "No extension product"
            form.kind = "manufacturer"
            form.duration = -1

    def test_terms_inherited_from_category_and_parents(self):
        child = self.env["product.category"].create(
            {"name": "Front loaders", "parent_id": self.categ_units.id}
        )
        product = self._create_unit("Front loader FL-1", child)
        on_parent = self._create_warranty_term(
            "Parent category", product_tmpl_ids=[], categ_ids=[Command.link(self.categ_units.id)]
        )
        on_child = self._create_warranty_term(
            "Child category",
            kind="component",
            product_tmpl_ids=[],
            categ_ids=[Command.link(child.id)],
        )
        on_product = self._create_warranty_term(
            "Product",
            kind="manufacturer",
            product_tmpl_ids=[Command.link(product.product_tmpl_id.id)],
        )
        other = self._create_warranty_term("Other product", kind="manufacturer")
        company_b = self.env["res.company"].create({"name": "Other Co"})
        other_company = self._create_warranty_term(
            "Other company",
            product_tmpl_ids=[],
            categ_ids=[Command.link(self.categ_units.id)],
            company_id=company_b.id,
        )
        expected = on_parent | on_child | on_product
        self.assertEqual(product.aftersales_applicable_term_ids & (expected | other), expected)
        terms = self.Term._get_terms_by_product(product, self.company)[product]
        self.assertEqual(terms, expected)
        self.assertNotIn(other_company, terms)
        # The Warranty tab of the product form lists them.
        with Form(product.product_tmpl_id.with_user(self.manager)) as form:
            self.assertEqual(
                set(form.aftersales_applicable_term_ids.ids) & set(expected.ids), set(expected.ids)
            )


@tagged("post_install", "-at_install")
class TestWarrantyRegistration(WarrantyCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.term_legal = cls._create_warranty_term(extend_by_downtime=True)
        cls.term_motor = cls._create_warranty_term(
            "Motor 10 Years",
            kind="component",
            duration=10,
            labor_coverage=0.0,
            logistics_coverage=0.0,
            transferable=False,
            product_tmpl_ids=[],
            categ_ids=[Command.link(cls.categ_units.id)],
        )
        cls.term_ext = cls._create_warranty_term(
            "Extended +1 Year",
            kind="extended",
            duration=1,
            logistics_coverage=50.0,
            product_tmpl_ids=[],
            extension_product_id=cls.product_ext.id,
        )

    def test_delivery_date_on_the_company_calendar(self):
        """A warranty starts on the day of handover where the company counts the days of its
        claims (the claims' clock), not on the calendar of whoever validates the delivery:
        20:00 UTC on 10 March is 11 March in Vladivostok and still 10 March in Los Angeles."""
        product = self.env["product.product"].create(
            {
                "name": "Heater TZ-1",
                "is_storable": True,
                "tracking": "serial",
                "categ_id": self.categ_parts.id,
            }
        )
        order, lots = self._sell_and_deliver(self.customer_ru, product=product, serials=("TZ-1",))
        self.assertFalse(self._layers(lots))  # no term yet
        term = self._create_warranty_term(
            "Heater 1 Year", duration=1, product_tmpl_ids=[Command.link(product.product_tmpl_id.id)]
        )
        self.company.partner_id.tz = "Asia/Vladivostok"
        move = order.picking_ids.move_ids
        move.date = "2026-03-10 20:00:00"
        self.env["aftersales.warranty"].with_context(tz="America/Los_Angeles")._register_from_moves(
            move
        )
        layer = self._layers(lots)
        self.assertEqual(layer.term_id, term)
        self.assertEqual(layer.date_start, fields.Date.to_date("2026-03-11"))

    def test_delivery_registers_one_layer_per_term_and_serial(self):
        order, lots = self._sell_and_deliver(self.customer_ru, serials=("W-1", "W-2", "W-3"))
        layers = self._layers(lots)
        self.assertEqual(len(layers), 6)
        self.assertEqual(layers.term_id, self.term_legal | self.term_motor)
        move = order.picking_ids.move_ids
        start = fields.Date.context_today(self.Warranty, move.date)
        for layer in layers:
            self.assertEqual(layer.state, "active")
            self.assertEqual(layer.partner_id, self.customer_ru)
            self.assertEqual(layer.product_id, self.product_unit)
            self.assertEqual(layer.company_id, self.company)
            self.assertEqual(layer.move_id, move)
            self.assertEqual(layer.sale_line_id, order.order_line)
            self.assertEqual(layer.date_start, start)
        legal = layers.filtered(lambda w: w.term_id == self.term_legal)
        motor = layers.filtered(lambda w: w.term_id == self.term_motor)
        self.assertEqual(set(legal.mapped("date_end")), {start + relativedelta(years=2)})
        self.assertEqual(set(motor.mapped("date_end")), {start + relativedelta(years=10)})
        self.assertEqual(set(motor.mapped("labor_coverage")), {0.0})
        self.assertEqual(set(legal.mapped("kind")), {"legal"})
        # Coverage was copied: editing the term later does not change what was sold.
        self.term_legal.parts_coverage = 40.0
        self.assertEqual(set(legal.mapped("parts_coverage")), {100.0})
        # The serial shows its status for the front desk.
        lot = lots[0]
        self.assertTrue(lot.aftersales_in_warranty)
        self.assertEqual(lot.aftersales_owner_id, self.customer_ru)
        self.assertEqual(lot.aftersales_warranty_date_end, start + relativedelta(years=10))
        self.assertEqual(lot.aftersales_warranty_count, 2)
        self.assertIn(lot, self.env["stock.lot"].search([("aftersales_in_warranty", "=", True)]))
        self.assertIn(
            lot, self.env["stock.lot"].search([("aftersales_owner_id", "=", self.customer_ru.id)])
        )
        action = lot.action_aftersales_warranty_status()
        self.assertEqual(self.Warranty.search(action["domain"]), lot.aftersales_warranty_ids)

    def test_no_layers_without_terms_or_serials(self):
        product = self._create_unit("Boiler", self.categ_parts)
        _order, lots = self._sell_and_deliver(self.customer_ru, product=product, serials=("NT-1",))
        self.assertFalse(self._layers(lots))
        self._add_stock(self.part_pump, 5)
        order = self._sell(self.customer_ru, [(self.part_pump, 2)])
        self._deliver(order.picking_ids, qty=2)
        self.assertFalse(self.Warranty.search([("product_id", "=", self.part_pump.id)]))

    def test_delivery_without_sale_order(self):
        """A delivery made directly in Inventory: the picking's partner owns the warranty."""
        lots = self._create_lots(self.product_unit, ["NS-1"])
        self._add_stock(self.product_unit, 1, lot=lots)
        picking = self.env["stock.picking"].create(
            {
                "picking_type_id": self.warehouse.out_type_id.id,
                "partner_id": self.customer_eu.id,
                "location_id": self.stock_location.id,
                "location_dest_id": self.customer_location.id,
                "move_ids": [
                    Command.create(
                        {
                            "name": "Direct delivery",
                            "product_id": self.product_unit.id,
                            "product_uom_qty": 1,
                            "product_uom": self.product_unit.uom_id.id,
                            "location_id": self.stock_location.id,
                            "location_dest_id": self.customer_location.id,
                        }
                    )
                ],
            }
        )
        picking.action_confirm()
        self._deliver(picking, lots=lots)
        layers = self._layers(lots)
        self.assertEqual(len(layers), 2)
        self.assertEqual(layers.partner_id, self.customer_eu)
        self.assertFalse(layers.sale_line_id)
        self.assertEqual(layers.move_id, picking.move_ids)

    def test_partial_delivery_then_backorder(self):
        lots = self._create_lots(self.product_unit, ["P-1", "P-2", "P-3"])
        for lot in lots:
            self._add_stock(self.product_unit, 1, lot=lot)
        order = self._sell(self.customer_eu, [(self.product_unit, 3)])
        self._deliver(order.picking_ids, lots=lots[:2])
        self.assertEqual(len(self._layers(lots)), 4)
        self.assertFalse(self._layers(lots[2]))
        backorder = order.picking_ids.filtered(lambda p: p.state not in ("done", "cancel"))
        self.assertEqual(len(backorder), 1)
        self._deliver(backorder, lots=lots[2])
        self.assertEqual(len(self._layers(lots[2])), 2)
        self.assertEqual(self._layers(lots[2]).move_id.picking_id, backorder)
        self.assertEqual(len(self._layers(lots)), 6)

    def test_extended_warranty_starts_after_base(self):
        order, lots = self._sell_and_deliver(
            self.customer_ru, serials=("E-1", "E-2"), extra_lines=[(self.product_ext, 1)]
        )
        ext = self._layers(lots).filtered(lambda w: w.kind == "extended")
        self.assertEqual(len(ext), 1, "one extended warranty sold covers one unit")
        legal = self._layers(ext.lot_id).filtered(lambda w: w.term_id == self.term_legal)
        self.assertEqual(ext.date_start, legal.date_end + relativedelta(days=1))
        self.assertEqual(ext.date_end, ext.date_start + relativedelta(years=1))
        self.assertEqual(ext.sale_line_id.product_id, self.product_ext)
        self.assertEqual(ext.sale_line_id.order_id, order)
        # 9 days in service: the base warranty ends later and the extension follows it; the
        # extension itself (not started) is not extended twice.
        lot_layers = self._layers(ext.lot_id)
        ext_end = ext.date_end
        running = lot_layers.add_downtime(9)
        self.assertNotIn(ext, running)
        self.assertEqual(ext.date_start, legal.date_end + relativedelta(days=1))
        self.assertEqual(ext.date_end, ext_end + relativedelta(days=9))
        self.assertEqual(ext.downtime_days, 0)
        coverage = ext.lot_id.aftersales_get_coverage(ext.date_start + relativedelta(days=10))
        self.assertEqual(coverage["logistics"], 50.0)
        self.assertEqual(
            coverage["warranty_ids"],
            ext | self._layers(ext.lot_id).filtered(lambda w: w.kind == "component"),
        )
        # "On the start basis": the extension runs from delivery like the others.
        self.term_ext.extension_start = "basis"
        _order, lots2 = self._sell_and_deliver(
            self.customer_ru, serials=("E-3",), extra_lines=[(self.product_ext, 1)]
        )
        ext2 = self._layers(lots2).filtered(lambda w: w.kind == "extended")
        self.assertEqual(
            ext2.date_start, self._layers(lots2).filtered(lambda w: w.kind == "legal").date_start
        )

    def test_invoice_start_basis(self):
        self.term_legal.start_basis = "invoice"
        self.product_unit.invoice_policy = "order"
        lots = self._create_lots(self.product_unit, ["INV-1"])
        self._add_stock(self.product_unit, 1, lot=lots)
        order = self._sell(self.customer_ru, [(self.product_unit, 1)])
        invoice = order._create_invoices()
        invoice.invoice_date = self.today - relativedelta(days=5)
        invoice.action_post()
        self._deliver(order.picking_ids, lots=lots)
        legal = self._layers(lots).filtered(lambda w: w.term_id == self.term_legal)
        motor = self._layers(lots).filtered(lambda w: w.term_id == self.term_motor)
        self.assertEqual(legal.date_start, self.today - relativedelta(days=5))
        self.assertEqual(
            motor.date_start, fields.Date.context_today(self.Warranty, order.picking_ids.date_done)
        )

    def test_refund_return_voids_repair_return_keeps(self):
        order, lots = self._sell_and_deliver(self.customer_ru, serials=("R-1", "R-2", "R-3"))
        delivery = order.picking_ids
        # Return for repair (no refund): layers stay.
        self._return(delivery, lots[0], to_refund=False)
        self.assertEqual(set(self._layers(lots[0]).mapped("state")), {"active"})
        # Refund return: the returned serial's layers are voided, the others untouched.
        self._return(delivery, lots[2], to_refund=True)
        voided = self._layers(lots[2])
        self.assertEqual(len(voided), 2)
        self.assertEqual(set(voided.mapped("state")), {"void"})
        self.assertTrue(all(voided.mapped("void_reason")))
        self.assertFalse(lots[2].aftersales_in_warranty)
        self.assertEqual(set(self._layers(lots[:2]).mapped("state")), {"active"})
        # Sold again: fresh layers, the void ones stay as history.
        order2 = self._sell(self.customer_eu, [(self.product_unit, 1)])
        self._deliver(order2.picking_ids, lots=lots[2])
        layers = self._layers(lots[2])
        self.assertEqual(len(layers), 4)
        self.assertEqual(
            layers.filtered(lambda w: w.state == "active").partner_id, self.customer_eu
        )

    def test_intake_picking_does_not_void(self):
        _order, lots = self._sell_and_deliver(self.customer_ru, serials=("IN-1",))
        intake = self.env["stock.picking"].create(
            {
                "picking_type_id": self.warehouse.in_type_id.id,
                "partner_id": self.customer_ru.id,
                "location_id": self.customer_location.id,
                "location_dest_id": self.stock_location.id,
                "aftersales_purpose": "intake",
                "move_ids": [
                    Command.create(
                        {
                            "name": "Unit intake",
                            "product_id": self.product_unit.id,
                            "product_uom_qty": 1,
                            "product_uom": self.product_unit.uom_id.id,
                            "location_id": self.customer_location.id,
                            "location_dest_id": self.stock_location.id,
                            "to_refund": True,
                        }
                    )
                ],
            }
        )
        intake.action_confirm()
        self._deliver(intake, lots=lots)
        self.assertEqual(intake.state, "done")
        self.assertEqual(set(self._layers(lots).mapped("state")), {"active"})

    def test_transfer_moves_transferable_layers(self):
        _order, lots = self._sell_and_deliver(self.customer_ru, serials=("T-1",))
        moved = lots.with_user(self.frontdesk).aftersales_transfer(self.customer_eu)
        self.assertEqual(moved.term_id, self.term_legal)
        layers = self._layers(lots)
        self.assertEqual(
            layers.filtered(lambda w: w.term_id == self.term_legal).partner_id, self.customer_eu
        )
        self.assertEqual(
            layers.filtered(lambda w: w.term_id == self.term_motor).partner_id, self.customer_ru
        )
        self.assertIn("transferred", lots.message_ids[0].body)
        with self.assertRaises(UserError):
            lots.aftersales_transfer(self.env["res.partner"])

    def test_installation_date_and_manual_layer_by_form(self):
        """Installation basis: the front desk sets the installation date, the end follows."""
        self.term_legal.start_basis = "installation"
        _order, lots = self._sell_and_deliver(self.customer_ru, serials=("F-1",))
        legal = self._layers(lots).filtered(lambda w: w.term_id == self.term_legal)
        installed = self.today + relativedelta(days=7)
        with Form(legal.with_user(self.frontdesk)) as form:
            form.date_start = installed
        self.assertEqual(legal.date_end, installed + relativedelta(years=2))
        # A unit sold outside Odoo: registered by hand on the form.
        outside = self._create_lots(self.product_unit, ["F-2"])
        form = Form(self.Warranty.with_user(self.frontdesk))
        form.lot_id = outside
        form.term_id = self.term_motor
        form.partner_id = self.customer_eu
        form.date_start = self.today - relativedelta(years=1)
        layer = form.save()
        self.assertEqual(layer.date_end, self.today + relativedelta(years=9))
        self.assertEqual((layer.parts_coverage, layer.labor_coverage), (100.0, 0.0))
        self.assertEqual(layer.state, "active")
        self.assertTrue(outside.aftersales_in_warranty)

    def test_downtime_pushes_end_date(self):
        _order, lots = self._sell_and_deliver(self.customer_ru, serials=("D-1",))
        layers = self._layers(lots)
        legal = layers.filtered(lambda w: w.term_id == self.term_legal)
        motor = layers - legal
        legal_end, motor_end = legal.date_end, motor.date_end
        layers.add_downtime(12)
        self.assertEqual(legal.date_end, legal_end + relativedelta(days=12))
        self.assertEqual(motor.date_end, motor_end, "the motor term does not extend by downtime")
        with self.assertRaises(UserError):
            layers.add_downtime(-1)
        self.assertEqual(legal.downtime_days, 12)

    def test_expiry_cron_and_void(self):
        _order, lots = self._sell_and_deliver(self.customer_ru, serials=("X-1",))
        legal = self._layers(lots).filtered(lambda w: w.term_id == self.term_legal)
        legal.date_start = self.today - relativedelta(years=3)
        self.assertEqual(legal.state, "expired", "moving the dates re-evaluates the state")
        self.env.cr.execute(
            "UPDATE aftersales_warranty SET state = 'active' WHERE id = %s", [legal.id]
        )
        legal.invalidate_recordset(["state"])
        self.Warranty._cron_update_state()
        self.assertEqual(legal.state, "expired")
        self.assertIn(legal, self.Warranty.search([("state", "=", "expired")]))
        # Never deleted, voided with history.
        with self.assertRaises(UserError):
            legal.unlink()
        legal.with_user(self.manager).action_void("Registered on the wrong serial")
        self.assertEqual(legal.state, "void")
        self.assertTrue(legal.exists())
        with self.assertRaises(UserError):
            legal.action_void()

    def test_expiring_soon_filter(self):
        _order, lots = self._sell_and_deliver(self.customer_ru, serials=("S-1", "S-2"))
        soon = self._layers(lots[0]).filtered(lambda w: w.term_id == self.term_legal)
        soon.date_start = self.today - relativedelta(years=2) + relativedelta(days=10)
        self.assertTrue(soon.is_expiring_soon)
        found = self.Warranty.search([("is_expiring_soon", "=", True), ("lot_id", "in", lots.ids)])
        self.assertEqual(found, soon)
        not_found = self.Warranty.search(
            [("is_expiring_soon", "=", False), ("lot_id", "in", lots.ids)]
        )
        self.assertEqual(not_found, self._layers(lots) - soon)

    def test_unique_index_enforced_by_database(self):
        _order, lots = self._sell_and_deliver(self.customer_ru, serials=("U-1",))
        legal = self._layers(lots).filtered(lambda w: w.term_id == self.term_legal)
        count = self.Warranty.search_count([])
        with self.assertRaises(ValidationError):
            self.Warranty.create(
                {
                    "lot_id": lots.id,
                    "term_id": self.term_legal.id,
                    "partner_id": self.customer_ru.id,
                }
            )
        self.assertEqual(self.Warranty.search_count([]), count)
        with mute_logger("odoo.sql_db"), self.assertRaises(IntegrityError), self.env.cr.savepoint():
            self.env.cr.execute(
                """INSERT INTO aftersales_warranty
                          (lot_id, term_id, company_id, date_start, date_end, state)
                   VALUES (%s, %s, %s, %s, %s, 'active')""",
                [lots.id, self.term_legal.id, self.company.id, self.today, self.today],
            )
        # Registering again (re-validation, go-live re-run) creates nothing.
        self.assertFalse(self.Warranty._register_from_moves(legal.move_id))
        # A concurrent registration that already inserted the layer: skipped, no error.
        vals = self.Warranty._prepare_warranty_vals(
            lots, self.term_legal, self.customer_ru, self.today, self.company, legal.move_id
        )
        self.assertFalse(self.Warranty._insert_layers([vals]))
        self.assertEqual(self.Warranty.search_count([]), count)
        # A voided layer is history: the serial may get a new one.
        legal.action_void()
        new = self.Warranty.create(
            {"lot_id": lots.id, "term_id": self.term_legal.id, "partner_id": self.customer_ru.id}
        )
        self.assertEqual(new.state, "active")

    def test_coverage_on_dates(self):
        _order, lots = self._sell_and_deliver(self.customer_ru, serials=("C-1",))
        lot = lots
        legal = self._layers(lot).filtered(lambda w: w.term_id == self.term_legal)
        motor = self._layers(lot) - legal
        before = lot.aftersales_get_coverage(legal.date_start - relativedelta(days=1))
        self.assertEqual(
            before,
            {
                "in_warranty": False,
                "parts": 0.0,
                "labor": 0.0,
                "logistics": 0.0,
                "date_end": False,
                "warranty_ids": self.Warranty,
            },
        )
        today = lot.aftersales_get_coverage()
        self.assertTrue(today["in_warranty"])
        self.assertEqual(
            (today["parts"], today["labor"], today["logistics"]), (100.0, 100.0, 100.0)
        )
        self.assertEqual(today["date_end"], motor.date_end)
        self.assertEqual(today["warranty_ids"], legal | motor)
        on_end = lot.aftersales_get_coverage(fields.Date.to_string(legal.date_end))
        self.assertEqual(on_end["warranty_ids"], legal | motor, "the end date is still covered")
        after_legal = lot.aftersales_get_coverage(legal.date_end + relativedelta(days=1))
        self.assertEqual((after_legal["parts"], after_legal["labor"]), (100.0, 0.0))
        self.assertEqual(after_legal["warranty_ids"], motor)
        after_all = lot.aftersales_get_coverage(motor.date_end + relativedelta(days=1))
        self.assertFalse(after_all["in_warranty"])
        legal.action_void()
        self.assertEqual(lot.aftersales_get_coverage()["warranty_ids"], motor)

    def test_coverage_query_budget(self):
        _order, lots = self._sell_and_deliver(self.customer_ru, serials=("Q-1",))
        lot = lots.with_user(self.frontdesk)
        lot.aftersales_get_coverage()  # warm the rule and access caches
        self.env.invalidate_all()
        with self.assertQueryCount(3):
            coverage = lot.aftersales_get_coverage()
            self.assertEqual(coverage["parts"], 100.0)
            self.assertEqual(coverage["date_end"].year, self.today.year + 10)

    def _deliver_many(self, product, n, prefix):
        """Sell and deliver ``n`` serials, stocked without valuation entries (fast)."""
        lots = self._create_lots(product, [f"{prefix}-{i}" for i in range(n)])
        for lot in lots:
            self.env["stock.quant"]._update_available_quantity(
                product, self.stock_location, 1, lot_id=lot
            )
        order = self._sell(self.customer_ru, [(product, n)])
        self._deliver(order.picking_ids, lots=lots)
        self.assertEqual(order.picking_ids.state, "done")
        return order.picking_ids, lots

    def test_registration_query_count_is_constant(self):
        """Registering 10 or 1000 serials costs the same queries, with and without terms."""
        product = self._create_unit("Dryer", self.categ_parts)
        pickings = {n: self._deliver_many(product, n, f"QC{n}") for n in (10, 1000)}
        self.assertFalse(self._layers(pickings[10][1] | pickings[1000][1]), "no term yet")
        counts = {}
        for with_terms in (False, True):
            if with_terms:
                self.term_legal.product_tmpl_ids = [Command.link(product.product_tmpl_id.id)]
                self.term_motor.product_tmpl_ids = [Command.link(product.product_tmpl_id.id)]
            for n, (picking, _lots) in pickings.items():
                self.env.flush_all()
                self.env.invalidate_all()
                start = self.env.cr.sql_log_count
                created = self.Warranty._register_from_moves(picking.move_ids)
                self.env.flush_all()
                counts[with_terms, n] = self.env.cr.sql_log_count - start
                self.assertEqual(len(created), 2 * n if with_terms else 0)
        self.assertEqual(counts[False, 10], counts[False, 1000], counts)
        self.assertEqual(counts[True, 10], counts[True, 1000], counts)
        # And the budget, stated: a handful of batched reads and one insert.
        self.assertLessEqual(counts[True, 1000] - counts[False, 1000], 8, counts)
        # The same through assertQueryCount: the 1000 serials sold again after a refund.
        picking, lots = pickings[1000]
        self.Warranty.search([("lot_id", "in", lots.ids)]).write({"state": "void"})
        self.env.invalidate_all()
        with self.assertQueryCount(counts[True, 10]):
            created = self.Warranty._register_from_moves(picking.move_ids)
        self.assertEqual(len(created), 2000)


@tagged("post_install", "-at_install")
class TestWarrantyGolive(WarrantyCommon):
    def test_register_past_deliveries_idempotent(self):
        # Deliveries made before any term existed (the addon was not configured yet).
        _order, lots = self._sell_and_deliver(self.customer_ru, serials=("G-1", "G-2", "G-3"))
        order_b, lots_b = self._sell_and_deliver(self.customer_eu, serials=("G-4",))
        self.assertFalse(self._layers(lots | lots_b))
        # G-4 was refunded before go-live: no warranty for it.
        self._return(order_b.picking_ids, lots_b, to_refund=True)
        # G-5 was refunded by one customer and sold again to another, then repaired (a
        # return for repair and the unit back): the last owner gets the warranty.
        order_c, lot_c = self._sell_and_deliver(self.customer_eu, serials=("G-5",))
        self._return(order_c.picking_ids, lot_c, to_refund=True)
        order_d = self._sell(self.customer_ru, [(self.product_unit, 1)])
        delivery_d = self._deliver(order_d.picking_ids, lots=lot_c)
        repair_in = self._return(delivery_d, lot_c, to_refund=False)
        repaired_back = self._return(repair_in, lot_c, to_refund=False)
        repaired_back.aftersales_purpose = "unit_return"
        term = self._create_warranty_term()
        form = Form(self.env["aftersales.warranty.golive"].with_user(self.manager))
        form.date_from = self.today - relativedelta(days=1)
        action = form.save().action_register()
        created = self.Warranty.search(action["domain"])
        self.assertEqual(len(created), 4)
        self.assertEqual(created.lot_id, lots | lot_c)
        self.assertEqual(created.term_id, term)
        self.assertEqual(set(created.mapped("partner_id")), {self.customer_ru})
        self.assertEqual(created.move_id.picking_id, _order.picking_ids | delivery_d)
        # Running it again creates nothing.
        self.assertFalse(self.Warranty.register_past_deliveries())
        self.assertEqual(len(self._layers(lots | lots_b | lot_c)), 4)
        # Deliveries before date_from are left out.
        self.assertFalse(self.Warranty.register_past_deliveries(self.today + relativedelta(days=1)))


@tagged("post_install", "-at_install")
class TestWarrantyAccess(WarrantyCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.term = cls._create_warranty_term(company_id=False)
        cls.order_ru, cls.lots_ru = cls._sell_and_deliver(cls.customer_ru, serials=("AC-1",))
        cls.order_eu, cls.lots_eu = cls._sell_and_deliver(cls.customer_eu, serials=("AC-2",))
        cls.layer_ru = cls.env["aftersales.warranty"].search([("lot_id", "=", cls.lots_ru.id)])
        cls.layer_eu = cls.env["aftersales.warranty"].search([("lot_id", "=", cls.lots_eu.id)])

    def test_technician_reads_only(self):
        layer = self.layer_ru.with_user(self.technician)
        self.assertEqual(layer.partner_id, self.customer_ru)
        self.assertTrue(
            self.lots_ru.with_user(self.technician).aftersales_get_coverage()["in_warranty"]
        )
        with self.assertRaises(AccessError):
            layer.write({"downtime_days": 3})
        with self.assertRaises(AccessError):
            layer.action_void()
        with self.assertRaises(AccessError):
            self.term.with_user(self.technician).write({"duration": 5})
        self.assertEqual(self.layer_ru.state, "active")

    def test_serial_and_product_forms_open(self):
        """The Warranty tabs render for the technician and the front desk."""
        for user in (self.technician, self.frontdesk):
            with self.subTest(user=user.login):
                lot_form = Form(self.lots_ru.with_user(user))
                self.assertTrue(lot_form.aftersales_in_warranty)
                self.assertEqual(lot_form.aftersales_owner_id, self.customer_ru)
                self.assertEqual(len(lot_form.aftersales_warranty_ids), 1)
                action = self.lots_ru.with_user(user).action_aftersales_warranty_status()
                self.assertEqual(action["res_model"], "aftersales.warranty")
                product_form = Form(self.product_unit.product_tmpl_id.with_user(user))
                self.assertIn(self.term.id, product_form.aftersales_applicable_term_ids.ids)

    def test_plain_user_denied(self):
        with self.assertRaises(AccessError):
            self.layer_ru.with_user(self.plain_user).read(["date_end"])
        with self.assertRaises(AccessError):
            self.env["aftersales.warranty.term"].with_user(self.plain_user).search([])

    def test_manager_cannot_delete(self):
        with self.assertRaises(UserError):
            self.layer_ru.with_user(self.manager).unlink()
        self.assertTrue(self.layer_ru.exists())

    def test_portal_sees_own_layers_only(self):
        self.customer_ru.is_company = True
        portal = new_test_user(
            self.env, login="as_portal_ru", groups="base.group_portal", name="Ivan Portal"
        )
        portal.partner_id.parent_id = self.customer_ru
        visible = self.env["aftersales.warranty"].with_user(portal).search([])
        self.assertEqual(visible, self.layer_ru)
        with self.assertRaises(AccessError):
            self.layer_eu.with_user(portal).read(["date_end"])

    def test_multi_company_isolation(self):
        company_b = self.env["res.company"].create(
            {"name": "After-Sales B", "country_id": self.country_de.id}
        )
        self.env["account.chart.template"].try_loading("generic_coa", company_b, install_demo=False)
        warehouse_b = self.env["stock.warehouse"].search(
            [("company_id", "=", company_b.id)], limit=1
        )
        user_b = new_test_user(
            self.env,
            login="as_user_b",
            groups="aftersales_service.group_aftersales_user",
            company_id=company_b.id,
            company_ids=[Command.set(company_b.ids)],
        )
        env_b = self.env(context=dict(self.env.context, allowed_company_ids=company_b.ids))
        lot_b = env_b["stock.lot"].create(
            {"name": "MC-1", "product_id": self.product_unit.id, "company_id": company_b.id}
        )
        env_b["stock.quant"].with_context(inventory_mode=True).create(
            {
                "product_id": self.product_unit.id,
                "location_id": warehouse_b.lot_stock_id.id,
                "lot_id": lot_b.id,
                "inventory_quantity": 1,
            }
        ).action_apply_inventory()
        order_b = env_b["sale.order"].create(
            {
                "partner_id": self.customer_eu.id,
                "company_id": company_b.id,
                "warehouse_id": warehouse_b.id,
                "order_line": [
                    Command.create({"product_id": self.product_unit.id, "product_uom_qty": 1})
                ],
            }
        )
        order_b.action_confirm()
        self._deliver(order_b.picking_ids.with_env(env_b), lots=lot_b)
        layer_b = self.env["aftersales.warranty"].sudo().search([("lot_id", "=", lot_b.id)])
        self.assertEqual(
            layer_b.company_id, company_b, "the layer belongs to the delivery's company"
        )
        self.assertEqual(layer_b.term_id, self.term, "a shared term applies in every company")
        Warranty_b = self.env["aftersales.warranty"].with_user(user_b)
        self.assertEqual(Warranty_b.search([]), layer_b)
        self.assertFalse(
            self.env["aftersales.warranty"]
            .with_user(self.frontdesk)
            .search([("id", "=", layer_b.id)])
        )
        with self.assertRaises(AccessError):
            self.layer_ru.with_user(user_b).read(["date_end"])


@tagged("post_install", "-at_install")
class TestWarrantyWorkflow(WarrantyCommon):
    def test_whole_workflow(self):
        """Configure, sell with an extension, deliver, look up, transfer, repair, refund."""
        # The manager defines the terms on the form.
        with Form(self.Term.with_user(self.manager)) as form:
            form.name = "Legal Guarantee"
            form.kind = "legal"
            form.duration = 2
            form.extend_by_downtime = True
            form.categ_ids.add(self.categ_units)
            legal = form.save()
        with Form(self.Term.with_user(self.manager)) as form:
            form.name = "Extended +1 Year"
            form.kind = "extended"
            form.duration = 1
            form.duration_unit = "year"
            form.logistics_coverage = 0
            form.extension_product_id = self.product_ext
            extended = form.save()
        # Sales sells a unit with the extended warranty; the warehouse delivers it.
        order, lot = self._sell_and_deliver(
            self.customer_ru, serials=("WF-1",), extra_lines=[(self.product_ext, 1)]
        )
        layers = self._layers(lot)
        self.assertEqual(layers.term_id, legal | extended)
        base = layers.filtered(lambda w: w.term_id == legal)
        ext = layers - base
        self.assertEqual(ext.date_start, base.date_end + relativedelta(days=1))
        # The front desk scans the serial.
        found = self.env["stock.lot"].with_user(self.frontdesk).search([("name", "=", "WF-1")])
        self.assertEqual(found, lot)
        self.assertTrue(found.aftersales_in_warranty)
        self.assertEqual(found.aftersales_owner_id, self.customer_ru)
        self.assertEqual(found.aftersales_warranty_date_end, ext.date_end)
        self.assertEqual(
            found.aftersales_get_coverage(ext.date_start)["logistics"], 0.0, "only the extension"
        )
        # The unit is sold on to a new owner through the transfer wizard.
        action = self.env.ref("aftersales_service.aftersales_warranty_transfer_action")
        self.assertEqual(action.binding_model_id.model, "stock.lot")
        wizard_form = Form(
            self.env["aftersales.warranty.transfer"]
            .with_user(self.frontdesk)
            .with_context(default_lot_id=lot.id)
        )
        self.assertEqual(wizard_form.current_owner_id, self.customer_ru)
        wizard_form.partner_id = self.customer_eu
        wizard_form.save().action_transfer()
        self.assertEqual(layers.partner_id, self.customer_eu)
        # 20 days in service push the legal guarantee out; the extension follows it.
        base_end, ext_end = base.date_end, ext.date_end
        layers.add_downtime(20)
        self.assertEqual(base.date_end, base_end + relativedelta(days=20))
        self.assertEqual(ext.date_start, base.date_end + relativedelta(days=1))
        self.assertEqual(ext.date_end, ext_end + relativedelta(days=20))
        # The sale ends with a refund: the layers are voided, the history stays.
        self._return(order.picking_ids.filtered(lambda p: p.state == "done"), lot, to_refund=True)
        self.assertEqual(set(layers.mapped("state")), {"void"})
        self.assertFalse(lot.aftersales_get_coverage()["in_warranty"])
        self.assertEqual(len(lot.aftersales_warranty_ids), 2)

    def test_stock_user_validation_registers(self):
        """A warehouse user without sales rights validates: layers are registered all the same."""
        term = self._create_warranty_term()
        warehouse_user = new_test_user(
            self.env, login="as_stock_only", groups="stock.group_stock_user", name="Store Keeper"
        )
        lots = self._create_lots(self.product_unit, ["SU-1"])
        self._add_stock(self.product_unit, 1, lot=lots)
        order = self._sell(self.customer_ru, [(self.product_unit, 1)])
        picking = order.picking_ids
        picking.action_assign()
        picking.move_ids.move_line_ids.lot_id = lots
        picking.move_ids.picked = True
        picking.with_user(warehouse_user).button_validate()
        self.assertEqual(picking.state, "done")
        layer = self._layers(lots)
        self.assertEqual(layer.term_id, term)
        self.assertEqual(layer.sale_line_id, order.order_line)

    def test_demo_world(self):
        """The demo data shows active, expiring and expired warranties."""
        lot = self.env.ref("aftersales_service.demo_lot_washer_01", raise_if_not_found=False)
        if not lot:
            self.skipTest("demo data not loaded")
        lots = self.env["stock.lot"].browse(
            [self.env.ref(f"aftersales_service.demo_lot_washer_0{i}").id for i in range(1, 9)]
        )
        layers = self._layers(lots)
        self.assertEqual(set(layers.mapped("state")), {"active", "expired"})
        # Expiring within 30 days on the day the demo was installed.
        installed = fields.Date.context_today(lot, lot.create_date)
        soon = layers.filtered(
            lambda w: installed <= w.date_end <= installed + relativedelta(days=30)
        )
        self.assertTrue(soon)
        self.assertTrue(layers.filtered(lambda w: w.kind == "extended"))
        ru = self.env.ref("aftersales_service.demo_partner_ru")
        self.assertEqual(lots[:4].mapped("aftersales_owner_id"), ru)


@tagged("post_install", "-at_install")
class TestWarrantySaleOrder(WarrantyCommon):
    def test_sale_order_shows_its_warranties(self):
        """The sale order counts and opens the layers registered for what it sold."""
        self._create_warranty_term()
        self._create_warranty_term(name="Manufacturer 1 Year", kind="manufacturer", duration=1)
        order, lots = self._sell_and_deliver(self.customer_eu, serials=("SO-W-1", "SO-W-2"))
        other_order, _other = self._sell_and_deliver(self.customer_ru, serials=("SO-W-3",))
        self.assertEqual(order.aftersales_warranty_count, 4)
        self.assertEqual(other_order.aftersales_warranty_count, 2)
        action = order.action_aftersales_view_warranties()
        shown = self.Warranty.with_context(**action["context"]).search(action["domain"])
        self.assertEqual(shown.lot_id, lots)
        self.assertEqual(len(shown), 4)
        # The front desk (a technician-level reader) sees the count too.
        self.assertEqual(order.with_user(self.technician).aftersales_warranty_count, 4)
