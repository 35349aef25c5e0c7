# Copyright 2026 aftersales_service authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from dateutil.relativedelta import relativedelta

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
        """Covered labor is settled only with the company's absorption account: give the
        demo companies one."""
        for company in companies.filtered(lambda c: not c.aftersales_service_cost_account_id):
            Account = self.env["account.account"].with_company(company)
            company.aftersales_service_cost_account_id = Account.create(
                {
                    "name": "Covered Labor Absorbed",
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
    def _aftersales_demo_defects(self):
        """Defects on the demo service orders (codes, failed parts, their vendor), the pump
        failures claimed from the pump's vendor (sent with the parts, accepted), and the
        washers' systematic-defect alert. Skipped when the demo orders are missing."""

        def ref(xmlid):
            return self.env.ref(f"aftersales_service.{xmlid}", raise_if_not_found=False)

        warranty, mixed = ref("demo_repair_warranty"), ref("demo_repair_mixed")
        pump, belt = ref("demo_part_pump"), ref("demo_part_belt")
        washers = ref("demo_product_category_washers")
        if not all((warranty, mixed, pump, belt, washers)):
            return False
        Defect = self.env["aftersales.defect"]

        def defect(order, part, symptom, fault, cause, resolution="r_repl", **vals):
            return Defect.create(
                {
                    "repair_id": order.id,
                    "component_id": part.id,
                    "symptom_code_id": ref(f"defect_code_{symptom}").id,
                    "fault_code_id": ref(f"defect_code_{fault}").id,
                    "cause_code_id": ref(f"defect_code_{cause}").id,
                    "resolution_code_id": ref(f"defect_code_{resolution}").id,
                    **vals,
                }
            )

        pump_1 = defect(warranty, pump, "s_perf_drain", "f_mech_pump", "c_mat_sup")
        defect(warranty, belt, "s_noise_spin", "f_mech_belt", "c_wear")
        pump_2 = defect(mixed, pump, "s_perf_drain", "f_mech_pump", "c_mat_sup")
        action = (pump_1 | pump_2).action_create_supplier_claim()
        claims = self.env["aftersales.supplier.claim"].search(action["domain"])
        claims.write({"return_parts": True})
        claims.action_send()
        claims[:1].action_accept()
        washers.write({"aftersales_failure_threshold": 10.0, "aftersales_failure_window_days": 365})
        self.env["aftersales.quality.alert"]._cron_detect()
        return True

    @api.model
    def _aftersales_demo_loaners(self):
        """A loaner pool (three serial loaner units in the main warehouse's Loaners
        location), one of them out on loan for the claim in diagnosis, and an independent
        expertise concluded (manufacturing defect) on a disputed claim. Skipped when the
        demo claims are missing."""

        def ref(xmlid):
            return self.env.ref(f"aftersales_service.{xmlid}", raise_if_not_found=False)

        claim_diagnosis, washer = ref("demo_claim_diagnosis"), ref("demo_product_washer")
        if not all((claim_diagnosis, washer)):
            return False
        company = claim_diagnosis.company_id
        warehouse = self.env["stock.warehouse"].search([("company_id", "=", company.id)], limit=1)
        loaners = warehouse.aftersales_loaner_location_id
        product = self.env["product.product"].create(
            {
                "name": "Loaner Washing Machine",
                "type": "consu",
                "is_storable": True,
                "tracking": "serial",
                "categ_id": washer.categ_id.id,
                "standard_price": 250.0,
                "sale_ok": False,
            }
        )
        lots = self.env["stock.lot"].create(
            [
                {"name": f"LOANER-{n}", "product_id": product.id, "company_id": company.id}
                for n in (1, 2, 3)
            ]
        )
        for lot in lots:
            self.env["stock.quant"].with_context(inventory_mode=True).create(
                {
                    "product_id": product.id,
                    "location_id": loaners.id,
                    "lot_id": lot.id,
                    "inventory_quantity": 1,
                }
            ).action_apply_inventory()
        loan = self.env["aftersales.loaner"].create(
            {
                "lot_id": lots[0].id,
                "partner_id": claim_diagnosis.partner_id.id,
                "claim_id": claim_diagnosis.id,
                "company_id": company.id,
                "date_due": claim_diagnosis._aftersales_default_loan_due(),
            }
        )
        loan.action_lend()

        # A disputed claim on a washer sold two months ago: the unit is received, sent to
        # an expert who finds a manufacturing defect; the claim waits for its decision.
        disputed_lot = self.env["stock.lot"].create(
            {"name": "WM-DISPUTED-01", "product_id": washer.id, "company_id": company.id}
        )
        sale = self.env["sale.order"].create(
            {
                "partner_id": claim_diagnosis.partner_id.id,
                "company_id": company.id,
                "order_line": [Command.create({"product_id": washer.id, "product_uom_qty": 1})],
            }
        )
        self._aftersales_demo_deliver(sale.id, disputed_lot.ids, days_ago=60)
        claim = self.env["aftersales.claim"].create(
            {
                "partner_id": claim_diagnosis.partner_id.id,
                "lot_id": disputed_lot.id,
                "request": "repair",
                "channel": "counter",
                "summary": "Drum cracked: the customer denies any impact",
                "loaner_requested": True,
                "company_id": company.id,
            }
        )
        order = claim.action_create_repair()
        order.action_aftersales_create_intake()
        intake = order.aftersales_intake_picking_id
        intake.move_ids.picked = True
        intake.button_validate()
        expert = self.env["res.partner"].create(
            {"name": "Independent Appliance Expertise Lab", "is_company": True}
        )
        expertise = self.env["aftersales.expertise"].create(
            {"claim_id": claim.id, "expert_id": expert.id, "company_id": company.id}
        )
        expertise.action_send()
        expertise.action_conclude(
            "manufacturing_defect",
            cost=120.0,
            note="Casting flaw in the drum; no trace of impact.",
        )
        return True

    @api.model
    def _aftersales_demo_desk(self):
        """The manager's desk: a dealer and a supplier agreement, a maintenance plan, the
        competitors' warranties, the Moscow team with its skills, and the expected
        after-sales cost of the products from the demo history."""

        def ref(xmlid):
            return self.env.ref(xmlid, raise_if_not_found=False)

        washer = ref("aftersales_service.demo_product_washer")
        lot = ref("aftersales_service.demo_lot_washer_07")
        labor = ref("aftersales_service.demo_product_labor")
        washers = ref("aftersales_service.demo_product_category_washers")
        vendor = ref("aftersales_service.demo_partner_vendor")
        partner_ru = ref("aftersales_service.demo_partner_ru")
        if not all((washer, lot, labor, washers, vendor, partner_ru)):  # demo data removed
            return False
        company = lot.company_id or self.env.company
        today = fields.Date.context_today(self)
        Agreement = self.env["aftersales.agreement"].with_company(company)
        dealer = self.env["res.partner"].create(
            {"name": "Volga Appliance Service (dealer)", "is_company": True}
        )
        agreements = Agreement.create(
            [
                {
                    "title": "Dealer warranty service",
                    "partner_id": dealer.id,
                    "kind": "dealer",
                    "date_start": today - relativedelta(months=6),
                    "date_end": today + relativedelta(days=20),
                    "labor_rate": 35.0,
                    "parts_markup": 10.0,
                    "response_days": 3,
                    "categ_ids": [Command.link(washers.id)],
                    "company_id": company.id,
                },
                {
                    "title": "Pump supplier warranty terms",
                    "partner_id": vendor.id,
                    "kind": "supplier",
                    "date_start": today - relativedelta(years=1),
                    "labor_rate": 25.0,
                    "response_days": 20,
                    "warranty_months": 24,
                    "company_id": company.id,
                },
            ]
        )
        agreements.action_activate()
        agreements._cron_aftersales_agreement_expiry()  # the dealer's renewal reminder
        dealer_lot = ref("aftersales_service.demo_lot_washer_01")
        self.env["aftersales.claim"].create(
            {
                "partner_id": partner_ru.id,
                "lot_id": dealer_lot.id,
                "dealer_id": dealer.id,
                "request": "repair",
                "summary": "Repaired by the dealer: door lock replaced",
                "company_id": company.id,
            }
        )
        self.env["aftersales.service.plan"].with_company(company).create(
            {
                "lot_id": lot.id,
                "partner_id": (ref("aftersales_service.demo_partner_eu") or partner_ru).id,
                "product_id": labor.id,
                "interval": 6,
                "interval_unit": "months",
                "date_start": today - relativedelta(months=6),
                "date_next": today + relativedelta(days=10),
                "hours": 1.0,
                "fee": 49.0,
                "company_id": company.id,
            }
        )
        rivals = self.env["res.partner"].create(
            [
                {"name": "WashRival GmbH", "is_company": True},
                {"name": "CleanCo", "is_company": True},
            ]
        )
        self.env["aftersales.competitor.policy"].create(
            [
                {
                    "competitor_id": rivals[0].id,
                    "categ_id": washers.id,
                    "warranty_months": 36,
                    "extended_months": 24,
                    "extended_price": 89.0,
                    "service_terms": "Repair within 10 days, no loaner.",
                    "source": "Rival's web site",
                    "company_id": company.id,
                },
                {
                    "competitor_id": rivals[1].id,
                    "categ_id": washers.id,
                    "warranty_months": 12,
                    "source": "Leaflet at a dealer",
                    "company_id": company.id,
                },
            ]
        )
        users = (ref("base.user_admin") or self.env.user) | (ref("base.user_demo") or self.env.user)
        self.env["aftersales.team"].create(
            {
                "name": "Moscow Workshop",
                "leader_id": users[:1].id,
                "member_ids": [Command.set(users.ids)],
                "country_ids": [Command.set(ref("base.ru").ids)],
                "company_id": company.id,
            }
        )
        self.env["aftersales.technician.skill"].create(
            [
                {
                    "user_id": user.id,
                    "categ_id": washers.id,
                    "certificate": "Washer service level 2",
                    "date_expiry": today + relativedelta(years=1),
                    "company_id": company.id,
                }
                for user in users
            ]
        )
        self.env["product.template"]._cron_aftersales_expected_cost()
        return True

    @api.model
    def _aftersales_demo_desk_reports(self):
        """What the manager's reports read beyond the demo history: the customers' ratings
        of the resolved claims (volume and timing report) and the parts forecast horizon.
        Consumption and forecast come from the demo's done service orders and registered
        serials."""
        claims = self.env["aftersales.claim"].search(
            [("date_resolved", "!=", False), ("partner_id", "!=", False)], order="id", limit=3
        )
        if not claims:  # demo data removed
            return False
        model_id = self.env["ir.model"]._get_id("aftersales.claim")
        self.env["rating.rating"].create(
            [
                {
                    "res_model_id": model_id,
                    "res_id": claim.id,
                    "partner_id": claim.partner_id.id,
                    "rating": value,
                    "feedback": feedback,
                    "consumed": True,
                }
                for claim, value, feedback in zip(
                    claims,
                    (5, 4, 2),
                    ("Fast and polite.", "Good repair, a bit slow.", "Had to call twice."),
                    strict=False,
                )
            ]
        )
        claims.company_id.write({"aftersales_forecast_months": 3})
        return True
