from odoo.exceptions import AccessError
from odoo.tests import tagged
from odoo.tools import sql
from odoo.tools.safe_eval import safe_eval

from .test_parts_common import PartsCommon


@tagged("post_install", "-at_install")
class TestPartsReport(PartsCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._add_stock(cls.part_pump, 10)
        cls._add_stock(cls.part_belt, 10)
        # Order 1: two pumps and a belt planned, one pump used, the other returned.
        cls.repair_1 = cls._create_repair(
            [(cls.part_pump, 2), (cls.part_belt, 1)], user_id=cls.technician.id
        )
        cls._validate(cls.repair_1._aftersales_issue_parts())
        cls.repair_1.action_repair_start()
        cls.repair_1.move_ids.filtered(lambda m: m.product_id == cls.part_pump).quantity = 1
        cls.repair_1.action_repair_end()
        cls._validate(
            cls.repair_1.aftersales_parts_picking_ids.filtered(
                lambda p: p.aftersales_purpose == "parts_return"
            )
        )
        # Order 2 (under warranty): one belt planned, two used with the manager's approval.
        cls.repair_2 = cls._create_repair(
            [(cls.part_belt, 1)], user_id=cls.technician_2.id, under_warranty=True
        )
        line = cls.repair_2.move_ids
        cls._validate(
            cls.repair_2.with_user(cls.manager)
            .with_context(aftersales_parts_override=True)
            ._aftersales_issue_parts({line.id: 2})
        )
        cls.repair_2.action_repair_start()
        line.quantity = 2
        cls.repair_2.action_repair_end()
        cls.Report = cls.env["aftersales.parts.report"]

    def _row(self, repair, product):
        return self.Report.search([("repair_id", "=", repair.id), ("product_id", "=", product.id)])

    def test_figures_per_order_and_part(self):
        pump = self._row(self.repair_1, self.part_pump)
        self.assertRecordValues(
            pump,
            [
                {
                    "qty_planned": 2.0,
                    "qty_issued": 2.0,
                    "qty_consumed": 1.0,
                    "qty_returned": 1.0,
                    "cost_consumed": 50.0,
                    "qty_variance": -1.0,
                    "variance_percent": -50.0,
                    "user_id": self.technician.id,
                    "repair_state": "done",
                    "under_warranty": False,
                }
            ],
        )
        belt_1 = self._row(self.repair_1, self.part_belt)
        self.assertRecordValues(
            belt_1,
            [{"qty_planned": 1.0, "qty_consumed": 1.0, "qty_returned": 0.0, "qty_variance": 0.0}],
        )
        belt_2 = self._row(self.repair_2, self.part_belt)
        self.assertRecordValues(
            belt_2,
            [
                {
                    "qty_planned": 1.0,
                    "qty_issued": 2.0,
                    "qty_consumed": 2.0,
                    "cost_consumed": 20.0,
                    "qty_variance": 1.0,
                    "variance_percent": 100.0,
                    "user_id": self.technician_2.id,
                    "under_warranty": True,
                }
            ],
        )
        # The consumed cost is the stock valuation of the consumption.
        self.assertAlmostEqual(
            belt_2.cost_consumed,
            -sum(self.repair_2.move_ids.stock_valuation_layer_ids.mapped("value")),
        )

    def test_over_plan_filter_and_grouping(self):
        orders = self.repair_1 | self.repair_2
        over = self.Report.search([("repair_id", "in", orders.ids), ("variance_percent", ">", 10)])
        self.assertEqual(over.repair_id, self.repair_2)
        self.assertEqual(over.product_id, self.part_belt)
        groups = self.Report._read_group(
            [("repair_id", "in", orders.ids)],
            ["product_id", "date:month"],
            ["qty_consumed:sum", "cost_consumed:sum"],
        )
        consumed = {product: qty for product, _month, qty, _cost in groups}
        self.assertEqual(consumed[self.part_belt], 3.0)
        self.assertEqual(consumed[self.part_pump], 1.0)

    def test_parts_under_warranty_list(self):
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "aftersales_service.aftersales_parts_report_action_warranty"
        )
        rows = self.Report.search(
            safe_eval(action["domain"]) + [("repair_id", "in", (self.repair_1 | self.repair_2).ids)]
        )
        self.assertEqual(rows.repair_id, self.repair_2)

    def test_access_and_index(self):
        self.assertTrue(self.Report.with_user(self.manager).search_count([]))
        self.assertTrue(self.Report.with_user(self.stock_clerk).search_count([]))
        with self.assertRaises(AccessError):
            self.Report.with_user(self.plain_user).search([])
        self.assertTrue(sql.index_exists(self.env.cr, "stock_move_repair_id_index"))
