# Copyright 2026 aftersales_service authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import logging

from odoo import Command, api, fields, models
from odoo.exceptions import UserError

_logger = logging.getLogger(__name__)

RESPONSE_REPORT = "aftersales_service.action_report_claim_response"


class AftersalesClaim(models.Model):
    """Keeping the customer informed: a message when the claim is received, the decision
    with the response letter attached (the written answer Law 2300-1 art. 22 and Directive
    (EU) 2019/771 art. 14 p. 1 expect), and a rating request when it is resolved (host
    ``rating``). The messages are posted on the claim, so they stay in its chatter and on
    the customer's portal."""

    _name = "aftersales.claim"
    _inherit = ["rating.mixin", "aftersales.claim"]  # noqa: RUF012

    response_letter_message_id = fields.Many2one(
        "mail.message",
        string="Decision Message Awaiting Its Letter",
        readonly=True,
        copy=False,
        index="btree_not_null",
        help="The decision message to the customer whose response letter is rendered and "
        "attached when its email goes out with the mail queue (empty once attached).",
    )

    # Hooks on the workflow ------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        claims = super().create(vals_list)
        if not self.env.context.get("aftersales_no_notify"):
            for claim in claims.filtered("partner_id"):
                claim._aftersales_notify("aftersales_service.mail_template_claim_received")
        return claims

    def action_decide(
        self, decision, amount=0.0, reason=False, replacement_lot_id=False, exceed_reason=False
    ):
        res = super().action_decide(
            decision,
            amount=amount,
            reason=reason,
            replacement_lot_id=replacement_lot_id,
            exceed_reason=exceed_reason,
        )
        for claim in self.browse(list(dict.fromkeys(self.ids))).filtered("partner_id"):
            # The response letter (a PDF: wkhtmltopdf takes seconds) is rendered when the
            # message's email leaves with the mail queue, not while the manager waits on the
            # decision (issue 17); the message says it is attached, and it is, to the email
            # and to the message (see mail_mail.py).
            message = claim._aftersales_notify("aftersales_service.mail_template_claim_decision")
            if message:
                claim._aftersales_workflow_write({"response_letter_message_id": message.id})
        return res

    def action_done(self):
        res = super().action_done()
        template = self.env.ref(
            "aftersales_service.mail_template_claim_rating", raise_if_not_found=False
        )
        claims = self.browse(list(dict.fromkeys(self.ids)))
        for claim in claims.filtered(lambda c: c.state == "done" and c.partner_id):
            if template and not self.env.context.get("aftersales_no_notify"):
                claim._aftersales_send_rating_request(template)
        return res

    def _aftersales_send_rating_request(self, template):
        """The host's ``rating_send_request`` as it sends it (the rating template, whose body
        creates the rating token, in the customer's language, queued, as an internal note
        addressed to the customer), rendered and posted directly: the host goes through the
        mail composer, a transient record and its computed fields per request, which cost
        as many queries again (issue 17)."""
        self.ensure_one()
        return self._aftersales_post_template(
            template,
            self._rating_get_partner(),
            subtype_xmlid="mail.mt_note",
            message_type="notification",
        )

    # Portal ---------------------------------------------------------------------------

    def _compute_access_url(self):
        res = super()._compute_access_url()
        for claim in self:
            claim.access_url = f"/my/claims/{claim.id}"
        return res

    def _get_report_base_filename(self):
        self.ensure_one()
        return self.env._("Claim %(claim)s", claim=self.name)

    # Rating ---------------------------------------------------------------------------

    def _rating_get_partner(self):
        """The customer rates the claim (host rating.mixin)."""
        return self.partner_id

    def action_view_aftersales_ratings(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Ratings"),
            "res_model": "rating.rating",
            "view_mode": "list,form",
            "domain": [
                ("res_model", "=", self._name),
                ("res_id", "=", self.id),
                ("consumed", "=", True),
            ],
        }

    # Helpers -------------------------------------------------------------------------

    def _aftersales_response_letter(self):
        """The response letter as (file name, content), or [] when it cannot be rendered
        (no wkhtmltopdf on the server: the message still goes out, the letter stays
        printable from the claim)."""
        self.ensure_one()
        try:
            content, report_type = (
                self.env["ir.actions.report"]
                .sudo()
                .with_company(self.company_id)
                ._render_qweb_pdf(RESPONSE_REPORT, self.ids)
            )
        except UserError as error:
            _logger.warning("Response letter of %s not attached: %s", self.name, error)
            return []
        extension = "pdf" if report_type == "pdf" else "html"
        name = self.env._("Response %(claim)s", claim=self.name).replace("/", "-")
        return [(f"{name}.{extension}", content)]

    def _aftersales_attach_response_letter(self):
        """Render the response letter of the decided claim and attach it to its decision
        message (so to the message's email, which shares the message's attachments): the
        written answer of Law 2300-1 art. 22 and Directive (EU) 2019/771 art. 14 p. 1.
        Called by the mail queue before the email goes out (mail_mail.py)."""
        for claim in self.sudo():
            try:
                with self.env.cr.savepoint():
                    claim._aftersales_attach_one_response_letter()
            except Exception:  # pylint: disable=broad-exception-caught
                # One letter that fails to render must not hold back the mail queue (the
                # host sends a batch of emails in one call): this email leaves without it,
                # the letter stays printable from the claim.
                _logger.exception("Response letter of %s not attached", claim.name)

    def _aftersales_attach_one_response_letter(self):
        self.ensure_one()
        message = self.response_letter_message_id
        letters = self._aftersales_response_letter()
        if message and letters:
            attachments = (
                self.env["ir.attachment"]
                .sudo()
                .create(
                    [
                        {
                            "name": name,
                            "raw": content,
                            "res_model": message.model,
                            "res_id": message.res_id,
                        }
                        for name, content in letters
                    ]
                )
            )
            message.write({"attachment_ids": [Command.link(a.id) for a in attachments]})
        self._aftersales_workflow_write({"response_letter_message_id": False})

    def _aftersales_notify(self, template_xmlid, attachments=None):
        """Post the template on the claim as a message to the customer (in their language),
        with ``attachments`` [(name, content)]. Returns the message, or None."""
        self.ensure_one()
        template = self.env.ref(template_xmlid, raise_if_not_found=False)
        if not template or not self.partner_id:
            return None
        return self._aftersales_post_template(template, self.partner_id, attachments)

    def _aftersales_post_template(
        self,
        template,
        partner,
        attachments=None,
        subtype_xmlid="mail.mt_comment",
        message_type="auto_comment",
    ):
        lang = template._render_lang(self.ids)[self.id]
        template = template.with_context(lang=lang)
        subject = template._render_field("subject", self.ids)[self.id]
        body = template._render_field("body_html", self.ids)[self.id]
        # Queued (mail_notify_force_send=False): the email goes out with the mail queue, so a
        # decision or an intake does not wait on the mail server.
        return self.with_context(lang=lang, mail_notify_force_send=False).message_post(
            body=body,
            subject=subject,
            partner_ids=partner.ids,
            message_type=message_type,
            subtype_xmlid=subtype_xmlid,
            attachments=attachments or [],
            email_layout_xmlid="mail.mail_notification_light",
        )
