"""Parts that are not there (issue 12): issue what is available, keep the rest as a
backorder tied to its purchase, refuse to end a repair while issued parts are missing."""

from datetime import datetime

from lxml import etree

from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import Form, tagged
from odoo.tools.safe_eval import safe_eval

from .test_parts_common import PartsCommon


@tagged("post_install", "-at_install")
class TestPartsMissing(PartsCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._add_stock(cls.part_pump, 5)

    def _assert_no_zero_demand(self, pickings):
        for move in pickings.move_ids:
            self.assertGreater(move.product_uom_qty, 0.0, f"zero-demand line {move.name}")

    def _purchase_line(self, product):
        return self.env["purchase.order.line"].search([("product_id", "=", product.id)])

    def _end_refused(self, repair, method="action_repair_end"):
        """End ``repair`` as its technician, expect the refusal; return the message."""
        with self.assertRaises(UserError) as caught:
            getattr(repair.with_user(self.technician), method)()
        return str(caught.exception)

    def test_partial_issue_backorder_receipt_then_end(self):
        self._add_stock(self.part_board, 1)
        repair = self._create_repair([(self.part_board, 3)], user_id=self.technician.id)
        line = self._line(repair, self.part_board)
        repair.with_user(self.technician).action_aftersales_issue_parts()
        issue = self._issues(repair)
        self.assertEqual(issue.state, "assigned")
        self._assert_no_zero_demand(issue)
        purchase = self._purchase_line(self.part_board).order_id
        self.assertEqual(len(purchase), 1)
        self.assertEqual(purchase.state, "draft")
        self.assertEqual(purchase.order_line.product_qty, 2.0)

        # The warehouse issues what is there; the rest stays as a backorder.
        self._validate(issue.with_user(self.stock_clerk))
        self.assertEqual(issue.state, "done")
        self.assertEqual(sum(issue.move_ids.mapped("quantity")), 1.0)
        self.assertEqual(self._qty(self.part_board, self.stock_location), 0)
        self.assertEqual(self._qty(self.part_board, self.workshop), 1)
        backorder = issue.backorder_ids
        self.assertEqual(len(backorder), 1)
        self.assertEqual(self._issues(repair), issue | backorder)
        self.assertEqual(backorder.aftersales_purpose, "parts_issue")
        self.assertEqual(backorder.aftersales_repair_id, repair)
        self.assertEqual(backorder.move_ids.product_uom_qty, 2.0)
        self.assertEqual(backorder.move_ids.quantity, 0.0)
        self.assertEqual(backorder.move_ids.aftersales_issue_availability, "waiting")
        self._assert_no_zero_demand(issue | backorder)
        # Tied to the purchase buying the missing quantity, on the transfer, its move and
        # the order's part line.
        self.assertEqual(backorder.aftersales_parts_purchase_ids, purchase)
        self.assertEqual(backorder.move_ids.aftersales_purchase_id, purchase)
        self.assertEqual(line.aftersales_purchase_id, purchase)
        self.assertEqual(line.aftersales_qty_issued, 1.0)
        self.assertEqual(line.aftersales_qty_missing, 2.0)
        self.assertEqual(repair.aftersales_parts_state, "waiting")

        repair.with_user(self.technician).action_repair_start()
        message = self._end_refused(repair)
        self.assertIn("Control Board", message)
        self.assertIn("2.0", message)
        self.assertIn(repair.name, message)
        self.assertEqual(repair.state, "under_repair")
        self.assertEqual(line.state, "partially_available")
        self.assertEqual(line.quantity, 1.0)
        self.assertEqual(backorder.state, "waiting")  # on the purchase

        # The purchase arrives: the backorder is reserved (ready), then issued.
        purchase.button_confirm()
        self.env.invalidate_all()
        receipt = purchase.picking_ids
        self.assertEqual(backorder.move_ids.move_orig_ids, receipt.move_ids)
        self.assertEqual(backorder.move_ids.aftersales_purchase_id, purchase)
        self._validate(receipt)
        self.env.invalidate_all()  # (display fields, computed fresh by each request)
        self.assertEqual(self._qty(self.part_board, self.stock_location), 2)
        self.assertEqual(backorder.state, "assigned")
        self.assertEqual(backorder.move_ids.aftersales_issue_availability, "available")
        self.assertFalse(backorder.aftersales_date_receipt)  # nothing more to come
        self._validate(backorder.with_user(self.stock_clerk))
        self.assertEqual(backorder.state, "done")
        self.assertEqual(self._qty(self.part_board, self.stock_location), 0)
        self.assertEqual(self._qty(self.part_board, self.workshop), 3)
        self.assertEqual(line.quantity, 3.0)
        # The check on the way to done costs one query when nothing is missing.
        self.assertTrue(repair.aftersales_parts_issue_mode)
        self.env.flush_all()
        with self.assertQueryCount(1):
            repair._aftersales_check_parts_not_missing()

        repair.with_user(self.technician).action_repair_end()
        self.assertEqual(repair.state, "done")
        self.assertEqual(line.state, "done")
        self.assertEqual(line.quantity, 3.0)
        self.assertEqual(self._qty(self.part_board, self.workshop), 0)
        self.assertFalse(self._returns(repair))

    def test_nothing_in_stock_one_line_bought_whole(self):
        repair = self._create_repair([(self.part_board, 2), (self.part_pump, 1)])
        issue = repair._aftersales_issue_parts()
        # One line per part, none with zero demand (the bought part is not split in two).
        self.assertEqual(len(issue.move_ids), 2)
        self._assert_no_zero_demand(issue)
        board = issue.move_ids.filtered(lambda m: m.product_id == self.part_board)
        self.assertEqual(board.product_uom_qty, 2.0)
        self.assertEqual(board.procure_method, "make_to_order")
        self.assertEqual(board.aftersales_issue_availability, "waiting")
        self.assertEqual((issue.move_ids - board).aftersales_issue_availability, "available")
        line = self._line(repair, self.part_board)
        self.assertEqual(line.move_orig_ids, board)
        self.assertEqual(self._purchase_line(self.part_board).product_qty, 2.0)
        # The pump goes, the board waits in a backorder.
        self._validate(issue)
        self.assertEqual(self._qty(self.part_pump, self.workshop), 1)
        self.assertEqual(self._qty(self.part_board, self.workshop), 0)
        self.assertEqual(issue.backorder_ids.move_ids, board)
        self._assert_no_zero_demand(issue | issue.backorder_ids)

    def test_expected_receipt_date_from_known_purchase(self):
        first = self._create_repair([(self.part_board, 2)])
        second = self._create_repair([(self.part_board, 1)])
        issues = (first | second)._aftersales_issue_parts()
        moves = issues.move_ids
        self.assertEqual(len(moves), 2)
        po_line = self._purchase_line(self.part_board)
        self.assertEqual(po_line.product_qty, 3.0)
        purchase = po_line.order_id
        planned = datetime(2031, 3, 14, 9, 30)
        po_line.date_planned = planned
        # Request for quotation: its planned date.
        self.env.invalidate_all()
        self.assertEqual(moves.mapped("aftersales_date_receipt"), [planned, planned])
        self.assertEqual(moves.aftersales_purchase_id, purchase)
        self.assertEqual(issues.mapped("aftersales_date_receipt"), [planned, planned])
        # Confirmed: the receipt's date, one query for the whole list.
        purchase.button_confirm()
        receipt_move = purchase.picking_ids.move_ids
        self.assertEqual(receipt_move.date, planned)
        later = datetime(2031, 4, 1, 8, 0)
        receipt_move.date = later
        # One query for the list, whatever its length (not one per line).
        counts = []
        # (browsed as a list view gets them: the whole page prefetched together)
        for records in (moves.browse(moves[:1].ids), moves.browse(moves.ids)):
            self.env.flush_all()
            self.env.invalidate_all()
            before = self.cr.sql_log_count
            dates = records.mapped("aftersales_date_receipt")
            counts.append(self.cr.sql_log_count - before)
        self.assertEqual(counts[0], counts[1])
        self.assertLessEqual(counts[1], 2)
        self.assertEqual(dates, [later, later])
        self.assertEqual(moves.aftersales_purchase_id, purchase)
        self.assertEqual(self._line(first, self.part_board).aftersales_date_receipt, later)
        # The warehouse queue lists each pending part with its availability and date.
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "aftersales_service.stock_move_action_aftersales_parts_queue"
        )
        queue = (
            self.env["stock.move"].with_user(self.stock_clerk).search(safe_eval(action["domain"]))
        )
        self.assertEqual(queue & moves, moves)  # (the demo's pending issues are there too)
        values = (queue & moves).read(["aftersales_issue_availability", "aftersales_date_receipt"])
        self.assertEqual(
            {(v["aftersales_issue_availability"], v["aftersales_date_receipt"]) for v in values},
            {("waiting", later)},
        )

    def test_remove_missing_line_cancels_backorder_then_end(self):
        repair = self._create_repair(
            [(self.part_pump, 1), (self.part_board, 2)], user_id=self.technician.id
        )
        repair._aftersales_issue_parts()
        issue = self._issues(repair)
        purchase = self._purchase_line(self.part_board).order_id
        self._validate(issue)
        backorder = issue.backorder_ids
        self.assertEqual(backorder.move_ids.product_id, self.part_board)
        repair.action_repair_start()
        message = self._end_refused(repair)
        self.assertIn("Control Board", message)
        self.assertIn("2.0", message)
        self.assertNotIn("Drain Pump", message)

        board_line = self._line(repair, self.part_board)
        repair.with_user(self.technician).write({"move_ids": [Command.delete(board_line.id)]})
        self.assertFalse(board_line.exists())
        self.assertEqual(backorder.state, "cancel")
        self.assertEqual(backorder.move_ids.state, "cancel")
        self.assertNotEqual(repair.aftersales_parts_state, "waiting")
        # The purchase is the buyer's to cancel or keep (for stock); the backorder no
        # longer reserves its receipt.
        self.assertEqual(purchase.state, "draft")

        repair.with_user(self.technician).action_repair_end()
        self.assertEqual(repair.state, "done")
        self.assertEqual(self._line(repair, self.part_pump).state, "done")
        self.assertEqual(self._qty(self.part_pump, self.workshop), 0)
        self.assertEqual(self._qty(self.part_pump, self.stock_location), 4)
        self.assertEqual(self._qty(self.part_board, self.workshop), 0)

    def test_direct_call_to_done_refused_nothing_changed(self):
        # No vendor: the missing quantity is not bought, the issue splits at validation.
        part = self._create_part("Door Seal", cost=5.0, price=12.0)
        part.seller_ids = [Command.clear()]
        self._add_stock(part, 1)
        repair = self._create_repair([(part, 3)], user_id=self.technician.id)
        issue = repair._aftersales_issue_parts()
        self._validate(issue)
        backorder = issue.backorder_ids
        self.assertEqual(backorder.move_ids.product_uom_qty, 2.0)
        self.assertEqual(backorder.move_ids.aftersales_parts_role, "issue")
        self.assertFalse(backorder.aftersales_parts_purchase_ids)
        repair.action_repair_start()
        line = self._line(repair, part)
        for method in ("action_repair_end", "action_repair_done"):
            message = self._end_refused(repair, method)
            self.assertIn("Door Seal", message)
            self.assertEqual(repair.state, "under_repair")
            self.assertEqual(line.state, "partially_available")
            self.assertEqual(line.quantity, 1.0)
            self.assertEqual(backorder.state, "confirmed")
            self.assertEqual(self._qty(part, self.workshop), 1)
        # Stock found later: the backorder is reserved; a reserved issue is not missing.
        self._add_stock(part, 2)
        backorder.action_assign()
        self.assertEqual(backorder.state, "assigned")
        self.assertFalse(repair._aftersales_missing_parts())

    def test_part_line_edited_in_form(self):
        """The parts tab shows the purchase of a line being edited (onchange, new records)."""
        repair = self._create_repair([(self.part_board, 2)])
        repair._aftersales_issue_parts()
        purchase = self._purchase_line(self.part_board).order_id
        with Form(repair) as form:
            with form.move_ids.edit(0) as line:
                line.product_uom_qty = 3
                self.assertEqual(line.aftersales_purchase_id, purchase)
            with form.move_ids.new() as line:
                line.product_id = self.part_pump
                self.assertFalse(line.aftersales_purchase_id)
                line.product_uom_qty = 1


COVERAGE_FIELDS = {
    "parts_coverage",
    "labor_coverage",
    "logistics_coverage",
    "aftersales_parts_coverage",
    "aftersales_labor_coverage",
    "aftersales_logistics_coverage",
    "aftersales_coverage",
    "coverage",
}
COVERAGE_VIEWS = {
    "aftersales.claim": ("form", "list"),
    "aftersales.warranty": ("form", "list"),
    "aftersales.warranty.term": ("form", "list"),
    "aftersales.labor.line": ("form", "list"),
    "repair.order": ("form",),
    "stock.lot": ("form", "list"),
    "product.template": ("form",),
}


@tagged("post_install", "-at_install")
class TestCoveragePercent(PartsCommon):
    """Coverage percentages are stored 0-100 (DESIGN.md): every view shows them as plain
    numbers (``widget="float"``, never the 0-1 ``percentage`` widget) labelled with a %."""

    def _check_nodes(self, model, node, seen):
        for child in node:
            if not isinstance(child.tag, str):
                continue
            name = child.get("name")
            if child.tag == "field" and name in model._fields:
                field = model._fields[name]
                if name in COVERAGE_FIELDS and field.type == "float":
                    seen.append(f"{model._name}.{name}")
                    self.assertEqual(child.get("widget"), "float", f"{model._name}.{name}")
                    label = child.get("string") or field.string
                    self.assertIn("%", label, f"{model._name}.{name}: {label}")
                if field.relational:
                    self._check_nodes(self.env[field.comodel_name], child, seen)
                    continue
            self._check_nodes(model, child, seen)

    def test_coverage_fields_show_percent(self):
        seen = []
        for model_name, view_types in COVERAGE_VIEWS.items():
            model = self.env[model_name]
            for view_type in view_types:
                arch = model.get_view(view_type=view_type)["arch"]
                self._check_nodes(model, etree.fromstring(arch), seen)
        # The check ran on the fields it is about (orders, claims, terms, lines).
        for expected in (
            "aftersales.claim.parts_coverage",
            "aftersales.warranty.term.labor_coverage",
            "repair.order.aftersales_logistics_coverage",
            "stock.move.aftersales_coverage",
            "aftersales.labor.line.coverage",
            "stock.lot.aftersales_parts_coverage",
        ):
            self.assertIn(expected, seen)
