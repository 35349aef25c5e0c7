# Copyright 2026 aftersales_service authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import datetime

from odoo import fields, models
from odoo.exceptions import AccessError, UserError

from ..rules import recovery
from .aftersales_supplier_claim import supplier_claim_workflow

MANAGER_GROUP = "aftersales_service.group_aftersales_manager"


class AftersalesSupplierClaimPayment(models.Model):
    """A claim the vendor settled outside the books of the claim (paid by bank transfer, or
    deducted from a payment), with no credit note: the amount and the date are recorded."""

    _inherit = "aftersales.supplier.claim"  # pylint: disable=consider-merging-classes-inherited

    date_paid = fields.Date(string="Paid On", readonly=True, copy=False, tracking=True)
    # Typed on the form before pressing Mark Paid (the decision is ``date_paid``).
    payment_date = fields.Date(copy=False, help="When the vendor paid; empty: today.")

    def _aftersales_payment_date(self, date):
        if date in (None, False):
            return fields.Date.context_today(self)
        if isinstance(date, datetime.datetime) or not isinstance(date, (datetime.date, str)):
            raise UserError(self.env._("The payment date must be a date."))
        try:
            value = fields.Date.to_date(date)
        except ValueError:
            raise UserError(self.env._("The payment date must be a date.")) from None
        if value > fields.Date.context_today(self):
            raise UserError(self.env._("The payment date cannot be in the future."))
        if self.date_sent and value < self.date_sent:
            raise UserError(
                self.env._(
                    "The payment date cannot be before the claim was sent (%(date)s).",
                    date=self.date_sent,
                )
            )
        return value

    def action_mark_paid(self, amount=None, date=None):
        """The vendor paid ``amount`` (default: what was claimed) on ``date`` (default:
        today) outside a credit note: the claim is settled (state ``paid``), the amount is
        allocated to the lines (so to the service orders' recovered cost) pro rata to their
        amounts, and the chatter says so. After-sales managers only: it is the recovery
        the accounts will be reconciled with."""
        if not self.env.su and not self.env.user.has_group(MANAGER_GROUP):
            raise AccessError(
                self.env._("Only an after-sales manager can record a supplier's payment.")
            )
        claims = self._aftersales_lock()
        claims._check_state(("sent",), self.env._("marked paid"))
        for claim in claims:
            value = claim._accept_amount(amount)
            paid_on = claim._aftersales_payment_date(date)
            shares = recovery.allocate(
                value, claim.line_ids.mapped("amount"), claim.currency_id.decimal_places
            )
            with supplier_claim_workflow():
                for line, share in zip(claim.line_ids, shares, strict=True):
                    line.amount_recovered = share
                claim.write(
                    {
                        "state": "paid",
                        "amount_recovered": value,
                        "date_paid": paid_on,
                        "date_decided": fields.Date.context_today(self),
                        "payment_date": False,
                        "amount_offered": False,
                    }
                )
            claim.message_post(
                body=self.env._(
                    "Paid by the vendor outside a credit note: %(amount)s on %(date)s.",
                    amount=claim.currency_id.format(value),
                    date=fields.Date.to_string(paid_on),
                )
            )
        return True

    def action_mark_paid_from_form(self):
        self.ensure_one()
        return self.action_mark_paid(
            amount=self.amount_offered or None, date=self.payment_date or None
        )
