from odoo import fields, models


class AccountMove(models.Model):
    """A service order's customer invoice that is cancelled, deleted or fully credited
    re-opens the order's billing, so the customer's share can be invoiced again (the
    warranty entry, already posted, stays as it is)."""

    _inherit = "account.move"

    aftersales_warranty_repair_ids = fields.One2many(
        "repair.order",
        "aftersales_warranty_move_id",
        string="Service Orders (Warranty)",
        help="The service orders whose warranty share this entry books.",
    )
    # The inverse of ``repair.order.aftersales_dealer_bill_id``, whose amounts the order's
    # warranty share follows (``repair_order_dealer.py``). Declared, it lets the ORM read
    # (and cache) an entry's dealer orders when the entry's amounts change, instead of
    # searching the service orders at every write of any journal item of any entry.
    aftersales_dealer_repair_ids = fields.One2many(
        "repair.order",
        "aftersales_dealer_bill_id",
        string="Service Orders (Dealer Bill)",
        readonly=True,
        help="The dealers' service orders this vendor bill reimburses.",
    )

    def _aftersales_service_orders(self):
        invoices = self.filtered(lambda m: m.move_type == "out_invoice")
        if not invoices:
            return self.env["repair.order"]
        return (
            self.env["repair.order"].sudo().search([("aftersales_invoice_id", "in", invoices.ids)])
        )

    def button_cancel(self):
        res = super().button_cancel()
        cancelled = self.filtered(lambda m: m.state == "cancel")
        cancelled._aftersales_service_orders()._aftersales_reopen_billing(cancelled)
        return res

    def unlink(self):
        orders = self._aftersales_service_orders()
        invoices = orders.aftersales_invoice_id & self
        if orders:
            orders._aftersales_reopen_billing(invoices)
        return super().unlink()

    def _post(self, soft=True):
        posted = super()._post(soft=soft)
        refunds = posted.filtered(lambda m: m.move_type == "out_refund" and m.reversed_entry_id)
        if refunds:
            originals = refunds.reversed_entry_id
            orders = originals._aftersales_service_orders()
            if orders:
                # Only a full credit of the invoice re-opens billing; a partial one (a
                # discount granted afterwards) leaves the order settled.
                for original in originals:
                    refunded = original.reversal_move_ids.filtered(lambda r: r.state == "posted")
                    total = sum(refunded.mapped("amount_total"))
                    if original.currency_id.compare_amounts(total, original.amount_total) < 0:
                        originals -= original
                orders._aftersales_reopen_billing(originals)
        return posted
