"""Builders shared by the parts issuing tests and benchmark (no tests here)."""

from odoo import Command
from odoo.tests import new_test_user

from .common import AftersalesCommon


class PartsCommon(AftersalesCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.aftersales_parts_issue = True
        cls.workshop = cls.warehouse.aftersales_workshop_location_id
        cls.issue_type = cls.warehouse.aftersales_parts_issue_type_id
        cls.return_type = cls.warehouse.aftersales_parts_return_type_id
        cls.stock_clerk = new_test_user(
            cls.env, login="as_clerk", groups="stock.group_stock_user", name="Warehouse Clerk"
        )

    # Builders -------------------------------------------------------------------------

    @classmethod
    def _create_repair(cls, lines, confirm=True, warehouse=None, **vals):
        """Service order with part lines ``lines`` = [(product, qty)], confirmed by default."""
        values = {
            "partner_id": cls.customer_ru.id,
            "move_ids": [
                Command.create(
                    {"product_id": product.id, "product_uom_qty": qty, "repair_line_type": "add"}
                )
                for product, qty in lines
            ],
            **vals,
        }
        if warehouse:
            values["picking_type_id"] = warehouse.repair_type_id.id
        repair = cls.env["repair.order"].create(values)
        if confirm:
            repair.action_validate()
        return repair

    @classmethod
    def _validate(cls, picking, qty=None):
        """Validate ``picking`` with what is reserved (or ``qty`` per move), backorder kept."""
        return cls._deliver(picking, qty=qty)

    def _qty(self, product, location, lot=None):
        quants = self.env["stock.quant"]._gather(product, location, lot_id=lot, strict=True)
        return sum(quants.mapped("quantity"))

    def _line(self, repair, product):
        return repair.move_ids.filtered(lambda m: m.product_id == product)

    def _issues(self, repair):
        return repair.aftersales_parts_picking_ids.filtered(
            lambda p: p.aftersales_purpose == "parts_issue"
        )

    def _returns(self, repair):
        return repair.aftersales_parts_picking_ids.filtered(
            lambda p: p.aftersales_purpose == "parts_return"
        )
