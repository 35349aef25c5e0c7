from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, tagged
from odoo.tools.safe_eval import safe_eval

from .test_parts_common import PartsCommon


@tagged("post_install", "-at_install")
class TestPartsSetup(PartsCommon):
    def test_warehouse_gets_workshop_and_types(self):
        wh = self.warehouse
        self.assertEqual(self.workshop.usage, "internal")
        self.assertEqual(self.workshop.location_id, wh.view_location_id)
        self.assertEqual(self.workshop.warehouse_id, wh)
        self.assertEqual(self.issue_type.code, "internal")
        self.assertEqual(self.issue_type.default_location_src_id, wh.lot_stock_id)
        self.assertEqual(self.issue_type.default_location_dest_id, self.workshop)
        self.assertEqual(self.return_type.default_location_src_id, self.workshop)
        self.assertEqual(self.return_type.default_location_dest_id, wh.lot_stock_id)
        self.assertEqual(self.issue_type.return_picking_type_id, self.return_type)

        wh2 = self.env["stock.warehouse"].create({"name": "Second Depot", "code": "WH2"})
        self.assertTrue(wh2.aftersales_workshop_location_id)
        self.assertNotEqual(wh2.aftersales_workshop_location_id, self.workshop)
        self.assertEqual(
            wh2.aftersales_parts_issue_type_id.default_location_dest_id,
            wh2.aftersales_workshop_location_id,
        )
        self.assertEqual(wh2.aftersales_parts_issue_type_id.warehouse_id, wh2)

    def test_setup_is_idempotent_and_fills_gaps(self):
        PickingType = self.env["stock.picking.type"].with_context(active_test=False)
        before = PickingType.search_count([("warehouse_id", "=", self.warehouse.id)])
        self.env["stock.warehouse"].search([])._aftersales_setup_workshop()
        self.assertEqual(
            PickingType.search_count([("warehouse_id", "=", self.warehouse.id)]), before
        )
        # A warehouse that lost its setup (e.g. created before install) gets it back.
        wh2 = self.env["stock.warehouse"].create({"name": "Old Depot", "code": "OLD"})
        wh2.write(
            {
                "aftersales_workshop_location_id": False,
                "aftersales_parts_issue_type_id": False,
                "aftersales_parts_return_type_id": False,
            }
        )
        wh2._aftersales_setup_workshop()
        self.assertTrue(wh2.aftersales_workshop_location_id)
        self.assertTrue(wh2.aftersales_parts_issue_type_id)
        self.assertTrue(wh2.aftersales_parts_return_type_id)

    def test_setting_decides_the_component_source(self):
        repair = self._create_repair([(self.part_pump, 1)], confirm=False)
        self.assertEqual(repair.location_id, self.workshop)
        self.assertTrue(repair.aftersales_parts_issue_mode)
        self.assertEqual(self._line(repair, self.part_pump).location_id, self.workshop)

        with Form(self.env["res.config.settings"]) as settings:
            settings.aftersales_parts_issue = False
        self.assertFalse(self.company.aftersales_parts_issue)
        direct = self._create_repair([(self.part_pump, 1)], confirm=False)
        self.assertEqual(direct.location_id, self.stock_location)
        self.assertFalse(direct.aftersales_parts_issue_mode)

    def test_multi_company_warehouses_have_their_own(self):
        company2 = self.env["res.company"].create({"name": "Service Partner GmbH"})
        wh = self.env["stock.warehouse"].search([("company_id", "=", company2.id)], limit=1)
        self.assertTrue(wh.aftersales_workshop_location_id)
        self.assertEqual(wh.aftersales_workshop_location_id.company_id, company2)
        self.assertEqual(wh.aftersales_parts_issue_type_id.company_id, company2)


@tagged("post_install", "-at_install")
class TestPartsFlow(PartsCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._add_stock(cls.part_pump, 5)
        cls._add_stock(cls.part_belt, 5)

    def test_whole_path_issue_consume_return(self):
        repair = self._create_repair(
            [(self.part_pump, 2), (self.part_belt, 1)], user_id=self.technician.id
        )
        pump_line = self._line(repair, self.part_pump)
        self.assertEqual(repair.state, "confirmed")
        self.assertEqual(repair.aftersales_parts_state, "to_request")
        self.assertTrue(repair.can_aftersales_issue_parts)
        # Nothing is reserved in the workshop before the issue.
        self.assertEqual(pump_line.quantity, 0.0)

        repair.with_user(self.technician).action_aftersales_issue_parts()
        issue = self._issues(repair)
        self.assertEqual(len(issue), 1)
        self.assertEqual(issue.picking_type_id, self.issue_type)
        self.assertEqual(issue.location_id, self.stock_location)
        self.assertEqual(issue.location_dest_id, self.workshop)
        self.assertEqual(issue.state, "assigned")
        self.assertEqual(sorted(issue.move_ids.mapped("product_uom_qty")), [1.0, 2.0])
        self.assertEqual(repair.aftersales_parts_state, "ready")
        self.assertEqual(pump_line.aftersales_qty_missing, 0.0)

        self._validate(issue.with_user(self.stock_clerk))
        self.assertEqual(issue.state, "done")
        self.assertEqual(self._qty(self.part_pump, self.stock_location), 3)
        self.assertEqual(self._qty(self.part_pump, self.workshop), 2)
        self.assertEqual(self._qty(self.part_belt, self.workshop), 1)
        # The order's part lines are now reserved from what was issued to it.
        self.assertEqual(pump_line.quantity, 2.0)
        self.assertEqual(pump_line.aftersales_qty_issued, 2.0)
        self.assertEqual(repair.aftersales_parts_state, "issued")

        as_technician = repair.with_user(self.technician)
        as_technician.action_repair_start()
        pump_line.with_user(self.technician).quantity = 1.0  # one pump of two was used
        as_technician.action_repair_end()
        self.assertEqual(repair.state, "done")
        # Consumed from the workshop, valued at cost (FIFO) like the host's consumption.
        self.assertEqual(pump_line.state, "done")
        self.assertEqual(pump_line.location_id, self.workshop)
        self.assertAlmostEqual(sum(pump_line.stock_valuation_layer_ids.mapped("value")), -50.0)
        self.assertEqual(self._qty(self.part_pump, self.workshop), 1)
        self.assertEqual(self._qty(self.part_belt, self.workshop), 0)

        back = self._returns(repair)
        self.assertEqual(len(back), 1)
        self.assertEqual(back.location_id, self.workshop)
        self.assertEqual(back.location_dest_id, self.stock_location)
        self.assertEqual(back.move_ids.product_id, self.part_pump)
        self.assertEqual(back.move_ids.product_uom_qty, 1.0)
        self.assertEqual(back.state, "assigned")
        self._validate(back.with_user(self.stock_clerk))
        self.assertEqual(self._qty(self.part_pump, self.workshop), 0)
        self.assertEqual(self._qty(self.part_pump, self.stock_location), 4)
        # Internal moves do not touch valuation: stock value is exactly the remaining units.
        self.assertAlmostEqual(self.part_pump.value_svl, 4 * 50.0)
        self.assertAlmostEqual(self.part_belt.value_svl, 4 * 10.0)

    def test_difference_only_and_double_request(self):
        repair = self._create_repair([(self.part_pump, 1)])
        first = repair._aftersales_issue_parts()
        self.assertEqual(len(first), 1)
        # A second request (double click, retry) issues nothing.
        self.assertFalse(repair._aftersales_issue_parts())
        self.assertEqual(len(self._issues(repair)), 1)
        self.assertFalse(repair.can_aftersales_issue_parts)

        # More pumps and a new belt line: only the difference goes out.
        self._line(repair, self.part_pump).product_uom_qty = 3
        repair.move_ids = [
            Command.create(
                {"product_id": self.part_belt.id, "product_uom_qty": 2, "repair_line_type": "add"}
            )
        ]
        self.assertEqual(repair.aftersales_parts_state, "to_request")
        second = repair._aftersales_issue_parts()
        self.assertEqual(len(second), 1)
        quantities = {m.product_id: m.product_uom_qty for m in second.move_ids}
        self.assertEqual(quantities, {self.part_pump: 2.0, self.part_belt: 2.0})
        self.assertFalse(repair._aftersales_issue_parts())

    def test_race_for_the_last_unit(self):
        self._add_stock(self.part_board, 1)
        repair_a = self._create_repair([(self.part_board, 1)])
        repair_b = self._create_repair([(self.part_board, 1)])
        repair_a._aftersales_issue_parts()
        repair_b._aftersales_issue_parts()
        issue_a, issue_b = self._issues(repair_a), self._issues(repair_b)
        self.assertEqual(issue_a.state, "assigned")
        self.assertNotEqual(issue_b.state, "assigned")
        self.assertEqual(sum(issue_b.move_ids.mapped("quantity")), 0.0)
        self.assertEqual(self._line(repair_a, self.part_board).aftersales_qty_missing, 0.0)
        self.assertEqual(self._line(repair_b, self.part_board).aftersales_qty_missing, 1.0)
        self.assertEqual(repair_b.aftersales_parts_state, "waiting")
        waiting = self.env["repair.order"].search([("aftersales_parts_state", "=", "waiting")])
        self.assertIn(repair_b, waiting)
        self.assertNotIn(repair_a, waiting)
        # The loser's shortage became a request for quotation to the part's vendor.
        self.assertEqual(repair_b.aftersales_purchase_ids.partner_id, self.vendor)
        self.assertEqual(repair_b.aftersales_purchase_ids.state, "draft")
        self.assertFalse(repair_a.aftersales_purchase_ids)
        # The winner's issue is validated; the loser can't take the unit.
        self._validate(issue_a)
        issue_b.action_assign()
        self.assertEqual(sum(issue_b.move_ids.mapped("quantity")), 0.0)
        self.assertEqual(self._qty(self.part_board, self.workshop), 1)

    def test_issue_many_orders_in_one_call(self):
        repairs = self.env["repair.order"]
        for _i in range(3):
            repairs |= self._create_repair([(self.part_belt, 1)])
        pickings = repairs._aftersales_issue_parts()
        self.assertEqual(len(pickings), 3)
        self.assertEqual(pickings.aftersales_repair_id, repairs)
        self.assertTrue(all(p.state == "assigned" for p in pickings))

    def test_form_request_parts(self):
        form = Form(self.env["repair.order"])
        form.partner_id = self.customer_eu
        with form.move_ids.new() as line:
            line.product_id = self.part_belt
            line.product_uom_qty = 2
        repair = form.save()
        self.assertEqual(repair.location_id, self.workshop)
        repair.action_validate()
        action = repair.action_aftersales_issue_parts()
        issue = self._issues(repair)
        self.assertEqual(action["res_id"], issue.id)
        self.assertEqual(issue.move_ids.product_uom_qty, 2.0)
        # A second click only tells there is nothing left to request.
        self.assertEqual(repair.action_aftersales_issue_parts()["tag"], "display_notification")

    def test_batch_costs_less_than_one_by_one(self):
        lines = [(self.part_pump, 1), (self.part_belt, 1)]
        batch = self.env["repair.order"].concat(*(self._create_repair(lines) for _i in range(5)))
        singles = self.env["repair.order"].concat(*(self._create_repair(lines) for _i in range(5)))
        self.env.invalidate_all()
        self.env.flush_all()
        start = self.env.cr.sql_log_count
        batch._aftersales_issue_parts()
        self.env.flush_all()
        batch_queries = self.env.cr.sql_log_count - start
        self.env.invalidate_all()
        start = self.env.cr.sql_log_count
        for repair in singles:
            repair._aftersales_issue_parts()
        self.env.flush_all()
        single_queries = self.env.cr.sql_log_count - start
        self.assertLess(batch_queries, single_queries)

    def test_serials_are_respected(self):
        part = self._create_part("Sensor Module", cost=30.0, price=60.0, tracking="serial")
        lots = self._create_lots(part, ["SENS-1", "SENS-2"])
        for lot in lots:
            self._add_stock(part, 1, lot=lot)
        repair = self._create_repair([(part, 1)])
        line = self._line(repair, part)
        issue = repair._aftersales_issue_parts()
        self.assertEqual(len(issue.move_line_ids.lot_id), 1)
        # The clerk hands over the other serial: the issue follows the shelf, as any transfer.
        issue.move_line_ids.lot_id = lots[1]
        issue.move_ids.picked = True
        issue.button_validate()
        self.assertEqual(issue.state, "done")
        self.assertEqual(self._qty(part, self.workshop, lot=lots[1]), 1)
        # The order reserves and consumes exactly the serial issued to it.
        self.assertEqual(line.move_line_ids.lot_id, lots[1])
        repair.action_repair_start()
        repair.action_repair_end()
        self.assertEqual(line.state, "done")
        self.assertEqual(self._qty(part, self.workshop, lot=lots[1]), 0)
        self.assertEqual(self._qty(part, self.stock_location, lot=lots[0]), 1)
        self.assertFalse(self._returns(repair))

    def test_cancel_returns_issued_parts(self):
        repair = self._create_repair([(self.part_pump, 2), (self.part_belt, 1)])
        issue = repair._aftersales_issue_parts()
        issue.move_ids.filtered(lambda m: m.product_id == self.part_belt).quantity = 0
        # Only the pumps were handed over; the belt waits in a backorder.
        issue.move_ids.picked = True
        res = issue.button_validate()
        self.env[res["res_model"]].with_context(**res["context"]).create({}).process()
        backorder = self._issues(repair) - issue
        self.assertEqual(self._qty(self.part_pump, self.workshop), 2)
        self.assertEqual(len(backorder), 1)
        self.assertEqual(backorder.aftersales_repair_id, repair)

        repair.action_repair_cancel()
        self.assertEqual(backorder.state, "cancel")
        back = self._returns(repair)
        self.assertEqual(back.move_ids.product_id, self.part_pump)
        self.assertEqual(back.move_ids.product_uom_qty, 2.0)
        self._validate(back)
        self.assertEqual(self._qty(self.part_pump, self.workshop), 0)
        self.assertEqual(self._qty(self.part_pump, self.stock_location), 5)
        self.assertEqual(self._qty(self.part_belt, self.stock_location), 5)

    def test_done_cancels_pending_issues(self):
        repair = self._create_repair([(self.part_pump, 1), (self.part_belt, 1)])
        repair._aftersales_issue_parts()
        issue = self._issues(repair)
        repair.action_repair_start()
        repair.action_repair_end()
        self.assertEqual(issue.state, "cancel")
        self.assertFalse(self._returns(repair))
        self.assertEqual(self._qty(self.part_pump, self.stock_location), 5)
        self.assertEqual(self._qty(self.part_pump, self.workshop), 0)


@tagged("post_install", "-at_install")
class TestPartsShortage(PartsCommon):
    def test_partial_stock_then_purchase_receipt_completes_issue(self):
        self._add_stock(self.part_board, 1)
        repair = self._create_repair([(self.part_board, 3)])
        line = self._line(repair, self.part_board)
        issue = repair._aftersales_issue_parts()
        self.assertEqual(issue.state, "assigned")  # the available unit can go (backorder)
        self.assertEqual(sum(issue.move_ids.mapped("product_uom_qty")), 3.0)
        self.assertEqual(sum(issue.move_ids.mapped("quantity")), 1.0)
        self.assertEqual(line.aftersales_qty_missing, 2.0)
        self.assertEqual(repair.aftersales_parts_state, "waiting")
        purchase = repair.aftersales_purchase_ids
        self.assertEqual(len(purchase), 1)
        self.assertEqual(purchase.partner_id, self.vendor)
        self.assertEqual(purchase.order_line.product_qty, 2.0)
        # Expected when the vendor can deliver: not before today plus its lead time.
        self.assertGreaterEqual(line.aftersales_date_expected, purchase.order_line.date_planned)
        action = repair.action_aftersales_view_purchases()
        self.assertEqual(action["domain"], [("id", "in", purchase.ids)])

        purchase.button_confirm()
        receipt = purchase.picking_ids
        self.assertEqual(repair.aftersales_purchase_ids, purchase)
        self._validate(receipt)
        # The received parts are chained to the issue: it is now complete.
        self.assertEqual(sum(issue.move_ids.mapped("quantity")), 3.0)
        self._validate(issue)
        self.assertEqual(self._qty(self.part_board, self.workshop), 3)
        self.assertEqual(self._qty(self.part_board, self.stock_location), 0)
        self.assertEqual(line.aftersales_qty_issued, 3.0)
        self.assertEqual(line.quantity, 3.0)
        self.assertEqual(repair.aftersales_parts_state, "issued")

    def test_incoming_receipt_covers_the_issue_without_purchase(self):
        receipt = self.env["stock.picking"].create(
            {
                "picking_type_id": self.warehouse.in_type_id.id,
                "partner_id": self.vendor.id,
                "location_id": self.supplier_location.id,
                "location_dest_id": self.stock_location.id,
                "move_ids": [
                    Command.create(
                        {
                            "name": self.part_pump.name,
                            "product_id": self.part_pump.id,
                            "product_uom_qty": 4,
                            "location_id": self.supplier_location.id,
                            "location_dest_id": self.stock_location.id,
                        }
                    )
                ],
            }
        )
        receipt.action_confirm()
        repair = self._create_repair([(self.part_pump, 2)])
        issue = repair._aftersales_issue_parts()
        self.assertNotEqual(issue.state, "assigned")
        self.assertFalse(repair.aftersales_purchase_ids)  # the incoming goods cover it
        self.assertEqual(self._line(repair, self.part_pump).aftersales_qty_missing, 2.0)

        self._validate(receipt)
        self.assertEqual(issue.state, "assigned")
        self._validate(issue)
        self.assertEqual(self._qty(self.part_pump, self.workshop), 2)
        self.assertEqual(self._qty(self.part_pump, self.stock_location), 2)

    def test_part_without_vendor_waits(self):
        part = self._create_part("Door Seal", cost=5.0, price=12.0)
        part.seller_ids = [Command.clear()]
        repair = self._create_repair([(part, 1)])
        issue = repair._aftersales_issue_parts()
        self.assertEqual(issue.state, "confirmed")
        self.assertFalse(repair.aftersales_purchase_ids)
        self.assertEqual(repair.aftersales_parts_state, "waiting")


@tagged("post_install", "-at_install")
class TestPartsRules(PartsCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._add_stock(cls.part_pump, 5)

    def test_draft_and_cancelled_orders_refused(self):
        draft = self._create_repair([(self.part_pump, 1)], confirm=False)
        with self.assertRaises(UserError):
            draft.action_aftersales_issue_parts()
        cancelled = self._create_repair([(self.part_pump, 1)])
        cancelled.action_repair_cancel()
        with self.assertRaises(UserError):
            (draft | cancelled).action_aftersales_issue_parts()
        self.assertFalse((draft | cancelled).aftersales_parts_picking_ids)
        self.assertEqual(self._qty(self.part_pump, self.workshop), 0)

    def test_direct_orders_refused(self):
        self.company.aftersales_parts_issue = False
        direct = self._create_repair([(self.part_pump, 1)])
        with self.assertRaises(UserError):
            direct.action_aftersales_issue_parts()
        self.assertFalse(direct.aftersales_parts_picking_ids)

    def test_over_issue_needs_manager(self):
        repair = self._create_repair([(self.part_pump, 1)])
        line = self._line(repair, self.part_pump)
        with self.assertRaises(UserError):
            repair.with_user(self.technician)._aftersales_issue_parts({line.id: 3})
        with self.assertRaises(UserError):
            repair.with_user(self.technician).with_context(
                aftersales_parts_override=True
            )._aftersales_issue_parts({line.id: 3})
        with self.assertRaises(UserError):
            repair._aftersales_issue_parts({line.id: -1})
        self.assertFalse(repair.aftersales_parts_picking_ids)

        issue = (
            repair.with_user(self.manager)
            .with_context(aftersales_parts_override=True)
            ._aftersales_issue_parts({line.id: 3})
        )
        self.assertEqual(issue.move_ids.product_uom_qty, 3.0)
        self.assertTrue(issue.move_ids.aftersales_over_issue)
        # The warehouse validates the approved quantity without further ado.
        self._validate(issue.with_user(self.stock_clerk))
        self.assertEqual(self._qty(self.part_pump, self.workshop), 3)

    def test_over_picking_at_validation_refused(self):
        repair = self._create_repair([(self.part_pump, 2)])
        issue = repair._aftersales_issue_parts()
        issue.move_ids.quantity = 4
        issue.move_ids.picked = True
        with self.assertRaises(UserError):
            issue.with_user(self.stock_clerk).button_validate()
        self.assertNotEqual(issue.state, "done")
        self.assertEqual(self._qty(self.part_pump, self.workshop), 0)
        self.assertEqual(self._qty(self.part_pump, self.stock_location), 5)

    def test_return_more_than_issued_refused(self):
        repair = self._create_repair([(self.part_pump, 2)])
        self._validate(repair._aftersales_issue_parts())
        with self.assertRaises(UserError):
            repair._aftersales_return_unused_parts({self.part_pump.id: 3})
        self.assertFalse(self._returns(repair))

        repair.action_repair_start()
        self._line(repair, self.part_pump).quantity = 1
        repair.action_repair_end()
        back = self._returns(repair)
        back.move_ids.quantity = 2  # one more than left unused
        back.move_ids.picked = True
        with self.assertRaises(UserError):
            back.button_validate()
        self.assertEqual(self._qty(self.part_pump, self.workshop), 1)
        self.assertEqual(self._qty(self.part_pump, self.stock_location), 3)


@tagged("post_install", "-at_install")
class TestPartsMultiWarehouse(PartsCommon):
    def test_second_warehouse_issues_from_its_own_stock(self):
        wh2 = self.env["stock.warehouse"].create({"name": "North Depot", "code": "NTH"})
        self._add_stock(self.part_belt, 3, location=wh2.lot_stock_id)
        self._add_stock(self.part_belt, 3)
        repair = self._create_repair([(self.part_belt, 2)], warehouse=wh2)
        self.assertEqual(repair.location_id, wh2.aftersales_workshop_location_id)
        issue = repair._aftersales_issue_parts()
        self.assertEqual(issue.picking_type_id, wh2.aftersales_parts_issue_type_id)
        self._validate(issue)
        self.assertEqual(self._qty(self.part_belt, wh2.lot_stock_id), 1)
        self.assertEqual(self._qty(self.part_belt, wh2.aftersales_workshop_location_id), 2)
        self.assertEqual(self._qty(self.part_belt, self.stock_location), 3)
        self.assertEqual(self._qty(self.part_belt, self.workshop), 0)


@tagged("post_install", "-at_install")
class TestPartsAccess(PartsCommon):
    def test_queue_and_access(self):
        self._add_stock(self.part_belt, 2)
        repair = self._create_repair([(self.part_belt, 1)], user_id=self.technician.id)
        repair.with_user(self.technician)._aftersales_issue_parts()
        values = repair.with_user(self.technician).read(
            [
                "aftersales_parts_state",
                "aftersales_purchase_count",
                "aftersales_parts_picking_count",
            ]
        )[0]
        self.assertEqual(values["aftersales_parts_state"], "ready")
        self.assertEqual(values["aftersales_parts_picking_count"], 1)
        Picking = self.env["stock.picking"].with_user(self.stock_clerk)
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "aftersales_service.stock_picking_action_aftersales_parts"
        )
        domain = safe_eval(action["domain"])
        queue = Picking.search(
            domain + [("state", "=", "assigned"), ("aftersales_repair_id", "=", repair.id)]
        )
        # Urgency: the resolution deadline of the claim behind the order, when there is one.
        self.assertFalse(queue.aftersales_date_due)
        self.assertEqual(queue.aftersales_repair_id, repair)
        self._validate(queue)
        self.assertEqual(queue.state, "done")
        claim = self._create_claim(self.customer_ru)
        repair.aftersales_claim_id = claim
        self.assertEqual(queue.aftersales_date_due, claim.date_resolution_due)
        with self.assertRaises(AccessError):
            self.env["aftersales.parts.report"].with_user(self.plain_user).search([])
