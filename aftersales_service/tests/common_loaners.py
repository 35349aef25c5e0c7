"""Builders for the loaner, expertise and logistics tests: a loaner pool in the warehouse's
Loaners location and a claim in diagnosis whose unit waits in Units in Service."""

from datetime import timedelta

from odoo import fields

from .test_repair import RepairCommon


class LoanerCommon(RepairCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Loaner = cls.env["aftersales.loaner"]
        cls.loaner_location = cls.warehouse.aftersales_loaner_location_id
        cls.service_location = cls.warehouse.aftersales_service_location_id
        cls.product_loaner = cls.env["product.product"].create(
            {
                "name": "Loaner Washing Machine",
                "type": "consu",
                "is_storable": True,
                "tracking": "serial",
                "categ_id": cls.categ_units.id,
                "standard_price": 400.0,
                "list_price": 700.0,
            }
        )
        cls.loaner_lots = cls._create_lots(cls.product_loaner, ["LN-1", "LN-2", "LN-3"])
        for lot in cls.loaner_lots:
            cls._add_stock(cls.product_loaner, 1, lot=lot, location=cls.loaner_location)
        cls.lot_a, cls.lot_b, cls.lot_c = cls.loaner_lots
        cls.today = fields.Date.context_today(cls.Loaner)
        cls.customer_location_ru = cls.customer_ru.property_stock_customer

    def _qty(self, lot, location):
        quants = self.env["stock.quant"].search(
            [("lot_id", "=", lot.id), ("location_id", "=", location.id)]
        )
        return sum(quants.mapped("quantity"))

    def _loan(self, lot=None, partner=None, days=10, **vals):
        return self.Loaner.create(
            {
                "lot_id": (lot or self.lot_a).id,
                "partner_id": (partner or self.customer_ru).id,
                "date_due": self.today + timedelta(days=days),
                **vals,
            }
        )

    def _claim_in_diagnosis(self, lot=None, **vals):
        claim = self._create_claim(self.customer_ru, lot=lot or self.lot_warranty, **vals)
        claim.action_start_diagnosis()
        self.assertEqual(claim.state, "diagnosis")
        return claim

    def _unit_in_service(self, lot, owner=None):
        """The customer's unit received for service (owned by the customer)."""
        quant = (
            self.env["stock.quant"]
            .with_context(inventory_mode=True)
            .create(
                {
                    "product_id": lot.product_id.id,
                    "location_id": self.service_location.id,
                    "lot_id": lot.id,
                    "owner_id": (owner or self.customer_ru).id,
                    "inventory_quantity": 1,
                }
            )
        )
        quant.action_apply_inventory()
        return quant
