# Copyright 2026 aftersales_service authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models
from odoo.exceptions import UserError

from .repair_order_guard import _ACTION_KEY, _ACTION_TOKEN

#: Orders told per run of the notification job.
NOTIFY_BATCH = 200


class RepairOrderNotify(models.Model):
    """Tell the customer when their unit is repaired and ready for pickup.

    Finishing an order only flags it (one UPDATE) and triggers the job; the job renders the
    message in the customer's language and queues the email. Finishing stays as fast as the
    host's own flow, and a mail problem never blocks the workshop."""

    _inherit = "repair.order"  # pylint: disable=consider-merging-classes-inherited

    aftersales_notify_pending = fields.Boolean(
        string="Customer To Be Told",
        readonly=True,
        copy=False,
        index="btree_not_null",
        help="Done, and the customer has not been told yet (the notification job does it).",
    )

    def write(self, vals):
        # Set by the order's end and cleared by the job only (the end through the order's
        # action context, the job in SQL): a client cannot re-send the message by flagging
        # an order.
        if "aftersales_notify_pending" in vals and (
            self.env.context.get(_ACTION_KEY) is not _ACTION_TOKEN
        ):
            raise UserError(self.env._("Whether the customer was told is set by the system."))
        return super().write(vals)

    def action_repair_done(self):
        res = super().action_repair_done()
        done = self.filtered(lambda o: o.state == "done" and o.partner_id)
        if done and not self.env.context.get("aftersales_no_notify"):
            # Written with the order's other changes of this step (one UPDATE at the flush).
            done._aftersales_action_env().write({"aftersales_notify_pending": True})
            self.env.ref("aftersales_service.ir_cron_aftersales_notify_repair_done")._trigger()
        return res

    def _cron_aftersales_notify_done(self, limit=NOTIFY_BATCH):
        """Post the *Service Order Done* message to the customers of the flagged orders."""
        orders = self.search([("aftersales_notify_pending", "=", True)], limit=limit)
        template = self.env.ref(
            "aftersales_service.mail_template_repair_done", raise_if_not_found=False
        )
        for order in orders:
            if template and order.partner_id:
                lang = template._render_lang(order.ids)[order.id]
                tmpl = template.with_context(lang=lang)
                order.with_context(lang=lang, mail_notify_force_send=False).message_post(
                    body=tmpl._render_field("body_html", order.ids)[order.id],
                    subject=tmpl._render_field("subject", order.ids)[order.id],
                    partner_ids=order.partner_id.ids,
                    message_type="auto_comment",
                    subtype_xmlid="mail.mt_comment",
                    email_layout_xmlid="mail.mail_notification_light",
                )
        if orders:
            self.env.cr.execute(
                "UPDATE repair_order SET aftersales_notify_pending = false WHERE id IN %s",
                [tuple(orders.ids)],
            )
            orders.invalidate_recordset(["aftersales_notify_pending"])
        if len(orders) == limit:
            self.env.ref("aftersales_service.ir_cron_aftersales_notify_repair_done")._trigger()
        return orders
