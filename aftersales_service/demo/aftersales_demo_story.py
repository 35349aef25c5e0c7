# Copyright 2026 aftersales_service authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import Command, api, fields, models


class AftersalesDemoStory(models.AbstractModel):
    """The demo's story: whose work is whose (Tom Technician's service orders, Fiona Front
    Desk's claims), the parts orders of the workshop, and the orders that serve a claim,
    opened from it (claim and order linked both ways).

    The shelf never runs empty: after the demo, every spare part has stock in WH/Stock (the
    last control board waits there, reserved for the order of the claim in progress).
    """

    _inherit = "aftersales.demo"  # pylint: disable=consider-merging-classes-inherited

    def _aftersales_demo_ref(self, xmlid):
        if "." not in xmlid:
            xmlid = f"aftersales_service.{xmlid}"
        return self.env.ref(xmlid, raise_if_not_found=False)

    def _aftersales_demo_receive(self, orders, days_ago=0):
        """Bring the customers' units of ``orders`` into the workshop (intake validated)."""
        orders.filtered("aftersales_can_create_intake").action_aftersales_create_intake()
        for intake in orders.aftersales_intake_picking_id.filtered(lambda p: p.state != "done"):
            intake.move_ids.picked = True
            intake.button_validate()
            if days_ago:
                intake.date_done = fields.Datetime.subtract(fields.Datetime.now(), days=days_ago)

    def _aftersales_demo_claim_order(self, claim, workshop, lines, labor, days_ago=0):
        """The service order of ``claim`` (opened from it, or the one its repair decision
        opened), in the workshop, with its parts and the technician's diagnosis hours;
        the unit received and the order confirmed."""
        tech = self._aftersales_demo_ref("demo_user_technician")
        labor_product = self._aftersales_demo_ref("demo_product_labor")
        order = claim.repair_ids.filtered(lambda r: r.state == "draft")[:1]
        if not order:
            order = claim.action_create_repair()
        order.write({"location_id": workshop.id, "user_id": tech.id if tech else False})
        name, hours = labor
        order.write(
            {
                "move_ids": [
                    Command.create(
                        {"product_id": part.id, "product_uom_qty": qty, "repair_line_type": "add"}
                    )
                    for part, qty in lines
                ],
                "aftersales_labor_ids": [
                    Command.create(
                        {
                            "user_id": tech.id if tech else False,
                            "product_id": labor_product.id,
                            "hours": hours,
                            "name": name,
                        }
                    )
                ],
            }
        )
        self._aftersales_demo_receive(order, days_ago=days_ago)
        order._action_repair_confirm()
        return order

    def _aftersales_demo_sold_serials(self, washer, sales):
        """Washers sold and delivered 400 days ago (outside the one-year windows of the
        quality alerts and expected costs): {serial name: lot} for ``sales``, a list of
        (customer, [serial names])."""
        lots = {}
        for partner, names in sales:
            sold = self.env["stock.lot"].create(
                [
                    {"name": name, "product_id": washer.id, "company_id": self.env.company.id}
                    for name in names
                ]
            )
            order = self.env["sale.order"].create(
                {
                    "partner_id": partner.id,
                    "order_line": [
                        Command.create({"product_id": washer.id, "product_uom_qty": len(sold)})
                    ],
                }
            )
            self._aftersales_demo_deliver(order.id, sold.ids, days_ago=400)
            lots.update({lot.name: lot for lot in sold})
        return lots

    @api.model
    def _aftersales_load_parts_demo(self):
        """Demo orders of the main warehouse with parts issued through the workshop (all
        Tom Technician's): one fully consumed, one whose control board is reserved on the
        shelf (ready to issue; the order of the claim in progress), one partly issued (the
        rest bought), one waiting for parts (the order of the overdue claim: the board is on
        a request for quotation) and one whose parts are still to request. The three on-site
        orders have washers of their own (WM100-2025-0009 to 0011, sold 400 days ago), so
        that no washer has two open orders. Skipped when the shared demo parts are missing.

        The company setting is on while they are created and restored afterwards, so the
        rest of the demo (and of the tests) keeps the host's direct consumption.
        """
        ref = self._aftersales_demo_ref
        pump, belt, board = ref("demo_part_pump"), ref("demo_part_belt"), ref("demo_part_board")
        washer, partner_ru, partner_eu = (
            ref("demo_product_washer"),
            ref("demo_partner_ru"),
            ref("demo_partner_eu"),
        )
        labor, tech = ref("demo_product_labor"), ref("demo_user_technician")
        claim_ready, claim_waiting = ref("demo_claim_in_progress"), ref("demo_claim_overdue")
        warehouse = ref("stock.warehouse0")
        if not all((pump, belt, board, washer, partner_ru, partner_eu, labor, warehouse)):
            return False
        lots = self._aftersales_demo_sold_serials(
            washer,
            [
                (partner_ru, ["WM100-2025-0009"]),
                (partner_eu, ["WM100-2025-0010", "WM100-2025-0011"]),
            ],
        )
        # Demo data loads before the install hook sets up existing warehouses.
        warehouse._aftersales_setup_workshop()
        workshop = warehouse.aftersales_workshop_location_id
        company = warehouse.company_id
        previous = company.aftersales_parts_issue
        company.aftersales_parts_issue = True

        def order(partner, lot, lines, hours=0.0, **vals):
            values = {
                "partner_id": partner.id,
                "picking_type_id": warehouse.repair_type_id.id,
                "product_id": washer.id,
                "lot_id": lot.id,
                "user_id": tech.id if tech else False,
                "move_ids": [
                    Command.create(
                        {"product_id": part.id, "product_uom_qty": qty, "repair_line_type": "add"}
                    )
                    for part, qty in lines
                ],
                "aftersales_labor_ids": [
                    Command.create(
                        {
                            "user_id": tech.id if tech else False,
                            "product_id": labor.id,
                            "hours": hours,
                            "name": "On-site repair",
                        }
                    )
                ]
                if hours
                else [],
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
        done = order(
            partner_ru,
            lots["WM100-2025-0009"],
            [(pump, 1), (belt, 1)],
            hours=1.0,
            under_warranty=True,
        )
        validate(done._aftersales_issue_parts())
        done.action_repair_start()
        done.action_repair_end()
        # Ready to issue: the claim in progress (error E21) gets a control board; the
        # warehouse has reserved it on the shelf and hands it over next.
        if claim_ready:
            self._aftersales_demo_claim_order(
                claim_ready,
                workshop,
                [(board, 1)],
                ("Diagnosis: error E21, control board", 0.5),
                days_ago=10,
            )._aftersales_issue_parts()
        # Partly issued: the warehouse handed over the free boards, the rest is bought.
        stock = warehouse.lot_stock_id
        available = board.with_context(location=stock.id).free_qty
        partly = order(
            partner_eu, lots["WM100-2025-0010"], [(board, available + 1), (belt, 1)], hours=0.5
        )
        validate(partly._aftersales_issue_parts())
        partly.action_repair_start()
        # Waiting for parts: the overdue claim's unit, in the workshop since its intake;
        # no free board on the shelf, one is on a request for quotation.
        if claim_waiting:
            self._aftersales_demo_claim_order(
                claim_waiting,
                workshop,
                [(board, 1)],
                ("Diagnosis: no drain, control board relay burnt", 1.0),
                days_ago=48,
            )._aftersales_issue_parts()
        # Parts still to request.
        order(partner_eu, lots["WM100-2025-0011"], [(pump, 1), (belt, 2)])
        company.aftersales_parts_issue = previous
        return True

    @api.model
    def _aftersales_demo_story(self):
        """Whose work is whose: Fiona Front Desk owns the claims of the counter, phone, mail
        and portal; the after-sales manager (the administrator) the dealer's and the
        disputed one; Tom Technician the disputed unit's service order. Skipped when the
        demo users are missing."""
        ref = self._aftersales_demo_ref
        tech, desk = ref("demo_user_technician"), ref("demo_user_frontdesk")
        admin = ref("base.user_admin")
        if not (tech and desk and admin):
            return False
        Claim = self.env["aftersales.claim"]
        desk_claims = Claim.browse(
            [
                claim.id
                for claim in (
                    ref(f"demo_claim_{key}")
                    for key in (
                        "new",
                        "overdue",
                        "diagnosis",
                        "decided",
                        "in_progress",
                        "done",
                        "rejected",
                        "cancel",
                    )
                )
                if claim
            ]
        )
        desk_claims.write({"user_id": desk.id})
        demo_lots = desk_claims.lot_id | self.env["stock.lot"].search(
            [("name", "=", "WM-DISPUTED-01")]
        )
        others = Claim.search([("lot_id", "in", demo_lots.ids), ("id", "not in", desk_claims.ids)])
        others.write({"user_id": admin.id})
        others.repair_ids.write({"user_id": tech.id})
        return True
