from datetime import timedelta

from odoo import fields
from odoo.tests import Form, tagged

from .common import AftersalesCommon

RAW_EMAIL = """Return-Path: <{email_from}>
To: claims@example.com
Received: by mail1.example.com (Postfix, from userid 10002)
    id 5DF9ABFB2A; Fri, 10 Aug 2026 16:16:39 +0200 (CEST)
From: {email_from}
Subject: {subject}
Message-ID: {msg_id}
Date: Fri, 10 Aug 2026 14:16:26 +0000
MIME-Version: 1.0
Content-Type: text/plain; charset="utf-8"
Content-Transfer-Encoding: 8bit
{extra_headers}
{body}
"""


@tagged("post_install", "-at_install")
class TestClaimIntake(AftersalesCommon):
    """Claims registered from a serial, from a sale order and from an email."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Claim = cls.env["aftersales.claim"]
        cls.term = cls._create_warranty_term()
        cls.order, cls.lot = cls._sell_and_deliver(cls.customer_eu, serials=("INT-1",))

    def test_from_serial_prefills(self):
        action = self.Claim.action_new_from_lot(self.lot.id)
        self.assertEqual(action["res_model"], "aftersales.claim")
        with Form(self.Claim.with_context(**action["context"])) as form:
            self.assertEqual(form.product_id, self.product_unit)
            self.assertEqual(form.partner_id, self.customer_eu)
            self.assertEqual(form.sale_order_id, self.order)
            self.assertTrue(form.in_warranty)
            self.assertEqual(
                form.legal_rule_id, self.env.ref("aftersales_service.legal_rule_default_repair")
            )
        claim = form.record
        self.assertEqual(claim.date_resolution_due, claim._today() + timedelta(days=30))
        vals = self.Claim._prepare_vals_from_lot(self.lot)
        self.assertEqual(vals["partner_id"], self.customer_eu.id)
        self.assertEqual(vals["sale_order_id"], self.order.id)

    def test_owner_from_active_warranty_wins(self):
        """After a transfer of ownership, the warranty owner is the customer."""
        new_owner = self.env["res.partner"].create(
            {"name": "Second Owner", "country_id": self.country_ru.id}
        )
        self.env["aftersales.warranty"].search([("lot_id", "=", self.lot.id)]).write(
            {"partner_id": new_owner.id}
        )
        claim = self.Claim.create({"lot_id": self.lot.id, "request": "repair"})
        self.assertEqual(claim.partner_id, new_owner)
        self.assertEqual(
            claim.legal_rule_id, self.env.ref("aftersales_service.legal_rule_ru_repair")
        )

    def test_serial_server_action(self):
        action = self.env.ref("aftersales_service.aftersales_claim_action_new_from_lot")
        result = action.with_context(
            active_model="stock.lot", active_id=self.lot.id, active_ids=self.lot.ids
        ).run()
        self.assertEqual(result["context"]["default_lot_id"], self.lot.id)

    def test_coverage_kept_when_warranty_changes(self):
        claim = self._create_claim(self.customer_eu, self.lot)
        self.assertTrue(claim.in_warranty)
        self.assertEqual(claim.parts_coverage, 100.0)
        self.assertTrue(claim.warranty_date_end)
        # The warranty is voided afterwards: the claim keeps what applied when received.
        self.env["aftersales.warranty"].search([("lot_id", "=", self.lot.id)]).write(
            {"state": "void"}
        )
        self.env.flush_all()
        self.env.invalidate_all()
        self.assertTrue(claim.in_warranty)
        self.assertEqual(claim.parts_coverage, 100.0)
        # A claim received when the warranty had not started is not covered.
        old = self._create_claim(
            self.customer_eu, self.lot, date_received=fields.Datetime.now() - timedelta(days=30)
        )
        self.assertFalse(old.in_warranty)

    def test_from_sale_order(self):
        self.order.user_id = self.frontdesk  # the front desk sold it (salesman's own orders)
        action = self.order.with_user(self.frontdesk).action_aftersales_new_claim()
        Claim = self.Claim.with_user(self.frontdesk)
        with Form(Claim.with_context(**action["context"])) as form:
            self.assertEqual(form.partner_id, self.customer_eu)
            self.assertEqual(form.sale_order_id, self.order)
            self.assertEqual(form.product_id, self.product_unit)
            form.lot_id = self.lot
            form.request = "refund"
        claim = form.record
        self.assertEqual(self.order.aftersales_claim_ids, claim)
        self.assertEqual(self.order.aftersales_claim_count, 1)
        line = self.order.order_line
        # The price the consumer paid: tax included, after discounts (Law 2300-1 art. 23).
        self.assertAlmostEqual(claim.unit_price, line.price_total / line.product_uom_qty)

    def test_from_email(self):
        alias = self.env.ref("aftersales_service.mail_alias_aftersales_claim")
        self.assertEqual(alias.alias_model_id.model, "aftersales.claim")
        self.assertEqual(alias.alias_name, "claims")
        raw = RAW_EMAIL.format(
            email_from="Anna Schmidt <anna@example.de>",
            subject="My washer leaks",
            msg_id="<claim-1@example.de>",
            extra_headers="X-Odoo-Objects: aftersales.claim-1\n",
            body="Water under the machine since Monday.",
        )
        # Routed by the alias address alone (no model given).
        domain = self.env["mail.alias.domain"].create({"name": "example.com"})
        alias.alias_domain_id = domain
        self.assertEqual(alias.alias_full_name, "claims@example.com")
        count = self.Claim.search_count([])
        claim_id = self.env["mail.thread"].message_process(False, raw)
        claim = self.Claim.browse(claim_id)
        self.assertEqual(self.Claim.search_count([]), count + 1)
        self.assertEqual(claim.channel, "email")
        self.assertEqual(claim.partner_id, self.customer_eu)
        self.assertEqual(claim.summary, "My washer leaks")
        self.assertIn("Water under the machine", claim.description)
        self.assertEqual(claim.state, "new")
        self.assertTrue(claim.name.startswith("CLM/"))
        self.assertIn(self.customer_eu, claim.message_partner_ids)
        self.assertEqual(
            claim.legal_rule_id, self.env.ref("aftersales_service.legal_rule_default_repair")
        )

        # A reply lands in the chatter of the same claim.
        reply = RAW_EMAIL.format(
            email_from="Anna Schmidt <anna@example.de>",
            subject="Re: My washer leaks",
            msg_id="<claim-2@example.de>",
            extra_headers="In-Reply-To: <claim-1@example.de>\nReferences: <claim-1@example.de>\n",
            body="Here is a photo.",
        )
        self.assertEqual(
            self.env["mail.thread"].message_process("aftersales.claim", reply), claim.id
        )
        self.assertEqual(self.Claim.search_count([]), count + 1)
        self.assertTrue(any("Here is a photo" in (m.body or "") for m in claim.message_ids))

    def test_email_payload_not_trusted(self):
        """Nothing but subject, body and sender is taken from the email; an unknown sender
        gets no partner (no record created from payload values)."""
        partners = self.env["res.partner"].search_count([])
        claim = self.Claim.browse(
            self.Claim.message_new(
                {
                    "email_from": "stranger@evil.example",
                    "subject": "Refund me",
                    "body": "<p>hello</p><script>alert(1)</script>",
                    "partner_id": self.customer_ru.id,
                    "company_id": 999,
                    "state": "done",
                },
                custom_values={"state": "done", "penalty_amount": 1e6, "request": "refund"},
            ).id
        )
        self.assertFalse(claim.partner_id)
        self.assertEqual(claim.email_from, "stranger@evil.example")
        self.assertEqual(claim.state, "new")
        self.assertEqual(claim.request, "refund")
        self.assertEqual(claim.penalty_amount, 0.0)
        self.assertEqual(claim.company_id, self.env.company)
        self.assertNotIn("<script", claim.description)
        self.assertEqual(self.env["res.partner"].search_count([]), partners)
