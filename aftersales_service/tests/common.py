"""Shared data builders for the addon's tests.

Everything is built in ``setUpClass`` inside the test transaction, on the current company
(given the generic chart of accounts when it has none), so tests need no demo data.
"""

from odoo import Command
from odoo.tests import TransactionCase, new_test_user


class AftersalesCommon(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True))
        # The tests compare dates with UTC's today: the users running them count days in UTC
        # too, so that "today" is one date at any hour (the database's Europe/Brussels is a
        # day ahead from 23:00 UTC). The time-zone tests set their zones explicitly.
        (cls.env.user | cls.env.ref("base.user_admin")).tz = "UTC"
        cls.company = cls.env.company
        if not cls.company.chart_template:
            cls.env["account.chart.template"].try_loading("generic_coa", cls.company)
        cls.warehouse = cls.env["stock.warehouse"].search(
            [("company_id", "=", cls.company.id)], limit=1
        )
        cls.stock_location = cls.warehouse.lot_stock_id
        cls.customer_location = cls.env.ref("stock.stock_location_customers")
        cls.supplier_location = cls.env.ref("stock.stock_location_suppliers")

        # People
        cls.country_ru = cls.env.ref("base.ru")
        cls.country_de = cls.env.ref("base.de")
        cls.customer_ru = cls.env["res.partner"].create(
            {"name": "Ivan Petrov", "country_id": cls.country_ru.id, "email": "ivan@example.ru"}
        )
        cls.customer_eu = cls.env["res.partner"].create(
            {"name": "Anna Schmidt", "country_id": cls.country_de.id, "email": "anna@example.de"}
        )
        cls.vendor = cls.env["res.partner"].create({"name": "Parts Supplier Ltd"})
        cls.manager = new_test_user(
            cls.env,
            login="as_manager",
            groups="aftersales_service.group_aftersales_manager,account.group_account_invoice",
            name="After-Sales Manager",
        )
        cls.frontdesk = new_test_user(
            cls.env,
            login="as_user",
            groups="aftersales_service.group_aftersales_user",
            name="Front Desk",
        )
        cls.technician = new_test_user(
            cls.env,
            login="as_technician",
            groups="aftersales_service.group_aftersales_technician",
            name="Technician One",
        )
        cls.technician_2 = new_test_user(
            cls.env,
            login="as_technician_2",
            groups="aftersales_service.group_aftersales_technician",
            name="Technician Two",
        )
        cls.plain_user = new_test_user(
            cls.env, login="as_plain", groups="base.group_user", name="Plain Employee"
        )

        # Products
        cls.categ_units = cls.env["product.category"].create(
            {
                "name": "Appliances",
                "property_cost_method": "fifo",
                "property_valuation": "real_time",
            }
        )
        cls.categ_parts = cls.env["product.category"].create(
            {
                "name": "Spare Parts",
                "property_cost_method": "fifo",
                "property_valuation": "real_time",
            }
        )
        cls.product_unit = cls.env["product.product"].create(
            {
                "name": "Washing Machine WM-100",
                "type": "consu",
                "is_storable": True,
                "tracking": "serial",
                "categ_id": cls.categ_units.id,
                "list_price": 1000.0,
                "standard_price": 600.0,
                "invoice_policy": "delivery",
            }
        )
        cls.part_pump = cls._create_part("Drain Pump", cost=50.0, price=80.0)
        cls.part_belt = cls._create_part("Drive Belt", cost=10.0, price=25.0)
        cls.part_board = cls._create_part("Control Board", cost=120.0, price=200.0)
        cls.service_labor = cls.env["product.product"].create(
            {
                "name": "Repair Labor (hour)",
                "type": "service",
                "standard_price": 20.0,
                "list_price": 40.0,
            }
        )

    # Builders -------------------------------------------------------------------------

    @classmethod
    def _create_part(cls, name, cost, price, tracking="none"):
        return cls.env["product.product"].create(
            {
                "name": name,
                "type": "consu",
                "is_storable": True,
                "tracking": tracking,
                "categ_id": cls.categ_parts.id,
                "standard_price": cost,
                "list_price": price,
                "seller_ids": [Command.create({"partner_id": cls.vendor.id, "price": cost})],
            }
        )

    @classmethod
    def _create_lots(cls, product, names):
        return cls.env["stock.lot"].create(
            [{"name": n, "product_id": product.id, "company_id": cls.company.id} for n in names]
        )

    @classmethod
    def _add_stock(cls, product, qty, lot=None, location=None):
        """Put quantity in stock through an inventory adjustment (valued at product cost)."""
        quant = (
            cls.env["stock.quant"]
            .with_context(inventory_mode=True)
            .create(
                {
                    "product_id": product.id,
                    "location_id": (location or cls.stock_location).id,
                    "lot_id": lot.id if lot else False,
                    "inventory_quantity": qty,
                }
            )
        )
        quant.action_apply_inventory()
        return quant

    @classmethod
    def _sell(cls, partner, lines, confirm=True):
        """Sale order with ``lines`` = [(product, qty[, price])]."""
        order = cls.env["sale.order"].create(
            {
                "partner_id": partner.id,
                "order_line": [
                    Command.create(
                        {
                            "product_id": line[0].id,
                            "product_uom_qty": line[1],
                            **({"price_unit": line[2]} if len(line) > 2 else {}),
                        }
                    )
                    for line in lines
                ],
            }
        )
        if confirm:
            order.action_confirm()
        return order

    @classmethod
    def _deliver(cls, picking, lots=None, qty=None):
        """Validate ``picking`` delivering exactly ``lots`` (or ``qty`` of untracked goods)."""
        picking.action_assign()
        if lots is not None:
            for move in picking.move_ids:
                move_lots = lots.filtered(lambda lot, m=move: lot.product_id == m.product_id)
                if not move_lots:
                    continue
                move.move_line_ids.unlink()
                move.move_line_ids = [
                    Command.create(
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
        elif qty is not None:
            for move in picking.move_ids:
                move.quantity = qty
        picking.move_ids.picked = True
        res = picking.with_context(skip_backorder=False).button_validate()
        if isinstance(res, dict) and res.get("res_model") == "stock.backorder.confirmation":
            wizard = (
                cls.env["stock.backorder.confirmation"].with_context(**res["context"]).create({})
            )
            wizard.process()
        return picking

    @classmethod
    def _sell_and_deliver(cls, partner, product=None, serials=("SN-0001",), extra_lines=()):
        """Sell serial units (with optional extra lines) and deliver them: (order, lots)."""
        product = product or cls.product_unit
        lots = cls._create_lots(product, serials)
        for lot in lots:
            cls._add_stock(product, 1, lot=lot)
        order = cls._sell(partner, [(product, len(lots)), *extra_lines])
        picking = order.picking_ids.filtered(lambda p: p.state not in ("done", "cancel"))
        cls._deliver(picking, lots=lots)
        return order, lots

    # --- Warranty builders ---

    @classmethod
    def _create_warranty_term(cls, name="Legal Guarantee 2 Years", **vals):
        """Warranty term: legal, 2 years, full coverage, on ``product_unit`` unless told."""
        values = {
            "name": name,
            "kind": "legal",
            "duration": 2,
            "duration_unit": "year",
            "parts_coverage": 100.0,
            "labor_coverage": 100.0,
            "logistics_coverage": 100.0,
            "product_tmpl_ids": [Command.link(cls.product_unit.product_tmpl_id.id)],
        }
        values.update(vals)
        return cls.env["aftersales.warranty.term"].create(values)

    # --- Claims ---

    @classmethod
    def _create_claim(cls, partner, lot=None, request="repair", defect=True, **vals):
        """A claim as the front desk registers it (sale order and product from the serial).

        With a serial and ``defect`` (default), the technician's defect record too: the
        company requires one before a claim's service order is finished."""
        claim = cls.env["aftersales.claim"].create(
            {
                "partner_id": partner.id,
                "lot_id": lot.id if lot else False,
                "request": request,
                "channel": "counter",
                **vals,
            }
        )
        if defect and claim.lot_id:
            cls.env["aftersales.defect"].create(
                {
                    "claim_id": claim.id,
                    "symptom_code_id": cls.env.ref("aftersales_service.defect_code_s_nopower").id,
                }
            )
        return claim

    @classmethod
    def _invoice(cls, order):
        """Invoice what was delivered on ``order`` and post the invoice."""
        invoice = order._create_invoices()
        invoice.action_post()
        return invoice
