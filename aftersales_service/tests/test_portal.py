import json
import re

from odoo.tests import HttpCase, new_test_user, tagged

from .common import AftersalesCommon


@tagged("post_install", "-at_install")
class TestPortal(AftersalesCommon, HttpCase):
    """Two portal customers over HTTP: each sees only their own claims and serials, by id or
    by token; a claim from the portal; the public warranty check."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.term = cls._create_warranty_term(name="Portal Guarantee", parts_coverage=80.0)
        cls.customer_b = cls.env["res.partner"].create(
            {"name": "Boris Ivanov", "country_id": cls.country_ru.id, "email": "boris@example.ru"}
        )
        cls.portal_a = new_test_user(
            cls.env, login="pt_a", groups="base.group_portal", partner_id=cls.customer_ru.id
        )
        cls.portal_b = new_test_user(
            cls.env, login="pt_b", groups="base.group_portal", partner_id=cls.customer_b.id
        )
        _so, cls.lots_a = cls._sell_and_deliver(cls.customer_ru, serials=("PT-A1", "PT-A2"))
        _so, cls.lot_b = cls._sell_and_deliver(cls.customer_b, serials=("PT-B1",))
        cls.claim_a = cls._create_claim(cls.customer_ru, cls.lots_a[0], summary="Noise A")
        cls.claim_b = cls._create_claim(cls.customer_b, cls.lot_b, summary="Leak B")
        cls.claim_a._portal_ensure_token()
        cls.claim_b._portal_ensure_token()

    def _get(self, url, status=200):
        response = self.url_open(url)
        self.assertEqual(response.status_code, status, url)
        return response.text

    def _csrf(self):
        page = self._get("/my/claims/new")
        return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)

    # Isolation -----------------------------------------------------------------------

    def test_each_customer_sees_only_their_claims(self):
        self.authenticate("pt_a", "pt_a")
        page = self._get("/my/claims")
        self.assertIn(self.claim_a.name, page)
        self.assertNotIn(self.claim_b.name, page)
        page = self._get(f"/my/claims/{self.claim_a.id}")
        self.assertIn("Noise A", page)
        self.assertIn("PT-A1", page)
        self.assertIn('id="discussion"', page)  # the chatter to write to us
        self._get(f"/my/claims/{self.claim_b.id}", status=404)
        self._get(f"/my/claims/{self.claim_b.id + 100000}", status=404)
        # The token of one claim with the id of another is refused.
        self._get(
            f"/my/claims/{self.claim_b.id}?access_token={self.claim_a.access_token}", status=404
        )
        # Documents: their own, not the other's.
        act = self._get(f"/my/claims/{self.claim_a.id}?document=acceptance&report_type=html")
        self.assertIn("PT-A1", act)
        self._get(f"/my/claims/{self.claim_b.id}?document=acceptance&report_type=html", status=404)
        # No decision yet: no response letter.
        self._get(f"/my/claims/{self.claim_a.id}?document=response&report_type=html", status=404)

        self.authenticate("pt_b", "pt_b")
        page = self._get("/my/claims")
        self.assertIn(self.claim_b.name, page)
        self.assertNotIn(self.claim_a.name, page)
        self._get(f"/my/claims/{self.claim_a.id}", status=404)

    def test_token_of_the_claim_itself_opens_it(self):
        # A customer's link (email) works without login, for that claim only.
        page = self._get(f"/my/claims/{self.claim_a.id}?access_token={self.claim_a.access_token}")
        self.assertIn("Noise A", page)
        self._get(f"/my/claims/{self.claim_a.id}?access_token=wrong", status=404)
        self._get(f"/my/claims/{self.claim_a.id}", status=404)

    def test_portal_reads_and_writes_its_claim_chatter(self):
        self.claim_a.message_post(
            body="Your unit is on the bench.",
            message_type="comment",
            subtype_xmlid="mail.mt_comment",
        )
        self.authenticate("pt_a", "pt_a")
        result = self.make_jsonrpc_request(
            "/mail/thread/messages",
            {"thread_model": "aftersales.claim", "thread_id": self.claim_a.id, "limit": 30},
        )
        self.assertIn("Your unit is on the bench.", json.dumps(result))
        self.make_jsonrpc_request(
            "/mail/message/post",
            {
                "thread_model": "aftersales.claim",
                "thread_id": self.claim_a.id,
                "post_data": {"body": "It still makes noise", "message_type": "comment"},
            },
        )
        self.assertTrue(
            self.claim_a.message_ids.filtered(lambda m: "It still makes noise" in (m.body or ""))
        )
        with self.assertRaises(Exception):  # noqa: B017 - any refusal (403 / access error)
            self.make_jsonrpc_request(
                "/mail/message/post",
                {
                    "thread_model": "aftersales.claim",
                    "thread_id": self.claim_b.id,
                    "post_data": {"body": "Intruder", "message_type": "comment"},
                },
            )
        self.assertFalse(self.claim_b.message_ids.filtered(lambda m: "Intruder" in (m.body or "")))

    def test_serials_and_certificates(self):
        self.authenticate("pt_a", "pt_a")
        page = self._get("/my/serials")
        self.assertIn("PT-A1", page)
        self.assertIn("PT-A2", page)
        self.assertNotIn("PT-B1", page)
        self.assertIn("In warranty", page)
        cert = self._get(f"/my/serials/{self.lots_a[1].id}/certificate?report_type=html")
        self.assertIn("PT-A2", cert)
        self.assertIn("Portal Guarantee", cert)
        self._get(f"/my/serials/{self.lot_b.id}/certificate?report_type=html", status=404)
        counters = self.make_jsonrpc_request(
            "/my/counters", {"counters": ["aftersales_claim_count", "aftersales_serial_count"]}
        )
        self.assertEqual(counters, {"aftersales_claim_count": 1, "aftersales_serial_count": 2})

    def test_transferred_serial_leaves_the_old_owner(self):
        self.lot_b.aftersales_transfer(self.customer_ru)
        self.authenticate("pt_a", "pt_a")
        self.assertIn("PT-B1", self._get("/my/serials"))
        self.authenticate("pt_b", "pt_b")
        self.assertNotIn("PT-B1", self._get("/my/serials"))

    # New claim ------------------------------------------------------------------------

    def test_new_claim_from_the_portal(self):
        self.authenticate("pt_a", "pt_a")
        form = self._get(f"/my/claims/new?lot_id={self.lots_a[1].id}")
        self.assertIn("PT-A2", form)
        self.assertNotIn("PT-B1", form)
        Claim = self.env["aftersales.claim"]
        before = Claim.search_count([])
        response = self.url_open(
            "/my/claims/new",
            data={
                "csrf_token": self._csrf(),
                "lot_id": self.lots_a[1].id,
                "request_type": "repair",
                "summary": "Door does not lock",
                "description": "Since Monday <b>",
            },
            files={"photos": ("door.png", b"\x89PNG\r\n\x1a\nfake", "image/png")},
        )
        self.assertEqual(response.status_code, 200)
        claim = Claim.search([("summary", "=", "Door does not lock")])
        self.assertEqual(len(claim), 1)
        self.assertEqual(Claim.search_count([]), before + 1)
        self.assertEqual(claim.channel, "portal")
        self.assertEqual(claim.lot_id, self.lots_a[1])
        self.assertEqual(claim.partner_id, self.customer_ru)
        self.assertEqual(claim.state, "new")
        self.assertTrue(claim.in_warranty)
        self.assertEqual(claim.parts_coverage, 80.0)
        self.assertTrue(claim.date_resolution_due)  # the legal clock runs
        self.assertIn(self.customer_ru, claim.message_partner_ids)
        self.assertIn("&lt;b&gt;", claim.description)
        photos = self.env["ir.attachment"].search(
            [("res_model", "=", "aftersales.claim"), ("res_id", "=", claim.id)]
        )
        self.assertEqual(photos.mapped("name"), ["door.png"])
        self.assertTrue(response.url.endswith(f"/my/claims/{claim.id}"))

    def test_new_claim_refuses_a_foreign_serial(self):
        self.authenticate("pt_a", "pt_a")
        Claim = self.env["aftersales.claim"]
        before = Claim.search_count([])
        for lot_id in (self.lot_b.id, 999999, "abc"):
            response = self.url_open(
                "/my/claims/new",
                data={"csrf_token": self._csrf(), "lot_id": lot_id, "summary": "Not mine"},
            )
            self.assertEqual(response.status_code, 200)
            self.assertIn("Choose one of your own serial numbers.", response.text)
        self.assertEqual(Claim.search_count([]), before)
        self.assertFalse(Claim.search([("summary", "=", "Not mine")]))

    def test_new_claim_refuses_non_images(self):
        self.authenticate("pt_a", "pt_a")
        response = self.url_open(
            "/my/claims/new",
            data={"csrf_token": self._csrf(), "lot_id": self.lots_a[0].id, "summary": "Script"},
            files={"photos": ("x.html", b"<script>alert(1)</script>", "text/html")},
        )
        self.assertIn("Only photos (images) can be attached.", response.text)
        self.assertFalse(self.env["aftersales.claim"].search([("summary", "=", "Script")]))

    # Public warranty check --------------------------------------------------------------

    def test_public_check(self):
        lot = self.lots_a[0]
        page = self._get(lot.aftersales_public_url)
        self.assertIn("PT-A1", page)
        self.assertIn("Portal Guarantee", page)
        self.assertIn("In warranty", page)
        self.assertIn(lot.aftersales_warranty_ids.date_end.strftime("%m/%d/%Y"), page)
        self.assertIn("80.0 %", page)
        # The open claim's state, never who owns the unit.
        self.assertIn("A claim is open", page)
        for personal in ("Ivan Petrov", "ivan@example.ru", self.claim_a.name, "Noise A"):
            self.assertNotIn(personal, page)
        self._get("/warranty/" + "A" * 32, status=404)
        self._get("/warranty/x", status=404)
        # Another serial's token shows that serial only.
        other = self._get(self.lots_a[1].aftersales_public_url)
        self.assertIn("PT-A2", other)
        self.assertNotIn("PT-A1", other)

    # A real browser --------------------------------------------------------------------

    def test_portal_claim_tour(self):
        """Headless Chromium: /my → Claims → Submit a claim → the claim's page."""
        self.start_tour("/my", "aftersales_portal_claim", login="pt_a")
        claim = self.env["aftersales.claim"].search([("summary", "=", "Drum rattles at 1200 rpm")])
        self.assertEqual(len(claim), 1)
        self.assertEqual(claim.lot_id, self.lots_a[1])
        self.assertEqual(claim.channel, "portal")
        self.assertEqual(claim.partner_id, self.customer_ru)
