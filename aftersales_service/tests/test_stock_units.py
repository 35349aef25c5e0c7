"""Stock a warehouse trusts: customers' units are not our stock, an order consumes only what
was issued to it, and repeated or concurrent requests make one document."""

from odoo.exceptions import UserError
from odoo.tests import tagged
from odoo.tools.safe_eval import safe_eval

from .test_parts_common import PartsCommon
from .test_repair import RepairCommon


@tagged("post_install", "-at_install")
class TestUnitsInService(RepairCommon):
    """Issue #10 point 14: a customer's unit is never our stock."""

    def test_warehouse_gets_service_location_outside_stock(self):
        wh = self.warehouse
        service = wh.aftersales_service_location_id
        self.assertTrue(service)
        self.assertEqual(service.usage, "internal")
        self.assertTrue(service.aftersales_units_in_service)
        # Outside the warehouse's tree (what the host counts as the warehouse's stock), and
        # still the warehouse's.
        self.assertEqual(service.location_id, self.env.ref("stock.stock_location_locations"))
        self.assertFalse(service.parent_path.startswith(wh.view_location_id.parent_path))
        self.assertEqual(service.warehouse_id, wh)
        self.assertEqual(service.company_id, wh.company_id)
        self.assertIn(wh.code, service.name)
        # New warehouses get their own; existing ones get it on setup (install / update).
        wh2 = self.env["stock.warehouse"].create({"name": "Service Depot", "code": "SVD"})
        self.assertTrue(wh2.aftersales_service_location_id.aftersales_units_in_service)
        self.assertNotEqual(wh2.aftersales_service_location_id, service)
        wh2.aftersales_service_location_id = False
        self.env["stock.warehouse"]._aftersales_setup_all_warehouses()
        service2 = wh2.aftersales_service_location_id
        self.assertTrue(service2.aftersales_units_in_service)
        self.assertFalse(service2.parent_path.startswith(wh2.view_location_id.parent_path))
        self.assertEqual(service2.warehouse_id, wh2)
        # A location set up under the warehouse (before this layout) is moved out on update.
        service2.location_id = wh2.view_location_id
        self.assertTrue(service2.parent_path.startswith(wh2.view_location_id.parent_path))
        self.env["stock.warehouse"]._aftersales_setup_all_warehouses()
        self.assertFalse(service2.parent_path.startswith(wh2.view_location_id.parent_path))
        self.assertEqual(service2.warehouse_id, wh2)

    def test_unit_in_service_is_not_on_hand_nor_forecast(self):
        """Receiving a customer's unit changes neither On Hand nor the forecast of the
        product, for the company, the warehouse or its stock; asked for explicitly, the
        units-in-service location shows it."""
        unit = self.product_unit
        wh = self.warehouse
        service = wh.aftersales_service_location_id

        def figures():
            unit.invalidate_recordset()
            return [
                (p.qty_available, p.virtual_available, p.incoming_qty, p.free_qty)
                for p in (
                    unit,
                    unit.with_context(warehouse_id=wh.id),
                    unit.with_context(location=wh.lot_stock_id.id),
                )
            ]

        before = figures()
        order = self._new_order(self.lot_billable)
        order.action_aftersales_create_intake()
        intake = order.aftersales_intake_picking_id
        # Announced (the intake is waiting): no incoming quantity in our stock either.
        self.assertEqual(figures(), before)
        intake.move_ids.picked = True
        intake.button_validate()
        self.assertEqual(intake.state, "done")
        self.assertEqual(self._qty(unit, service, self.lot_billable, self.customer_ru), 1)
        self.assertEqual(figures(), before)
        unit.invalidate_recordset()
        self.assertEqual(unit.with_context(location=service.id).qty_available, 1)
        # Nor is it found by a search on On Hand, as our stock.
        if not before[0][0]:
            self.assertNotIn(unit, self.env["product.product"].search([("qty_available", ">", 0)]))

    def test_unit_in_service_is_kept_apart_and_not_sold_to_someone_else(self):
        unit = self.product_unit
        service = self.warehouse.aftersales_service_location_id
        order = self._new_order(self.lot_billable, parts=[(self.part_belt, 1)])
        self.assertEqual(order.product_location_src_id, service)
        self.assertEqual(order.product_location_dest_id, service)

        order.action_aftersales_create_intake()
        intake = order.aftersales_intake_picking_id
        self.assertEqual(intake.location_dest_id, service)
        intake.move_ids.picked = True
        intake.button_validate()
        self.assertEqual(self._qty(unit, service, self.lot_billable, self.customer_ru), 1)
        self.assertEqual(self._qty(unit, self.stock_location), 0)
        # Asked for explicitly, the location shows what it holds.
        unit.invalidate_recordset()
        self.assertEqual(unit.with_context(location=service.id).qty_available, 1)

        # A sale to another customer does not reserve the customer's unit.
        sale = self._sell(self.customer_eu, [(unit, 1)])
        delivery = sale.picking_ids
        delivery.action_assign()
        self.assertEqual(delivery.state, "confirmed")
        self.assertEqual(delivery.move_ids.quantity, 0.0)
        self.assertFalse(delivery.move_line_ids)
        self.assertEqual(self._qty(unit, service, self.lot_billable, self.customer_ru), 1)

        # Listed under "Units in Service", with the customer and the days since intake.
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "aftersales_service.stock_quant_action_aftersales_units"
        )
        domain = safe_eval(action["domain"])
        listed = self.env["stock.quant"].search(domain)
        row = listed.filtered(lambda q: q.lot_id == self.lot_billable)
        self.assertEqual(row.owner_id, self.customer_ru)
        self.assertEqual(row.aftersales_days_in_service, 0)

        # Repaired there, and it goes back to its owner from there.
        self._finish(order)
        back = order.aftersales_return_picking_id
        self.assertEqual(back.location_id, service)
        self.assertEqual(back.state, "assigned")
        self._ship_back(order)
        self.assertEqual(self._qty(unit, service, self.lot_billable), 0)
        self.assertFalse(self.env["stock.quant"].search(domain) & row)

    def test_return_reserves_the_unit_where_it_is(self):
        """A done order's return is created with the unit's line only while the unit is in
        that very place (source, no pack, the customer as owner); put away in a bin since,
        the host's reservation finds it there instead of a line reserving an empty quant at
        the source (the return would look ready while the unit is elsewhere)."""
        order = self._new_order(self.lot_billable)
        self._receive(order)
        self._finish(order)
        back = order.aftersales_return_picking_id
        source = back.location_id
        self.assertEqual(back.state, "assigned")
        self.assertEqual(back.move_line_ids.location_id, source)
        move = back.move_ids
        move_vals = {
            "product_id": move.product_id.id,
            "product_uom": move.product_uom.id,
            "product_uom_qty": move.product_uom_qty,
            "location_id": source.id,
            "location_dest_id": move.location_dest_id.id,
            "restrict_partner_id": self.customer_ru.id,
            "company_id": move.company_id.id,
        }
        back.do_unreserve()
        lines = order._prepare_aftersales_return_move_line_vals(back, move_vals)
        self.assertEqual(len(lines), 1)
        self.assertEqual(lines[0]["lot_id"], self.lot_billable.id)
        # The warehouse puts the unit away in a bin of the service location.
        bin_location = self.env["stock.location"].create(
            {"name": "Shelf 3", "location_id": source.id, "usage": "internal"}
        )
        Quant = self.env["stock.quant"]
        unit = self.product_unit
        Quant._update_available_quantity(
            unit, source, -1, lot_id=self.lot_billable, owner_id=self.customer_ru
        )
        Quant._update_available_quantity(
            unit, bin_location, 1, lot_id=self.lot_billable, owner_id=self.customer_ru
        )
        self.assertEqual(order._prepare_aftersales_return_move_line_vals(back, move_vals), [])
        # The host's reservation takes it from the bin, as it did before the line existed.
        back.action_assign()
        self.assertEqual(back.state, "assigned")
        self.assertEqual(back.move_line_ids.location_id, bin_location)
        self.assertEqual(back.move_line_ids.lot_id, self.lot_billable)


@tagged("post_install", "-at_install")
class TestPartsIssuedOnly(PartsCommon):
    """Issue #10 point 13 and issue #11 (repeated ids, generic return, parts status)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._add_stock(cls.part_pump, 5)

    def test_order_consumes_only_what_was_issued_to_it(self):
        repair_a = self._create_repair([(self.part_pump, 1)])
        repair_b = self._create_repair([(self.part_pump, 2)])
        self._validate(repair_a._aftersales_issue_parts())
        self._validate(repair_b._aftersales_issue_parts())
        self.assertEqual(self._qty(self.part_pump, self.workshop), 3)

        # A's line raised to 3: the order asks for the difference...
        line_a = self._line(repair_a, self.part_pump)
        line_a.product_uom_qty = 3
        self.assertEqual(repair_a.aftersales_parts_state, "to_request")
        # ...and cannot take B's two pumps lying in the workshop.
        repair_a.action_repair_start()
        line_a.quantity = 3
        line_a.picked = True
        with self.assertRaises(UserError):
            repair_a.action_repair_end()
        self.assertEqual(self._qty(self.part_pump, self.workshop), 3)
        self.assertNotEqual(line_a.state, "done")
        self.assertEqual(repair_a.state, "under_repair")

        # Issued the difference, it consumes its three; B still finds its two.
        line_a.quantity = 1
        second = repair_a._aftersales_issue_parts()
        self.assertEqual(second.move_ids.product_uom_qty, 2.0)
        self._validate(second)
        line_a.quantity = 3
        repair_a.action_repair_end()
        self.assertEqual(repair_a.state, "done")
        self.assertEqual(self._qty(self.part_pump, self.workshop), 2)
        repair_b.action_repair_start()
        repair_b.action_repair_end()
        self.assertEqual(repair_b.state, "done")
        self.assertEqual(self._line(repair_b, self.part_pump).quantity, 2.0)
        self.assertEqual(self._qty(self.part_pump, self.workshop), 0)
        self.assertEqual(self._qty(self.part_pump, self.stock_location), 0)

    def test_repeated_ids_issue_once(self):
        repair = self._create_repair([(self.part_pump, 1)])
        twice = self.env["repair.order"].browse([repair.id, repair.id])
        twice.with_context(aftersales_open_pickings=False).action_aftersales_issue_parts()
        self.assertEqual(len(self._issues(repair)), 1)
        self.assertEqual(self._issues(repair).move_ids.product_uom_qty, 1.0)
        twice.action_aftersales_issue_parts()
        self.assertEqual(len(self._issues(repair)), 1)

    def test_generic_return_counts_as_parts_return(self):
        repair = self._create_repair([(self.part_pump, 1)])
        issue = repair._aftersales_issue_parts()
        self._validate(issue)
        repair.action_repair_start()
        repair.action_repair_end()  # the pump was consumed
        self.assertEqual(self._qty(self.part_pump, self.workshop), 0)
        self.assertFalse(self._returns(repair))

        wizard = (
            self.env["stock.return.picking"]
            .with_context(active_id=issue.id, active_model="stock.picking")
            .create({})
        )
        wizard.product_return_moves.quantity = 1
        back = wizard._create_return()
        self.assertEqual(back.aftersales_purpose, "parts_return")
        self.assertEqual(back.aftersales_repair_id, repair)
        self.assertEqual(back.move_ids.aftersales_parts_role, "return")
        self.assertEqual(back.move_ids.aftersales_parts_repair_id, repair)
        self.assertEqual(self._returns(repair), back)
        back.move_ids.quantity = 1
        back.move_ids.picked = True
        with self.assertRaises(UserError):
            back.button_validate()
        self.assertNotEqual(back.state, "done")
        self.assertEqual(self._qty(self.part_pump, self.workshop), 0)
        self.assertEqual(self._qty(self.part_pump, self.stock_location), 4)

    def test_generic_return_of_unused_part_is_counted(self):
        repair = self._create_repair([(self.part_pump, 2)])
        issue = repair._aftersales_issue_parts()
        self._validate(issue)
        wizard = (
            self.env["stock.return.picking"]
            .with_context(active_id=issue.id, active_model="stock.picking")
            .create({})
        )
        wizard.product_return_moves.quantity = 1
        back = wizard._create_return()
        back.move_ids.quantity = 1
        back.move_ids.picked = True
        back.button_validate()
        self.assertEqual(back.state, "done")
        self.assertEqual(self._qty(self.part_pump, self.workshop), 1)
        # One pump left for the order: consuming two is refused, and the end-of-order
        # return has nothing more to bring back than what is there.
        self.assertEqual(
            repair._aftersales_returnable_quantities()[(repair.id, self.part_pump.id)], 1.0
        )
        repair.action_repair_start()
        line = self._line(repair, self.part_pump)
        line.quantity = 2
        line.picked = True
        with self.assertRaises(UserError):
            repair.action_repair_end()
        line.quantity = 1
        repair.action_repair_end()
        self.assertEqual(repair.state, "done")
        self.assertFalse(self._returns(repair) - back)
        self.assertEqual(self._qty(self.part_pump, self.workshop), 0)
        self.assertEqual(self._qty(self.part_pump, self.stock_location), 4)

    def test_search_parts_state_with_every_ui_operator(self):
        draft = self._create_repair([(self.part_pump, 1)], confirm=False)
        to_request = self._create_repair([(self.part_pump, 1)])
        ready = self._create_repair([(self.part_pump, 1)])
        ready._aftersales_issue_parts()
        self.assertEqual(to_request.aftersales_parts_state, "to_request")
        self.assertEqual(ready.aftersales_parts_state, "ready")
        self.assertFalse(draft.aftersales_parts_state)
        ours = draft | to_request | ready
        Repair = self.env["repair.order"]

        def found(domain):
            return Repair.search([("id", "in", ours.ids), *domain])

        self.assertEqual(found([("aftersales_parts_state", "=", "ready")]), ready)
        self.assertEqual(found([("aftersales_parts_state", "!=", "ready")]), draft | to_request)
        self.assertEqual(
            found([("aftersales_parts_state", "in", ["ready", "to_request"])]), ready | to_request
        )
        self.assertEqual(
            found([("aftersales_parts_state", "not in", ["ready"])]), draft | to_request
        )
        self.assertEqual(found([("aftersales_parts_state", "=", False)]), draft)
        self.assertEqual(found([("aftersales_parts_state", "!=", False)]), ready | to_request)
        self.assertEqual(found([("aftersales_parts_state", "in", [False, "ready"])]), draft | ready)
        self.assertEqual(
            found([("aftersales_parts_state", "not in", [False, "ready"])]), to_request
        )
        with self.assertRaises(UserError):
            found([("aftersales_parts_state", "ilike", "read")])


@tagged("post_install", "-at_install")
class TestUnitIntakeOnce(RepairCommon):
    def test_repeated_ids_make_one_intake(self):
        order = self._new_order(self.lot_billable)
        twice = self.env["repair.order"].browse([order.id, order.id])
        twice.action_aftersales_create_intake()
        intakes = self.env["stock.picking"].search(
            [("aftersales_repair_id", "=", order.id), ("aftersales_purpose", "=", "intake")]
        )
        self.assertEqual(len(intakes), 1)
        self.assertEqual(order.aftersales_intake_picking_id, intakes)
        with self.assertRaises(UserError):
            twice.action_aftersales_create_intake()
        self.assertEqual(
            self.env["stock.picking"].search_count(
                [("aftersales_repair_id", "=", order.id), ("aftersales_purpose", "=", "intake")]
            ),
            1,
        )


@tagged("post_install", "-at_install")
class TestValidateSeveralOrders(RepairCommon):
    """Issue #11: ``action_validate`` on several orders at once (a list, an RPC client)."""

    def test_validate_several_orders_at_once(self):
        received = self._new_order(self.lot_warranty, parts=[(self.part_belt, 1)])
        self._receive(received)
        on_site = self._new_order(self.lot_warranty_2, aftersales_on_site=True)
        orders = received | on_site
        self.assertEqual(set(orders.mapped("state")), {"draft"})
        self.assertIs(orders.action_validate(), True)
        self.assertEqual(orders.mapped("state"), ["confirmed", "confirmed"])

    def test_several_orders_one_unit_missing_changes_nothing(self):
        received = self._new_order(self.lot_warranty)
        self._receive(received)
        missing = self._new_order(self.lot_warranty_2)  # no intake: the unit is not here
        other = self._new_order(self.lot_billable)
        self._receive(other)
        orders = received | missing | other
        with self.assertRaises(UserError) as caught:
            orders.action_validate()
        self.assertIn(missing.name, str(caught.exception))
        self.assertNotIn(received.name, str(caught.exception))
        self.assertEqual(orders.mapped("state"), ["draft", "draft", "draft"])
        # Alone, the order answers with the host's "insufficient quantity" wizard.
        action = missing.action_validate()
        self.assertEqual(action["res_model"], "stock.warn.insufficient.qty.repair")
        self.assertEqual(missing.state, "draft")
        # The others, together, are confirmed.
        (received | other).action_validate()
        self.assertEqual((received | other).mapped("state"), ["confirmed", "confirmed"])
