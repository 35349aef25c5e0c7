# Copyright 2026 aftersales_service authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models


class RepairOrderDocuments(models.Model):
    """What the service order's printed documents need: the unit as received (acceptance
    act), the diagnosis (technical conclusion), and the lines of the completion act with who
    pays what. The figures are the customer's own (what they pay, what the warranty covers
    at sale price), read with sudo so any user who may print the order prints the same act."""

    _inherit = "repair.order"  # pylint: disable=consider-merging-classes-inherited

    aftersales_intake_condition = fields.Text(
        string="Visible Condition",
        help="State of the unit as received: scratches, dents, traces of use.",
    )
    aftersales_intake_completeness = fields.Text(
        string="Completeness",
        help="What came with the unit: accessories, cables, packaging, documents.",
    )
    aftersales_diagnosis = fields.Html(
        string="Diagnosis", help="The technician's findings (technical conclusion)."
    )

    def _aftersales_report_defects(self):
        """Defect records of the order, when the defects concern is installed."""
        self.ensure_one()
        if "aftersales.defect" not in self.env:
            return []
        return self.env["aftersales.defect"].sudo().search([("repair_id", "=", self.id)])

    def _aftersales_document_parts(self):
        """Parts of the completion act: product, serials, quantity, price, coverage and the
        customer's share (company currency, the order's figures)."""
        self.ensure_one()
        order = self.sudo()
        currency = order.company_id.currency_id
        lines = []
        for move in order.move_ids._aftersales_part_moves():
            price = move._aftersales_price()
            coverage = move.aftersales_coverage
            lines.append(
                {
                    "product": move.product_id.display_name,
                    "serials": ", ".join(
                        (move.move_line_ids.lot_id or move.lot_ids).mapped("name")
                    ),
                    "quantity": move._aftersales_quantity(),
                    "uom": move.product_uom.name,
                    "price": currency.round(price),
                    "coverage": coverage,
                    "customer": currency.round(price * (100.0 - coverage) / 100.0),
                }
            )
        return lines

    def _aftersales_document_labor(self):
        """Labor lines of the completion act (hours, price, coverage, customer's share)."""
        self.ensure_one()
        return [
            {
                "name": line.name or line.product_id.display_name,
                "technician": line.user_id.name or "",
                "hours": line.hours,
                "price": line.repair_id._aftersales_to_company_currency(line.price_amount),
                "coverage": line.coverage,
                "customer": line.billable_amount,
            }
            for line in self.sudo().aftersales_labor_ids
        ]

    def _aftersales_document_totals(self):
        """Totals of the completion act: the order at sale prices, what the warranty covers,
        what the customer pays (= the order's customer share)."""
        self.ensure_one()
        order = self.sudo()
        currency = order.company_id.currency_id
        parts = self._aftersales_document_parts()
        labor = self._aftersales_document_labor()
        total = sum(p["price"] for p in parts) + sum(line["price"] for line in labor)
        customer = order.aftersales_amount_billable
        return {
            "currency": currency,
            "total": currency.round(total),
            "customer": customer,
            "covered": currency.round(max(total - customer, 0.0)),
        }

    def _aftersales_date_out(self):
        """When the unit left the workshop: the return delivery, else the order's end."""
        self.ensure_one()
        order = self.sudo()
        return order.aftersales_return_picking_id.date_done or (
            order.write_date if order.state == "done" else False
        )

    def _aftersales_report_lang(self):
        return self.partner_id.lang or self.env.lang

    def _aftersales_date_in(self):
        self.ensure_one()
        order = self.sudo()
        return order.aftersales_date_intake or order.create_date
