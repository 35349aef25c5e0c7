from odoo import Command
from odoo.tests import HttpCase, new_test_user, tagged


@tagged("post_install", "-at_install")
class TestRoleTours(HttpCase):
    """Each role's daily work in a real browser (headless Chromium), on the demo company."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        cls.frontdesk = new_test_user(
            env, login="tour_desk", groups="aftersales_service.group_aftersales_user"
        )
        cls.technician = new_test_user(
            env, login="tour_tech", groups="aftersales_service.group_aftersales_technician"
        )
        cls.accountant = new_test_user(
            env, login="tour_billing", groups="account.group_account_invoice"
        )
        cls.customer = env["res.partner"].create({"name": "Tour Customer"})
        cls.product = env["product.product"].create(
            {"name": "Tour Appliance", "is_storable": True, "tracking": "serial"}
        )
        cls.lot = env["stock.lot"].create({"name": "TOUR-0001", "product_id": cls.product.id})
        cls.labor = env["product.product"].create(
            {"name": "Tour Bench Hour", "type": "service", "standard_price": 30.0}
        )

    def _order(self, **vals):
        return self.env["repair.order"].create(
            {
                "product_id": self.product.id,
                "lot_id": self.lot.id,
                "partner_id": self.customer.id,
                "aftersales_on_site": True,
                **vals,
            }
        )

    def test_front_desk_claim_from_serial_to_service_order(self):
        url = f"/odoo/action-stock.action_production_lot_form/{self.lot.id}"
        self.start_tour(url, "aftersales_front_desk_tour", login="tour_desk", timeout=120)
        claim = self.env["aftersales.claim"].search([("lot_id", "=", self.lot.id)])
        self.assertEqual(len(claim), 1)
        self.assertEqual(claim.summary, "Pump is noisy at start")
        self.assertEqual(claim.state, "diagnosis")
        self.assertEqual(len(claim.repair_ids), 1)

    def test_technician_logs_labor_and_ends_the_repair(self):
        order = self._order(user_id=self.technician.id)
        url = f"/odoo/action-aftersales_service.repair_order_action/{order.id}"
        self.start_tour(url, "aftersales_technician_tour", login="tour_tech", timeout=120)
        self.assertEqual(order.state, "done")
        self.assertEqual(order.aftersales_labor_ids.product_id, self.labor)
        self.assertEqual(order.aftersales_labor_ids.user_id, self.technician)

    def test_accountant_reads_costs_and_warranty_items(self):
        self.env.company.aftersales_service_cost_account_id = self.env["account.account"].create(
            {"name": "Tour Labor Absorbed", "code": "619977", "account_type": "expense"}
        )
        order = self._order()
        order.write(
            {"aftersales_labor_coverage": 100.0, "aftersales_coverage_reason": "Goodwill (tour)"}
        )
        order.write(
            {"aftersales_labor_ids": [Command.create({"product_id": self.labor.id, "hours": 2.0})]}
        )
        self.assertEqual(order.aftersales_labor_ids.coverage, 100.0)
        order.action_validate()
        order.action_repair_start()
        order.action_repair_end()
        order.action_aftersales_invoice()
        self.assertTrue(order.aftersales_warranty_move_id)
        url = f"/odoo/action-aftersales_service.repair_order_action_accounting/{order.id}"
        self.start_tour(url, "aftersales_accountant_tour", login="tour_billing", timeout=120)

    def test_warehouse_issues_the_parts(self):
        self.env.company.aftersales_parts_issue = True
        new_test_user(self.env, login="tour_clerk", groups="stock.group_stock_user")
        part = self.env["product.product"].create({"name": "Tour Pump", "is_storable": True})
        order = self._order(
            move_ids=[
                Command.create(
                    {"product_id": part.id, "product_uom_qty": 2, "repair_line_type": "add"}
                )
            ],
        )
        warehouse = order.picking_type_id.warehouse_id
        self.assertEqual(order.location_id, warehouse.aftersales_workshop_location_id)
        self.env["stock.quant"]._update_available_quantity(part, warehouse.lot_stock_id, 5)
        order.action_validate()
        order.action_aftersales_issue_parts()
        issue = order.aftersales_parts_picking_ids.filtered(
            lambda p: p.aftersales_purpose == "parts_issue"
        )
        self.assertEqual(issue.state, "assigned")
        url = f"/odoo/action-aftersales_service.stock_picking_action_aftersales_parts/{issue.id}"
        self.start_tour(url, "aftersales_warehouse_tour", login="tour_clerk", timeout=120)
        self.assertEqual(issue.state, "done")
        workshop = warehouse.aftersales_workshop_location_id
        self.assertEqual(part.with_context(location=workshop.id).qty_available, 2)
