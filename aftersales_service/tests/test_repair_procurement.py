from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import tagged

from .test_parts_common import PartsCommon


@tagged("post_install", "-at_install")
class TestRepairProcurement(PartsCommon):
    """Orders consuming parts straight from stock buy what the warehouse cannot cover."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.aftersales_parts_issue = False
        cls.part_orphan = cls.env["product.product"].create(
            {"name": "Obsolete Gasket", "is_storable": True, "standard_price": 3.0}
        )

    def _po_lines(self, product):
        return self.env["purchase.order.line"].search([("product_id", "=", product.id)])

    def test_confirm_buys_shortage_and_receipt_feeds_the_order(self):
        self._add_stock(self.part_board, 1)
        repair = self._create_repair([(self.part_board, 3)])
        self.assertEqual(repair.state, "confirmed")
        self.assertFalse(repair.aftersales_parts_issue_mode)
        lines = self._line(repair, self.part_board)
        self.assertEqual(len(lines), 2)
        from_stock = lines.filtered(lambda m: m.procure_method == "make_to_stock")
        bought = lines - from_stock
        self.assertEqual(from_stock.product_uom_qty, 1.0)
        self.assertEqual(bought.product_uom_qty, 2.0)
        self.assertEqual(bought.repair_line_type, "add")
        self.assertFalse(bought.picking_id)
        self.assertEqual(sum(lines.mapped("product_uom_qty")), 3.0)
        po_lines = self._po_lines(self.part_board)
        self.assertEqual(len(po_lines), 1)
        self.assertEqual(po_lines.product_qty, 2.0)
        purchase = po_lines.order_id
        self.assertEqual(purchase.state, "draft")
        self.assertEqual(purchase.partner_id, self.vendor)
        self.assertEqual(repair.aftersales_purchase_ids, purchase)
        self.assertEqual(repair.aftersales_purchase_count, 1)
        action = repair.action_aftersales_view_purchases()
        self.assertEqual(action["domain"], [("id", "in", purchase.ids)])
        self.assertFalse(repair.can_aftersales_request_parts)

        purchase.button_confirm()
        receipt = purchase.picking_ids
        self.assertEqual(bought.move_orig_ids, receipt.move_ids)
        self.assertEqual(repair.aftersales_purchase_ids, purchase)
        self._validate(receipt)
        self.assertEqual(bought.state, "assigned")
        self.assertEqual(bought.quantity, 2.0)
        repair.action_assign()
        self.assertEqual(sum(lines.mapped("quantity")), 3.0)
        repair.action_repair_start()
        repair.action_repair_end()
        self.assertEqual(repair.state, "done")
        self.assertEqual(sum(lines.mapped("quantity")), 3.0)
        self.assertEqual(set(lines.mapped("state")), {"done"})
        self.assertEqual(self._qty(self.part_board, self.stock_location), 0)

    def test_part_without_vendor_just_waits(self):
        repair = self._create_repair([(self.part_orphan, 2)])
        self.assertEqual(repair.state, "confirmed")
        line = self._line(repair, self.part_orphan)
        self.assertEqual(len(line), 1)
        self.assertEqual(line.procure_method, "make_to_stock")
        self.assertEqual(line.product_uom_qty, 2.0)
        self.assertFalse(self._po_lines(self.part_orphan))
        self.assertFalse(repair.aftersales_purchase_ids)
        # The button stays offered (parts are missing) and asking again changes nothing.
        self.assertTrue(repair.can_aftersales_request_parts)
        action = repair.action_aftersales_request_parts()
        self.assertEqual(action["tag"], "display_notification")
        self.assertEqual(self._line(repair, self.part_orphan), line)
        self.assertFalse(self._po_lines(self.part_orphan))

    def test_second_order_buys_only_its_own_shortage_and_rerun_buys_nothing(self):
        self._add_stock(self.part_board, 1)
        first = self._create_repair([(self.part_board, 3)])
        self.assertEqual(sum(self._po_lines(self.part_board).mapped("product_qty")), 2.0)
        second = self._create_repair([(self.part_board, 2)])
        po_lines = self._po_lines(self.part_board)
        self.assertEqual(sum(po_lines.mapped("product_qty")), 4.0)
        # Bought whole: the order keeps one part line, now from the vendor.
        line = self._line(second, self.part_board)
        self.assertEqual(len(line), 1)
        self.assertEqual(line.procure_method, "make_to_order")
        self.assertEqual(line.product_uom_qty, 2.0)
        self.assertEqual(second.aftersales_purchase_ids, po_lines.order_id)

        moves = (first | second).move_ids
        (first | second).action_aftersales_request_parts()
        self.assertEqual((first | second).move_ids, moves)
        self.assertEqual(self._po_lines(self.part_board), po_lines)
        self.assertEqual(sum(po_lines.mapped("product_qty")), 4.0)

    def test_part_added_after_confirmation_is_requested_by_button(self):
        repair = self._create_repair([(self.part_orphan, 1)])
        repair.move_ids = [
            Command.create(
                {
                    "product_id": self.part_pump.id,
                    "product_uom_qty": 2,
                    "repair_line_type": "add",
                }
            )
        ]
        self.assertFalse(self._po_lines(self.part_pump))
        self.assertTrue(repair.can_aftersales_request_parts)
        self.assertTrue(repair.action_aftersales_request_parts())
        po_line = self._po_lines(self.part_pump)
        self.assertEqual(po_line.product_qty, 2.0)
        self.assertEqual(po_line.order_id.partner_id, self.vendor)
        self.assertIn(po_line.order_id, repair.aftersales_purchase_ids)

    def test_request_refused_outside_direct_confirmed_orders(self):
        draft = self._create_repair([(self.part_pump, 1)], confirm=False)
        with self.assertRaises(UserError):
            draft.action_aftersales_request_parts()
        self.assertFalse(self._po_lines(self.part_pump))
        self.company.aftersales_parts_issue = True
        issuing = self._create_repair([(self.part_pump, 1)])
        self.assertTrue(issuing.aftersales_parts_issue_mode)
        self.assertFalse(issuing.can_aftersales_request_parts)
        with self.assertRaises(UserError):
            issuing.action_aftersales_request_parts()
        # Parts issuing buys at the issue, not at confirmation.
        self.assertFalse(self._po_lines(self.part_pump))
