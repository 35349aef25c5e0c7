# Copyright 2026 aftersales_service authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import models


class MailMail(models.Model):
    """A claim's decision email leaves with its response letter, rendered at that moment
    rather than while the manager decides (issue 17: the PDF takes seconds to render)."""

    _inherit = "mail.mail"

    def _send(self, *args, **kwargs):
        self._aftersales_attach_response_letters()
        return super()._send(*args, **kwargs)

    def _aftersales_attach_response_letters(self):
        """Attach the response letters still missing from the decision messages of this
        batch: one search per batch of the queue, a render per decided claim."""
        message_ids = self.sudo().mail_message_id.ids
        if not message_ids:
            return
        claims = (
            self.env["aftersales.claim"]
            .sudo()
            .search([("response_letter_message_id", "in", message_ids)])
        )
        if claims:
            claims._aftersales_attach_response_letter()
            self.invalidate_recordset(["attachment_ids"])
