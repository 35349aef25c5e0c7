from unittest.mock import patch
from urllib.parse import quote_plus

from odoo.exceptions import UserError
from odoo.tests import tagged
from odoo.tools.safe_eval import safe_eval

from .test_repair import RepairCommon


@tagged("post_install", "-at_install")
class TestDocuments(RepairCommon):
    """The printed documents render the real record: serial, amounts, the article cited.
    Tests run without wkhtmltopdf: Odoo renders the reports as HTML in test mode."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.claim = cls._create_claim(
            cls.customer_ru,
            cls.lot_warranty,
            summary="Drum does not spin",
            intake_condition="Scratch on the left panel",
            intake_completeness="Unit, drain hose, manual",
        )

    def _html(self, report, records):
        html, report_type = self.env["ir.actions.report"]._render_qweb_html(report, records.ids)
        self.assertEqual(report_type, "html")
        return html.decode()

    def test_reports_are_in_the_print_menus(self):
        reports = self.env["ir.actions.report"].search(
            [("report_name", "=like", "aftersales_service.report_%")]
        )
        bound = {(r.model, r.report_name) for r in reports if r.binding_model_id}
        self.assertLessEqual(
            {
                ("aftersales.claim", "aftersales_service.report_acceptance_act"),
                ("aftersales.claim", "aftersales_service.report_technical_conclusion"),
                ("aftersales.claim", "aftersales_service.report_claim_response"),
                ("repair.order", "aftersales_service.report_acceptance_act_repair"),
                ("repair.order", "aftersales_service.report_technical_conclusion_repair"),
                ("repair.order", "aftersales_service.report_completion_act"),
                ("stock.lot", "aftersales_service.report_warranty_certificate"),
            },
            bound,
        )

    def test_claim_acceptance_act(self):
        html = self._html("aftersales_service.report_acceptance_act", self.claim)
        self.assertIn("RP-WAR-1", html)
        self.assertIn(self.claim.name, html)
        self.assertIn("Drum does not spin", html)
        self.assertIn("Scratch on the left panel", html)
        self.assertIn("Unit, drain hose, manual", html)
        # The legal clock of a Russian customer's repair: Law 2300-1 art. 20.
        self.assertIn("Law 2300-1 art. 20", html)
        self.assertIn("Signature", html)

    def test_claim_technical_conclusion_and_response_letter_cite_the_article(self):
        self.claim.write({"diagnosis_note": "<p>Motor brushes worn out</p>"})
        self.claim.action_start_diagnosis()
        self.claim.with_user(self.manager).action_decide("reject", reason="Water inside the unit")
        conclusion = self._html("aftersales_service.report_technical_conclusion", self.claim)
        self.assertIn("RP-WAR-1", conclusion)
        self.assertIn("Motor brushes worn out", conclusion)
        self.assertIn("Law 2300-1 art. 18 p. 5", conclusion)
        letter = self._html("aftersales_service.report_claim_response", self.claim)
        self.assertIn("RP-WAR-1", letter)
        self.assertIn("Ivan Petrov", letter)
        self.assertIn("we cannot accept your claim", letter)
        self.assertIn("Water inside the unit", letter)
        self.assertIn("Law 2300-1 art. 18 p. 5", letter)
        self.assertIn("Law 2300-1 art. 20", letter)

    def test_response_letter_prints_the_amount(self):
        claim = self._create_claim(self.customer_ru, self.lot_warranty_2, request="compensation")
        claim.action_start_diagnosis()
        claim.with_user(self.manager).action_decide("compensation", amount=123.45)
        letter = self._html("aftersales_service.report_claim_response", claim)
        self.assertIn("RP-WAR-2", letter)
        self.assertIn("123.45", letter)
        self.assertIn("Law 2300-1 art. 22 (compensation of costs within 10 days)", letter)
        self.assertIn("Law 2300-1 art. 18 p. 1, art. 22", letter)

    def test_decision_goes_out_with_the_response_letter(self):
        self.claim.action_start_diagnosis()
        self.claim.with_user(self.manager).action_decide("repair")
        # The letter is rendered when the email leaves with the mail queue, not while the
        # manager decides (issue 17): the message waits for it, its email is queued.
        message = self.claim.response_letter_message_id
        self.assertEqual(message.message_type, "auto_comment")
        self.assertFalse(message.attachment_ids)
        mails = self.env["mail.mail"].sudo().search([("mail_message_id", "=", message.id)])
        self.assertEqual(len(mails), 1)
        self.assertEqual(mails.state, "outgoing")
        mails.send()
        self.assertFalse(self.claim.response_letter_message_id)
        message = self.claim.message_ids.filtered(
            lambda m: m.message_type == "auto_comment" and m.attachment_ids
        )
        self.assertEqual(len(message), 1)
        self.assertIn(self.customer_ru, message.partner_ids)
        self.assertIn(self.claim.name, message.subject)
        self.assertIn("Law 2300-1 art. 20", message.body)
        self.assertEqual(len(message.attachment_ids), 1)
        self.assertIn("RP-WAR-1", message.attachment_ids.raw.decode())

    def test_broken_letter_does_not_hold_the_mail_queue(self):
        """A letter that fails to render (a broken template) must not stop the host's mail
        queue, which sends a whole batch of emails in one call: the email leaves without
        it, the rest of the batch goes on, the letter stays printable from the claim."""
        self.claim.action_start_diagnosis()
        self.claim.with_user(self.manager).action_decide("repair")
        message = self.claim.response_letter_message_id
        mails = self.env["mail.mail"].sudo().search([("mail_message_id", "=", message.id)])
        self.assertEqual(mails.state, "outgoing")
        with (
            patch.object(
                type(self.env["aftersales.claim"]),
                "_aftersales_response_letter",
                side_effect=ValueError("broken template"),
            ),
            self.assertLogs("odoo.addons.aftersales_service", level="ERROR"),
        ):
            mails.send()
        # Sent (and deleted as the host does once sent), not left in the queue.
        self.assertFalse(mails.exists().filtered(lambda mail: mail.state == "outgoing"))
        self.assertFalse(message.attachment_ids)

    def test_claim_received_message(self):
        message = self.claim.message_ids.filtered(lambda m: m.message_type == "auto_comment")
        self.assertEqual(len(message), 1)
        self.assertIn(self.customer_ru, message.partner_ids)
        self.assertIn(self.claim.name, message.subject)
        self.assertIn("RP-WAR-1", message.body)
        self.assertIn(f"/my/claims/{self.claim.id}", message.body)
        # No customer, nobody to tell.
        anonymous = self.env["aftersales.claim"].create({"summary": "walk-in"})
        self.assertFalse(anonymous.message_ids.filtered(lambda m: m.message_type == "auto_comment"))

    def test_service_order_acts_and_who_pays_what(self):
        order = self._new_order(
            self.lot_billable,
            parts=[(self.part_pump, 1)],
            labor=[(self.technician, 2.0)],
            aftersales_intake_condition="Dent on the top",
            aftersales_diagnosis="<p>Pump replaced</p>",
        )
        self._receive(order)
        self._finish(order)
        self.assertEqual(order.aftersales_amount_billable, 160.0)  # pump 80 + 2 h x 40
        act = self._html("aftersales_service.report_acceptance_act_repair", order)
        self.assertIn("RP-BILL", act)
        self.assertIn("Dent on the top", act)
        completion = self._html("aftersales_service.report_completion_act", order)
        self.assertIn("RP-BILL", completion)
        self.assertIn("Drain Pump", completion)
        self.assertIn("Pump replaced", completion)
        self.assertIn("160.00", completion)
        self.assertIn("80.00", completion)
        totals = order._aftersales_document_totals()
        self.assertEqual((totals["total"], totals["covered"], totals["customer"]), (160, 0, 160))
        conclusion = self._html("aftersales_service.report_technical_conclusion_repair", order)
        self.assertIn("Not covered by a warranty", conclusion)
        # The customer is told the unit is ready, by the job the order's end triggered.
        self.assertTrue(order.aftersales_notify_pending)
        self.assertFalse(order.message_ids.filtered(lambda m: m.message_type == "auto_comment"))
        self.assertIn(order, self.env["repair.order"]._cron_aftersales_notify_done())
        self.assertFalse(order.aftersales_notify_pending)
        self.assertFalse(self.env["repair.order"]._cron_aftersales_notify_done())
        done = order.message_ids.filtered(lambda m: m.message_type == "auto_comment")
        self.assertEqual(len(done), 1)
        self.assertIn("ready for pickup", done.body)
        self.assertIn(self.customer_ru, done.partner_ids)

    def test_completion_act_under_warranty(self):
        order = self._new_order(
            self.lot_warranty_2, parts=[(self.part_pump, 1)], labor=[(self.technician, 1.0)]
        )
        self._receive(order)
        self._finish(order)
        totals = order._aftersales_document_totals()
        self.assertEqual((totals["total"], totals["covered"], totals["customer"]), (120, 120, 0))
        completion = self._html("aftersales_service.report_completion_act", order)
        self.assertIn("RP-WAR-2", completion)
        self.assertIn("120.00", completion)

    def test_warranty_certificate(self):
        lot = self.lot_warranty
        layer = lot.aftersales_warranty_ids
        self.assertEqual(len(layer), 1)
        html = self._html("aftersales_service.report_warranty_certificate", lot)
        self.assertIn("RP-WAR-1", html)
        self.assertIn("Test Guarantee", html)
        self.assertIn(layer.date_end.strftime("%m/%d/%Y"), html)
        full_url = lot.get_base_url() + "/warranty/" + lot.aftersales_public_token
        self.assertIn("/report/barcode/?barcode_type=QR&amp;value=" + quote_plus(full_url), html)
        self.assertIn("Ivan Petrov", html)  # the owner's own document

    # Public check token -----------------------------------------------------------------

    def test_public_token(self):
        lots = self._create_lots(self.product_unit, ["TK-1", "TK-2"])
        tokens = lots.mapped("aftersales_public_token")
        self.assertEqual(len(set(tokens)), 2)
        self.assertTrue(all(len(t) >= 32 for t in tokens))  # 24 random bytes, >= 128 bits
        self.assertEqual(lots[0].aftersales_public_url, f"/warranty/{tokens[0]}")
        with self.assertRaises(UserError):
            lots[0].write({"aftersales_public_token": "guessable"})
        self.assertEqual(lots[0].aftersales_public_token, tokens[0])
        copy = lots[0].copy({"name": "TK-3"})
        self.assertNotIn(copy.aftersales_public_token, tokens)
        # A serial without a token (existed before install): the hook fills it.
        self.env.cr.execute(
            "UPDATE stock_lot SET aftersales_public_token = NULL WHERE id = %s", [lots[1].id]
        )
        lots.invalidate_recordset()
        filled = self.env["stock.lot"]._aftersales_fill_public_tokens()
        self.assertIn(lots[1], filled)
        self.assertTrue(lots[1].aftersales_public_token)
        self.assertNotEqual(lots[1].aftersales_public_token, tokens[1])
        self.assertFalse(
            self.env["stock.lot"].search_count([("aftersales_public_token", "=", False)])
        )

    def test_public_lookup_costs_the_same_for_a_miss(self):
        lot = self.lot_warranty
        self.env.flush_all()
        counts = []
        for token in (lot.aftersales_public_token, "x" * 32, ""):
            before = self.env.cr.sql_log_count
            found = self.env["stock.lot"]._aftersales_public_lookup(token)
            counts.append(self.env.cr.sql_log_count - before)
            self.assertEqual(found, lot if token == lot.aftersales_public_token else found.browse())
        self.assertEqual(counts[0], counts[1])
        self.assertEqual(counts[1], counts[2])

    # Rating ------------------------------------------------------------------------------

    def test_rating_request_when_done(self):
        self.claim.action_start_diagnosis()
        self.claim.with_user(self.manager).action_decide("repair")
        order = self.claim.repair_ids
        self._receive(order)
        self._finish(order)
        self._ship_back(order)
        self.claim.action_done()
        rating = self.env["rating.rating"].search(
            [("res_model", "=", "aftersales.claim"), ("res_id", "=", self.claim.id)]
        )
        self.assertEqual(len(rating), 1)
        self.assertEqual(rating.partner_id, self.customer_ru)
        self.assertFalse(rating.consumed)
        # One email to the customer, queued, with the rating links of that token, logged as
        # an internal note (followers other than the customer are not notified).
        message = self.claim.message_ids.filtered(lambda m: rating.access_token in (m.body or ""))
        self.assertEqual(len(message), 1)
        self.assertEqual(message.subtype_id, self.env.ref("mail.mt_note"))
        self.assertEqual(message.message_type, "notification")  # as the host posts it
        self.assertEqual(message.partner_ids, self.customer_ru)
        mail = self.env["mail.mail"].search([("mail_message_id", "=", message.id)])
        self.assertEqual(mail.recipient_ids, self.customer_ru)
        self.assertEqual(mail.state, "outgoing")
        self.assertIn(f"/rate/{rating.access_token}/5", mail.body_html)
        self.claim.rating_apply(5, token=rating.access_token, feedback="Quick and kind")
        self.assertEqual(self.claim.rating_count, 1)
        self.assertEqual(self.claim.rating_last_value, 5)
        action = self.env.ref("aftersales_service.rating_rating_aftersales_claim_action")
        found = self.env["rating.rating"].search(safe_eval(action.domain))
        self.assertIn(rating, found)
        ratings = self.claim.action_view_aftersales_ratings()
        self.assertEqual(self.env["rating.rating"].search(ratings["domain"]), rating)
