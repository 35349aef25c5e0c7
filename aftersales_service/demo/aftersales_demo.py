# Copyright 2026 aftersales_service authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import Command, api, fields, models

from ..models.aftersales_warranty import BASE_KINDS
from ..rules import warranty_dates


class AftersalesDemo(models.AbstractModel):
    """The builders the demo data calls: they walk demo records through the real flows
    (deliveries, service orders, parts issuing), so the demo shows what users would see.

    Kept apart from the business models, in one place; the demo XML files call them with
    ``<function model="aftersales.demo" .../>``.
    """

    _name = "aftersales.demo"
    _description = "After-Sales Demo Builders"

    @api.model
    def _aftersales_demo_deliver(self, order_id, lot_ids, days_ago=0):
        """Confirm a demo sale order, deliver exactly ``lot_ids`` and date it ``days_ago``."""
        order = self.env["sale.order"].browse(order_id)
        lots = self.env["stock.lot"].browse(lot_ids)
        stock_location = (
            self.env["stock.warehouse"]
            .search([("company_id", "=", order.company_id.id)], limit=1)
            .lot_stock_id
        )
        for lot in lots:
            self.env["stock.quant"].with_context(inventory_mode=True).create(
                {
                    "product_id": lot.product_id.id,
                    "location_id": stock_location.id,
                    "lot_id": lot.id,
                    "inventory_quantity": 1,
                }
            ).action_apply_inventory()
        if order.state == "draft":
            order.action_confirm()
        picking = order.picking_ids.filtered(lambda p: p.state not in ("done", "cancel"))
        picking.action_assign()
        for move in picking.move_ids:
            move_lots = lots.filtered(lambda lot, m=move: lot.product_id == m.product_id)
            move.move_line_ids.unlink()
            move.move_line_ids = [
                fields.Command.create(
                    {
                        "product_id": move.product_id.id,
                        "lot_id": lot.id,
                        "quantity": 1,
                        "location_id": move.location_id.id,
                        "location_dest_id": move.location_dest_id.id,
                        "picking_id": picking.id,
                    }
                )
                for lot in move_lots
            ]
        picking.move_ids.picked = True
        picking.with_context(skip_backorder=True, cancel_backorder=True).button_validate()
        if days_ago:
            when = fields.Datetime.subtract(fields.Datetime.now(), days=days_ago)
            picking.write({"date_done": when})
            picking.move_ids.write({"date": when})
            picking.move_ids.move_line_ids.write({"date": when})
            order.write({"date_order": when})
            layers = (
                self.env["aftersales.warranty"]
                .sudo()
                .search([("move_id", "in", picking.move_ids.ids)])
            )
            day = fields.Date.to_date(when)
            for layer in layers.filtered(lambda w: w.kind != "extended"):
                layer.date_start = day
            for layer in layers.filtered(lambda w: w.kind == "extended"):
                base = layers.filtered(
                    lambda w, lay=layer: w.lot_id == lay.lot_id and w.kind in BASE_KINDS
                )
                layer.date_start = (
                    warranty_dates.extension_start(max(base.mapped("date_end"))) if base else day
                )
        return True


    @api.model
    def _aftersales_demo_process(self, order_ids, stage="done", days_ago=0):
        """Walk demo orders through the real flow: intake, repair, and optionally invoice.

        ``stage``: ``under_repair``, ``done`` or ``invoiced``; ``days_ago`` backdates the
        intake so that service days show.
        """
        orders = self.env["repair.order"].browse(order_ids)
        orders.filtered("aftersales_can_create_intake").action_aftersales_create_intake()
        for intake in orders.aftersales_intake_picking_id.filtered(lambda p: p.state != "done"):
            intake.move_ids.picked = True
            intake.button_validate()
            if days_ago:
                intake.date_done = fields.Datetime.subtract(fields.Datetime.now(), days=days_ago)
        for order in orders.filtered(lambda o: o.state == "draft"):
            order.action_validate()
        orders.action_assign()
        orders.filtered(lambda o: o.state == "confirmed").action_repair_start()
        if stage in ("done", "invoiced"):
            orders.filtered(lambda o: o.state == "under_repair").action_repair_end()
        if stage == "invoiced":
            self._aftersales_demo_absorption_account(orders.company_id)
            orders.filtered("aftersales_can_invoice").action_aftersales_invoice()
        return True

    @api.model
    def _aftersales_demo_absorption_account(self, companies):
        """Covered labour is settled only with the company's absorption account: give the
        demo companies one."""
        for company in companies.filtered(lambda c: not c.aftersales_service_cost_account_id):
            Account = self.env["account.account"].with_company(company)
            company.aftersales_service_cost_account_id = Account.create(
                {
                    "name": "Covered Labour Absorbed",
                    "code": Account._search_new_account_code("619000"),
                    "account_type": "expense",
                    "company_ids": [Command.link(company.id)],
                }
            )

    @api.model
    def _aftersales_demo_books(self, order_ids):
        """Invoice demo sale orders (a price reduction reduces a posted invoice) and give
        their companies a compensation expense account (damages are not revenue)."""
        orders = self.env["sale.order"].browse(order_ids)
        invoices = orders._create_invoices()
        invoices.action_post()
        for company in orders.company_id.filtered(
            lambda c: not c.aftersales_compensation_account_id
        ):
            Account = self.env["account.account"].with_company(company)
            company.aftersales_compensation_account_id = Account.create(
                {
                    "name": "Consumer Compensation",
                    "code": Account._search_new_account_code("623000"),
                    "account_type": "expense",
                    "company_ids": [Command.link(company.id)],
                }
            )
        return True

    @api.model
    def _aftersales_load_parts_demo(self):
        """Demo orders of the main warehouse with parts issued through the workshop: one
        fully consumed, one partly issued (the rest bought), one waiting for parts and one
        whose parts are still to request. Skipped when the shared demo parts are missing.

        The company setting is on while they are created and restored afterwards, so the
        rest of the demo (and of the tests) keeps the host's direct consumption.
        """

        def ref(xmlid):
            return self.env.ref(f"aftersales_service.{xmlid}", raise_if_not_found=False)

        pump, belt, board = ref("demo_part_pump"), ref("demo_part_belt"), ref("demo_part_board")
        washer, partner_ru, partner_eu = (
            ref("demo_product_washer"),
            ref("demo_partner_ru"),
            ref("demo_partner_eu"),
        )
        lots = [ref(f"demo_lot_washer_0{i}") for i in (1, 2, 5, 6)]
        warehouse = self.env.ref("stock.warehouse0", raise_if_not_found=False)
        if not all((pump, belt, board, washer, partner_ru, partner_eu, warehouse, *lots)):
            return False
        # Demo data loads before the install hook sets up existing warehouses.
        warehouse._aftersales_setup_workshop()
        company = warehouse.company_id
        previous = company.aftersales_parts_issue
        company.aftersales_parts_issue = True

        def order(partner, lot, lines, **vals):
            values = {
                "partner_id": partner.id,
                "picking_type_id": warehouse.repair_type_id.id,
                "product_id": washer.id,
                "lot_id": lot.id,
                "move_ids": [
                    Command.create(
                        {"product_id": part.id, "product_uom_qty": qty, "repair_line_type": "add"}
                    )
                    for part, qty in lines
                ],
                **vals,
                "aftersales_on_site": True,
            }
            repair = self.env["repair.order"].create(values)
            repair._action_repair_confirm()
            return repair

        def validate(pickings):
            for picking in pickings:
                picking.move_ids.picked = True
                picking.with_context(skip_backorder=True).button_validate()

        # Fully consumed: issued, used, nothing left in the workshop.
        done = order(partner_ru, lots[0], [(pump, 1), (belt, 1)], under_warranty=True)
        validate(done._aftersales_issue_parts())
        done.action_repair_start()
        done.action_repair_end()
        # Partly issued: the warehouse handed over what it had, the rest is bought.
        stock = warehouse.lot_stock_id
        available = board.with_context(location=stock.id).free_qty
        partly = order(partner_eu, lots[2], [(board, available + 2), (belt, 1)])
        validate(partly._aftersales_issue_parts())
        partly.action_repair_start()
        # Waiting for parts: nothing left on the shelf for this board.
        order(partner_ru, lots[1], [(board, 1)])._aftersales_issue_parts()
        # Parts still to request.
        order(partner_eu, lots[3], [(pump, 1), (belt, 2)])
        company.aftersales_parts_issue = previous
        return True
