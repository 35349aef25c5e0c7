# Copyright 2026 aftersales_service authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError

REMINDER_TEMPLATE = "aftersales_service.mail_template_loaner_due_back"


class AftersalesLoanerRemind(models.Model):
    """The day before a loan is due back, the customer gets one reminder (mail template
    *Loaner Due Back*, in their language), sent by the loans' daily job.

    The reminder is recorded by the date it went out; a second run of the job finds
    nothing to send. Extending the loan (a new due date) makes it due for a reminder again.
    Law 2300-1 art. 20 p. 2: the unit is lent for the time of the repair only, and comes
    back when the customer's own unit is returned."""

    _inherit = "aftersales.loaner"  # pylint: disable=consider-merging-classes-inherited

    date_reminded = fields.Date(
        string="Reminder Sent On",
        readonly=True,
        copy=False,
        index="btree_not_null",
        help="When the customer was reminded that the unit is due back (by the daily job).",
    )

    @api.model_create_multi
    def create(self, vals_list):
        if any("date_reminded" in vals for vals in vals_list):
            raise UserError(self.env._("When the customer was reminded is set by the system."))
        return super().create(vals_list)

    def write(self, vals):
        # Set by the job (and cleared by a new due date) in SQL only: a client cannot mark a
        # loan as reminded, nor send a second reminder by clearing the date.
        if "date_reminded" in vals:
            raise UserError(self.env._("When the customer was reminded is set by the system."))
        due_before = {loan.id: loan.date_due for loan in self} if "date_due" in vals else {}
        res = super().write(vals)
        if due_before:
            # Only a due date that really moved asks for a new reminder (not a re-save).
            reminded = self.filtered(
                lambda loan: loan.date_reminded and loan.date_due != due_before[loan.id]
            )
            if reminded:
                self.env.cr.execute(
                    "UPDATE aftersales_loaner SET date_reminded = NULL WHERE id IN %s",
                    [tuple(reminded.ids)],
                )
                reminded.invalidate_recordset(["date_reminded"])
        return res

    @api.model
    def _cron_loaner_overdue(self):
        res = super()._cron_loaner_overdue()
        self._aftersales_remind_due_back()
        return res

    @api.model
    def _aftersales_remind_due_back(self, today=None):
        """Post the *Loaner Due Back* message to the customers of the loans due back
        tomorrow (or today, when the job missed a day) and not reminded yet.

        One search for the loans, the template rendered once per language for all of them,
        one message per loan, one UPDATE marking them: nothing else per loan. Returns the
        loans reminded."""
        today = today or fields.Date.context_today(self)
        loans = self.search(
            [
                ("state", "=", "lent"),
                ("date_reminded", "=", False),
                ("date_due", ">=", today),
                ("date_due", "<=", today + timedelta(days=1)),
            ]
        )
        template = self.env.ref(REMINDER_TEMPLATE, raise_if_not_found=False)
        if not loans or not template:
            return self.browse()
        langs = template._render_lang(loans.ids)
        by_lang = {}
        for loan in loans:
            by_lang.setdefault(langs[loan.id], []).append(loan.id)
        for lang, ids in by_lang.items():
            tmpl = template.with_context(lang=lang)
            subjects = tmpl._render_field("subject", ids)
            bodies = tmpl._render_field("body_html", ids)
            for loan in self.browse(ids).with_context(lang=lang, mail_notify_force_send=False):
                # Queued: the email goes out with the mail queue, not inside the job.
                loan.message_post(
                    body=bodies[loan.id],
                    subject=subjects[loan.id],
                    partner_ids=loan.partner_id.ids,
                    message_type="auto_comment",
                    subtype_xmlid="mail.mt_comment",
                    email_layout_xmlid="mail.mail_notification_light",
                )
        self.env.cr.execute(
            "UPDATE aftersales_loaner SET date_reminded = %s WHERE id IN %s",
            [today, tuple(loans.ids)],
        )
        loans.invalidate_recordset(["date_reminded"])
        return loans
