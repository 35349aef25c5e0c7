"""Builders of the defect, supplier recovery and quality alert tests."""

from odoo import Command, fields

from .test_repair import RepairCommon


class DefectCommon(RepairCommon):
    """A lot-tracked motor bought from its own vendor (received with a receipt), next to the
    shared parts bought from the shared vendor."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.vendor_motor = cls.env["res.partner"].create({"name": "Motor Works GmbH"})
        cls.part_motor = cls._create_part("Drum Motor", cost=80.0, price=150.0, tracking="lot")
        cls.motor_lot = cls._create_lots(cls.part_motor, ["MOTOR-LOT-A"])
        cls.receipt = cls._receive_from(cls.vendor_motor, cls.part_motor, cls.motor_lot, 5)
        cls.code_noise = cls.env.ref("aftersales_service.defect_code_s_noise")
        cls.code_pump = cls.env.ref("aftersales_service.defect_code_f_mech_pump")
        cls.code_motor = cls.env.ref("aftersales_service.defect_code_f_elec_motor")
        cls.code_supplier = cls.env.ref("aftersales_service.defect_code_c_mat_sup")
        cls.code_replaced = cls.env.ref("aftersales_service.defect_code_r_repl")
        cls.Defect = cls.env["aftersales.defect"]
        cls.SupplierClaim = cls.env["aftersales.supplier.claim"]

    @classmethod
    def _receive_from(cls, vendor, product, lot, qty):
        """A validated receipt of ``qty`` of ``lot`` from ``vendor`` into stock."""
        picking = cls.env["stock.picking"].create(
            {
                "picking_type_id": cls.warehouse.in_type_id.id,
                "partner_id": vendor.id,
                "location_id": cls.supplier_location.id,
                "location_dest_id": cls.stock_location.id,
                "move_ids": [
                    Command.create(
                        {
                            "name": product.name,
                            "product_id": product.id,
                            "product_uom": product.uom_id.id,
                            "product_uom_qty": qty,
                            "location_id": cls.supplier_location.id,
                            "location_dest_id": cls.stock_location.id,
                        }
                    )
                ],
            }
        )
        picking.action_confirm()
        move = picking.move_ids
        move.move_line_ids.unlink()
        move.move_line_ids = [
            Command.create(
                {
                    "product_id": product.id,
                    "lot_id": lot.id,
                    "quantity": qty,
                    "location_id": cls.supplier_location.id,
                    "location_dest_id": cls.stock_location.id,
                    "picking_id": picking.id,
                }
            )
        ]
        move.picked = True
        picking.button_validate()
        return picking

    def _defect(self, order=None, claim=None, component=None, lot=None, **vals):
        """A defect as the Defects tab creates it: only what the technician typed (the rest
        is computed from the order or the claim)."""
        given = {
            "repair_id": order,
            "claim_id": claim,
            "component_id": component,
            "component_lot_id": lot,
        }
        values = {key: record.id for key, record in given.items() if record}
        return self.Defect.create({"symptom_code_id": self.code_noise.id, **values, **vals})

    def _warranty_order(self, lot, part, hours=2.0):
        """A finished, settled on-site order under warranty replacing ``part``, with its
        defect recorded: (order, defect)."""
        order = self._new_order(
            lot, parts=[(part, 1)], labor=[(self.technician, hours)], aftersales_on_site=True
        )
        defect = self._defect(
            order,
            component=part,
            fault_code_id=self.code_pump.id,
            cause_code_id=self.code_supplier.id,
            resolution_code_id=self.code_replaced.id,
        )
        self._finish(order)
        order.action_aftersales_invoice()
        return order, defect

    @staticmethod
    def _today():
        return fields.Date.today()
