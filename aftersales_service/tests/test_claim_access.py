from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user, tagged

from .common import AftersalesCommon


@tagged("post_install", "-at_install")
class TestClaimAccess(AftersalesCommon):
    """Who sees and changes claims: portal (own), plain users (none), technicians (read),
    front desk, managers; and companies."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Claim = cls.env["aftersales.claim"]
        cls.portal_ru = new_test_user(
            cls.env, login="as_portal_ru", groups="base.group_portal", name="Ivan Portal"
        )
        cls.portal_ru.partner_id.parent_id = cls.customer_ru
        cls.portal_eu = new_test_user(
            cls.env, login="as_portal_eu", groups="base.group_portal", name="Anna Portal"
        )
        cls.portal_eu.partner_id.parent_id = cls.customer_eu
        cls.claim_ru = cls._create_claim(cls.customer_ru, product_id=cls.product_unit.id)
        cls.claim_eu = cls._create_claim(cls.customer_eu, product_id=cls.product_unit.id)

    def test_portal_sees_own_claims_only(self):
        Claim = self.Claim.with_user(self.portal_ru)
        self.assertEqual(Claim.search([]), self.claim_ru)
        self.assertEqual(
            self.claim_ru.with_user(self.portal_ru).read(["name", "state"])[0]["id"],
            self.claim_ru.id,
        )
        with self.assertRaises(AccessError):
            self.claim_eu.with_user(self.portal_ru).read(["name"])
        with self.assertRaises(AccessError):
            self.claim_ru.with_user(self.portal_ru).write({"request": "refund"})
        with self.assertRaises(AccessError):
            Claim.create({"partner_id": self.customer_ru.id, "request": "repair"})
        self.assertEqual(self.Claim.with_user(self.portal_eu).search([]), self.claim_eu)

    def test_plain_user_denied(self):
        with self.assertRaises(AccessError):
            self.Claim.with_user(self.plain_user).search([])
        with self.assertRaises(AccessError):
            self.claim_ru.with_user(self.plain_user).read(["name"])
        with self.assertRaises(AccessError):
            self.env["aftersales.legal.rule"].with_user(self.plain_user).search([])

    def test_technician_read_only(self):
        claim = self.claim_ru.with_user(self.technician)
        self.assertEqual(claim.read(["name"])[0]["name"], self.claim_ru.name)
        with self.assertRaises(AccessError):
            claim.write({"request": "refund"})
        with self.assertRaises(AccessError):
            self.Claim.with_user(self.technician).create(
                {"partner_id": self.customer_ru.id, "request": "repair"}
            )
        with self.assertRaises(AccessError):
            claim.action_start_diagnosis()
        self.assertEqual(self.claim_ru.state, "new")
        with self.assertRaises(AccessError):
            self.env.ref("aftersales_service.legal_rule_ru_repair").with_user(
                self.technician
            ).write({"resolution_days": 100})

    def test_frontdesk_registers_manager_configures(self):
        claim = self.Claim.with_user(self.frontdesk).create(
            {"partner_id": self.customer_ru.id, "request": "repair"}
        )
        claim.action_start_diagnosis()
        self.assertEqual(claim.state, "diagnosis")
        with self.assertRaises(AccessError):
            self.env.ref("aftersales_service.legal_rule_ru_repair").with_user(self.frontdesk).write(
                {"resolution_days": 100}
            )
        with self.assertRaises(UserError):
            claim.with_user(self.manager).unlink()
        # The rule is shared by all companies: its manager must manage every company.
        self.manager.company_ids = self.env["res.company"].search([])
        self.env.ref("aftersales_service.legal_rule_ru_repair").with_user(self.manager).write(
            {"response_days": 5}
        )

    def test_views_load_for_each_role(self):
        views = [(False, kind) for kind in ("form", "list", "kanban", "calendar", "search")]
        for user in (self.technician, self.frontdesk, self.manager):
            with self.subTest(user=user.login):
                result = self.Claim.with_user(user).get_views(views)
                self.assertEqual(set(result["views"]), {k for _v, k in views})
        # A salesman without after-sales rights still opens sale orders and serials.
        salesman = new_test_user(
            self.env, login="as_salesman", groups="sales_team.group_sale_salesman"
        )
        arch = self.env["sale.order"].with_user(salesman).get_views([(False, "form")])
        self.assertNotIn("aftersales_claim_count", arch["views"]["form"]["arch"])
        arch = self.env["sale.order"].with_user(self.frontdesk).get_views([(False, "form")])
        self.assertIn("action_aftersales_new_claim", arch["views"]["form"]["arch"])
        arch = self.env["stock.lot"].with_user(self.frontdesk).get_views([(False, "form")])
        self.assertIn("New Claim", arch["views"]["form"]["arch"])

    def test_multi_company(self):
        company_b = self.env["res.company"].create({"name": "After-Sales B"})
        user_b = new_test_user(
            self.env,
            login="as_user_b",
            groups="aftersales_service.group_aftersales_user",
            company_id=company_b.id,
            company_ids=[(6, 0, company_b.ids)],
        )
        claim_b = (
            self.Claim.with_user(user_b)
            .with_company(company_b)
            .create({"partner_id": self.customer_ru.id, "request": "repair"})
        )
        self.assertEqual(claim_b.company_id, company_b)
        self.assertTrue(claim_b.name.startswith("CLM/"))
        self.assertEqual(
            claim_b.legal_rule_id, self.env.ref("aftersales_service.legal_rule_ru_repair")
        )
        self.assertEqual(self.Claim.with_user(user_b).search([]), claim_b)
        self.assertNotIn(claim_b, self.Claim.with_user(self.frontdesk).search([]))
        with self.assertRaises(AccessError):
            claim_b.with_user(self.frontdesk).read(["name"])
        # A serial of another company cannot be claimed there.
        lot_a = self._create_lots(self.product_unit, ["MC-A"])
        with self.assertRaises(UserError):
            self.Claim.with_user(user_b).with_company(company_b).create(
                {"partner_id": self.customer_ru.id, "request": "repair", "lot_id": lot_a.id}
            )
        # A company-specific rule wins over the shared one in that company only.
        rule_b = self.env["aftersales.legal.rule"].create(
            {
                "name": "RU repair (company B practice)",
                "country_id": self.country_ru.id,
                "request": "repair",
                "resolution_days": 20,
                "company_id": company_b.id,
            }
        )
        claim_b2 = (
            self.Claim.with_user(user_b)
            .with_company(company_b)
            .create({"partner_id": self.customer_ru.id, "request": "repair"})
        )
        self.assertEqual(claim_b2.legal_rule_id, rule_b)
        self.assertEqual(
            self._create_claim(self.customer_ru).legal_rule_id,
            self.env.ref("aftersales_service.legal_rule_ru_repair"),
        )
