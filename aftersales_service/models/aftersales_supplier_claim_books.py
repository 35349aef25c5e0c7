# Copyright 2026 aftersales_service authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import Command, fields, models
from odoo.exceptions import UserError


class AftersalesSupplierClaimBooks(models.Model):
    """The documents a supplier claim creates: the vendor credit note of an accepted claim
    (and the account it credits) and the return of the kept faulty parts."""

    _inherit = "aftersales.supplier.claim"  # pylint: disable=consider-merging-classes-inherited

    def _aftersales_recovery_account(self, line):
        """Account the recovered amount is credited to: where the cost it repays was
        debited. A warranty recovery repays warranty cost: the company's warranty expense
        account (the service order's warranty entry debited it), so the net warranty cost
        shows there. A breach claim repays part of a purchase: the product's expense
        account."""
        company = self.company_id
        if self.claim_type == "warranty":
            return company._aftersales_get_warranty_expense_account()
        accounts = line.product_id.product_tmpl_id.with_company(company).get_product_accounts()
        account = accounts.get("expense")
        if not account:
            raise UserError(
                self.env._(
                    "No expense account for %(product)s in %(company)s.",
                    product=line.product_id.display_name,
                    company=company.name,
                )
            )
        return account

    def _prepare_refund_vals(self, amount, shares):
        """The vendor credit note (``in_refund``) for ``amount``, one line per claim line
        with its share. No taxes: a recovery of warranty cost or a contractual penalty is
        damages, not the consideration of a supply (EU VAT Directive art. 2 and 73; CJEU
        C-277/05)."""
        self.ensure_one()
        return {
            "move_type": "in_refund",
            "partner_id": self.partner_id.id,
            "company_id": self.company_id.id,
            "invoice_date": fields.Date.context_today(self),
            "ref": self.name,
            "invoice_origin": self.name,
            "invoice_line_ids": [
                Command.create(
                    {
                        "product_id": line.product_id.id,
                        "name": self.env._(
                            "%(claim)s: %(product)s %(lot)s",
                            claim=self.name,
                            product=line.product_id.display_name,
                            lot=line.lot_id.name or "",
                        ),
                        "quantity": 1,
                        "price_unit": share,
                        "account_id": self._aftersales_recovery_account(line).id,
                        "tax_ids": [Command.clear()],
                    }
                )
                for line, share in zip(self.line_ids, shares, strict=True)
                if share
            ],
        }

    def _prepare_return_picking_vals(self):
        """Return of the kept faulty parts to the vendor, from the company's scrap location
        (where the service orders put the parts they remove)."""
        self.ensure_one()
        company = self.company_id
        warehouse = self.env["stock.warehouse"].search([("company_id", "=", company.id)], limit=1)
        source = self.env["stock.location"].search(
            [("scrap_location", "=", True), ("company_id", "in", (company.id, False))], limit=1
        )
        dest = self.partner_id.with_company(company).property_stock_supplier
        if not (warehouse and source and dest):
            raise UserError(
                self.env._(
                    "Company %(company)s needs a warehouse and a scrap location to return "
                    "the faulty parts.",
                    company=company.name,
                )
            )
        lines = self.line_ids.filtered(lambda ln: ln.product_id.type == "consu")
        return {
            "picking_type_id": warehouse.out_type_id.id,
            "partner_id": self.partner_id.id,
            "location_id": source.id,
            "location_dest_id": dest.id,
            "origin": self.name,
            "company_id": company.id,
            "move_ids": [
                Command.create(
                    {
                        "name": self.name,
                        "product_id": line.product_id.id,
                        "product_uom": line.product_id.uom_id.id,
                        "product_uom_qty": line.quantity,
                        "location_id": source.id,
                        "location_dest_id": dest.id,
                        "company_id": company.id,
                    }
                )
                for line in lines
            ],
        }
