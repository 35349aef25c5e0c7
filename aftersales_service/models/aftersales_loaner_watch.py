import math

from odoo import Command, api, fields, models
from odoo.exceptions import UserError


class AftersalesLoanerWatch(models.Model):
    """The money and the clock of a loan: the damage invoice of a unit returned damaged or
    missing, and the daily overdue check with its to-do for the front desk."""

    _inherit = "aftersales.loaner"  # pylint: disable=consider-merging-classes-inherited

    def _damage_value(self, amount):
        if amount in (None, False):
            return 0.0
        if isinstance(amount, bool) or not isinstance(amount, (int, float)):
            raise UserError(self.env._("The damage amount must be a number."))
        if not math.isfinite(amount) or amount < 0:
            raise UserError(self.env._("The damage amount must be a positive number."))
        return float(amount)

    def _prepare_damage_invoice_vals(self, amount):
        """Draft customer invoice of the damage (the accountant checks and posts it): one
        line of the loaner damage product at the amount given, its taxes from the product."""
        self.ensure_one()
        product = self.env.ref(
            "aftersales_service.product_aftersales_loaner_damage", raise_if_not_found=False
        )
        line = {"name": self.env._("Damage to loaner %s", self.lot_id.name), "quantity": 1}
        line["price_unit"] = amount
        if product:
            line["product_id"] = product.id
        return {
            "move_type": "out_invoice",
            "partner_id": self.partner_id.id,
            "company_id": self.company_id.id,
            "invoice_origin": self.name,
            "ref": self.name,
            "invoice_line_ids": [Command.create(line)],
        }

    # Overdue -----------------------------------------------------------------------------

    def _aftersales_update_overdue(self, today=None):
        """Set ``is_overdue`` of lent loans from their due date; a loan turning overdue
        gets a to-do for its responsible (the front desk calls the customer)."""
        today = today or fields.Date.context_today(self)
        late = self.filtered(lambda loan: loan.state == "lent" and loan.date_due < today)
        late_new = late.filtered(lambda loan: not loan.is_overdue)
        (late_new)._aftersales_workflow_write({"is_overdue": True})
        (self - late).filtered("is_overdue")._aftersales_workflow_write({"is_overdue": False})
        todo = self.env.ref("mail.mail_activity_data_todo", raise_if_not_found=False)
        for loan in late_new.filtered(
            lambda rec: not rec.activity_ids.filtered(lambda a: a.activity_type_id == todo)
        ):
            loan.activity_schedule(
                "mail.mail_activity_data_todo",
                user_id=(loan.user_id or self.env.user).id,
                summary=self.env._("Loaner overdue: call the customer"),
                note=self.env._(
                    "Loaner %(lot)s lent to %(partner)s was due back on %(date)s.",
                    lot=loan.lot_id.name,
                    partner=loan.partner_id.display_name,
                    date=loan.date_due,
                ),
            )
        return late_new

    @api.model
    def _cron_loaner_overdue(self):
        """Daily: flag the loans not back by their due date (and unflag extended ones)."""
        today = fields.Date.context_today(self)
        loans = self.search(
            [
                ("state", "=", "lent"),
                "|",
                "&",
                ("is_overdue", "=", False),
                ("date_due", "<", today),
                "&",
                ("is_overdue", "=", True),
                ("date_due", ">=", today),
            ]
        )
        return loans._aftersales_update_overdue(today)
