from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged

from .common import AftersalesCommon

ADDON_MODELS = (
    "aftersales.warranty.term",
    "aftersales.warranty",
    "aftersales.claim",
    "aftersales.legal.rule",
    "aftersales.labor.line",
    "aftersales.parts.report",
    "aftersales.repair.cost.report",
)


@tagged("post_install", "-at_install")
class TestSecurity(AftersalesCommon):
    def test_builders_deliver_serials(self):
        order, _lots = self._sell_and_deliver(self.customer_ru, serials=("SEC-1", "SEC-2"))
        self.assertEqual(order.picking_ids.state, "done")
        self.assertEqual(
            sorted(order.picking_ids.move_line_ids.lot_id.mapped("name")), ["SEC-1", "SEC-2"]
        )
        in_stock = self.product_unit.with_context(location=self.stock_location.id).qty_available
        self.assertEqual(in_stock, 0)

    def test_plain_user_cannot_read_addon_records(self):
        for model in ADDON_MODELS:
            with self.subTest(model=model), self.assertRaises(AccessError):
                self.env[model].with_user(self.plain_user).search([], limit=1)

    def test_group_hierarchy_and_admin_is_manager(self):
        admin = self.env.ref("base.user_admin")
        self.assertTrue(admin.has_group("aftersales_service.group_aftersales_manager"))
        self.assertTrue(self.manager.has_group("aftersales_service.group_aftersales_user"))
        self.assertTrue(self.frontdesk.has_group("aftersales_service.group_aftersales_technician"))
        self.assertTrue(self.technician.has_group("stock.group_stock_user"))
        self.assertFalse(self.technician.has_group("aftersales_service.group_aftersales_user"))
        self.assertFalse(self.frontdesk.has_group("aftersales_service.group_aftersales_manager"))

    def test_configuration_is_for_managers(self):
        vals = {
            "name": "Test rule",
            "request": "repair",
            "resolution_days": 10,
            "company_id": self.company.id,  # shared rules: managers of every company only
        }
        for user in (self.technician, self.frontdesk):
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                self.env["aftersales.legal.rule"].with_user(user).create(vals)
        rule = self.env["aftersales.legal.rule"].with_user(self.manager).create(vals)
        self.assertEqual(rule.resolution_days, 10)
        with self.assertRaises(AccessError):
            rule.with_user(self.frontdesk).write({"resolution_days": 1})
        self.assertEqual(rule.resolution_days, 10)
        # Everyone in after-sales reads the rules that drive the clocks.
        self.assertIn(rule, self.env["aftersales.legal.rule"].with_user(self.technician).search([]))

    def test_multi_company_isolation(self):
        company_b = self.env["res.company"].create({"name": "Service Partner B"})
        user_b = new_test_user(
            self.env,
            login="as_manager_b",
            groups="aftersales_service.group_aftersales_manager",
            company_id=company_b.id,
            company_ids=[(6, 0, company_b.ids)],
        )
        Term = self.env["aftersales.warranty.term"]
        base_vals = Term.default_get(list(Term._fields))
        term_a = Term.with_user(self.manager).create(dict(base_vals, name="Term of A"))
        term_b = Term.with_user(user_b).create(
            dict(base_vals, name="Term of B", company_id=company_b.id)
        )
        self.assertEqual(term_a.company_id, self.company)
        visible_to_a = Term.with_user(self.manager).search([("id", "in", (term_a | term_b).ids)])
        visible_to_b = Term.with_user(user_b).search([("id", "in", (term_a | term_b).ids)])
        self.assertEqual(visible_to_a, term_a)
        self.assertEqual(visible_to_b, term_b)
        with self.assertRaises(AccessError):
            term_b.with_user(self.manager).read(["name"])


@tagged("post_install", "-at_install")
class TestTranslations(AftersalesCommon):
    def test_thai_and_russian_terms_load(self):
        """The shipped Thai and Russian files load and translate the addon's labels."""
        expected = {"ru_RU": "Количество гарантий", "th_TH": "จำนวนการรับประกัน"}
        for code in expected:
            self.env["res.lang"]._activate_lang(code)
        self.env["ir.module.module"]._load_module_terms(["aftersales_service"], list(expected))
        field = self.env["ir.model.fields"]._get("sale.order", "aftersales_warranty_count")
        for code, label in expected.items():
            with self.subTest(lang=code):
                self.assertEqual(field.with_context(lang=code).field_description, label)
