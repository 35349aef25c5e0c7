# Copyright 2026 aftersales_service authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import models
from odoo.exceptions import UserError


class RepairOrder(models.Model):
    """One way to bill a service order. The host's *Create Quotation* (repair → sale order →
    invoice) and the addon's *Invoice Service* (customer share invoiced, warranty share
    booked) each bill the whole order; taking both bills the customer twice."""

    _inherit = "repair.order"  # pylint: disable=consider-merging-classes-inherited

    def action_create_sale_order(self):
        billed = self.filtered(lambda o: o.aftersales_invoiced or o.aftersales_invoice_id)
        if billed:
            raise UserError(
                self.env._(
                    "Service orders %(orders)s are already billed with Invoice Service; a "
                    "quotation would bill them a second time.",
                    orders=", ".join(billed.mapped("name")),
                )
            )
        return super().action_create_sale_order()
