from odoo.exceptions import AccessError
from odoo.tests import tagged

from .common import AftersalesCommon


@tagged("post_install", "-at_install")
class TestSecurity(AftersalesCommon):
    def test_builders_deliver_serials(self):
        order, _lots = self._sell_and_deliver(self.customer_ru, serials=("SEC-1", "SEC-2"))
        self.assertEqual(order.picking_ids.state, "done")
        self.assertEqual(
            sorted(order.picking_ids.move_line_ids.lot_id.mapped("name")), ["SEC-1", "SEC-2"]
        )
        in_stock = self.product_unit.with_context(location=self.stock_location.id).qty_available
        self.assertEqual(in_stock, 0)

    def test_plain_user_cannot_read_addon_records(self):
        models = [
            "aftersales.warranty.term",
            "aftersales.warranty",
            "aftersales.claim",
            "aftersales.legal.rule",
            "aftersales.labor.line",
            "aftersales.parts.report",
        ]
        for model in models:
            with self.subTest(model=model), self.assertRaises(AccessError):
                self.env[model].with_user(self.plain_user).search([], limit=1)
