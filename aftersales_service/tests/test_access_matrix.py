"""Who may do what: one table of expected outcomes, every addon model plus ``repair.order`` and
``stock.lot``, per role, per operation, on an "a" record and a "b" record.

"a" is the record that belongs to the technician / the portal customer / the main company;
"b" belongs to the second technician / another customer — or, for company-bound
configuration (terms, legal rules), to the second company (so "b" is the other-company
manager's own). A cell lists the records the role may touch: ``"ab"`` both, ``"a"`` only a,
``""`` none. The check is the ORM's (ACL and record rules: ``check_access``) plus a real read.
"""

from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged

from .common import AftersalesCommon

ROLES = ("tech", "desk", "manager", "plain", "sales", "stock", "portal", "other_co")
OPS = ("read", "write", "create", "unlink")

# model: {role: (read, write, create, unlink)}
MATRIX = {
    "aftersales.warranty.term": {
        "tech": ("a", "", "", ""),
        "desk": ("a", "", "", ""),
        "manager": ("a", "a", "a", "a"),
        "plain": ("", "", "", ""),
        "sales": ("a", "", "", ""),
        "stock": ("a", "", "", ""),
        "portal": ("", "", "", ""),
        "other_co": ("b", "b", "b", "b"),
    },
    "aftersales.legal.rule": {
        "tech": ("a", "", "", ""),
        "desk": ("a", "", "", ""),
        "manager": ("a", "a", "a", "a"),
        "plain": ("", "", "", ""),
        "sales": ("", "", "", ""),
        "stock": ("", "", "", ""),
        "portal": ("a", "", "", ""),
        "other_co": ("b", "b", "b", "b"),
    },
    "aftersales.warranty": {
        "tech": ("ab", "", "", ""),
        "desk": ("ab", "ab", "ab", ""),
        "manager": ("ab", "ab", "ab", ""),
        "plain": ("", "", "", ""),
        "sales": ("", "", "", ""),
        "stock": ("ab", "", "", ""),
        "portal": ("a", "", "", ""),
        "other_co": ("", "", "", ""),
    },
    "aftersales.claim": {
        "tech": ("ab", "", "", ""),
        "desk": ("ab", "ab", "ab", ""),
        "manager": ("ab", "ab", "ab", ""),
        "plain": ("", "", "", ""),
        "sales": ("", "", "", ""),
        "stock": ("", "", "", ""),
        "portal": ("a", "", "", ""),
        "other_co": ("", "", "", ""),
    },
    "aftersales.labor.line": {
        "tech": ("a", "a", "a", "a"),
        "desk": ("ab", "ab", "ab", "ab"),
        "manager": ("ab", "ab", "ab", "ab"),
        "plain": ("", "", "", ""),
        "sales": ("", "", "", ""),
        "stock": ("ab", "", "", ""),
        "portal": ("", "", "", ""),
        "other_co": ("", "", "", ""),
    },
    "aftersales.parts.report": {
        "tech": ("a", "", "", ""),
        "desk": ("ab", "", "", ""),
        "manager": ("ab", "", "", ""),
        "plain": ("", "", "", ""),
        "sales": ("", "", "", ""),
        "stock": ("ab", "", "", ""),
        "portal": ("", "", "", ""),
        "other_co": ("", "", "", ""),
    },
    "aftersales.repair.cost.report": {
        "tech": ("", "", "", ""),
        "desk": ("ab", "", "", ""),
        "manager": ("ab", "", "", ""),
        "plain": ("", "", "", ""),
        "sales": ("", "", "", ""),
        "stock": ("", "", "", ""),
        "portal": ("", "", "", ""),
        "other_co": ("", "", "", ""),
    },
    "repair.order": {
        "tech": ("a", "a", "a", "a"),
        "desk": ("ab", "ab", "ab", "ab"),
        "manager": ("ab", "ab", "ab", "ab"),
        "plain": ("", "", "", ""),
        "sales": ("", "", "", ""),
        "stock": ("ab", "", "", ""),
        "portal": ("", "", "", ""),
        "other_co": ("", "", "", ""),
    },
    "stock.lot": {
        "tech": ("ab", "ab", "ab", "ab"),
        "desk": ("ab", "ab", "ab", "ab"),
        "manager": ("ab", "ab", "ab", "ab"),
        "plain": ("", "", "", ""),
        "sales": ("", "", "", ""),
        "stock": ("ab", "ab", "ab", "ab"),
        "portal": ("a", "", "", ""),
        "other_co": ("", "", "", ""),
    },
}


@tagged("post_install", "-at_install")
class TestAccessMatrix(AftersalesCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company_b = cls.env["res.company"].create({"name": "Matrix Company B"})
        cls.portal_customer = cls.env["res.partner"].create(
            {
                "name": "Portal Customer",
                "email": "portal@example.com",
                "country_id": cls.country_ru.id,
            }
        )
        cls.other_customer = cls.env["res.partner"].create(
            {"name": "Other Customer", "country_id": cls.country_ru.id}
        )
        user = cls._matrix_user
        cls.users = {
            "tech": cls.technician,
            "desk": cls.frontdesk,
            "manager": user("mx_manager", "aftersales_service.group_aftersales_manager"),
            "plain": cls.plain_user,
            "sales": user("mx_sales", "sales_team.group_sale_salesman"),
            "stock": user("mx_stock", "stock.group_stock_user"),
            "portal": new_test_user(
                cls.env,
                login="mx_portal",
                groups="base.group_portal",
                partner_id=cls.portal_customer.id,
            ),
            "other_co": user(
                "mx_other_co",
                "aftersales_service.group_aftersales_manager",
                company_id=cls.company_b.id,
                company_ids=[Command.set(cls.company_b.ids)],
            ),
        }
        # Warranties (and their serials) of two customers, registered by delivery.
        cls.term_a = cls._create_warranty_term("Matrix term A")
        cls.term_b = cls.env["aftersales.warranty.term"].create(
            {
                "name": "Matrix term B",
                "kind": "manufacturer",
                "duration": 1,
                "duration_unit": "year",
                "company_id": cls.company_b.id,
            }
        )
        _so_a, cls.lot_a = cls._sell_and_deliver(cls.portal_customer, serials=("MX-A",))
        _so_b, cls.lot_b = cls._sell_and_deliver(cls.other_customer, serials=("MX-B",))
        Warranty = cls.env["aftersales.warranty"]
        cls.warranty_a = Warranty.search([("lot_id", "=", cls.lot_a.id)], limit=1)
        cls.warranty_b = Warranty.search([("lot_id", "=", cls.lot_b.id)], limit=1)
        Rule = cls.env["aftersales.legal.rule"]
        cls.rule_a = Rule.create(
            {"name": "Matrix rule A", "request": "repair", "company_id": cls.company.id}
        )
        cls.rule_b = Rule.create(
            {"name": "Matrix rule B", "request": "repair", "company_id": cls.company_b.id}
        )
        cls.claim_a = cls._create_claim(cls.portal_customer, cls.lot_a)
        cls.claim_b = cls._create_claim(cls.other_customer, cls.lot_b)
        cls.order_a = cls._matrix_order(cls.lot_a, cls.portal_customer, cls.technician)
        cls.order_b = cls._matrix_order(cls.lot_b, cls.other_customer, cls.technician_2)
        PartsReport = cls.env["aftersales.parts.report"]
        CostReport = cls.env["aftersales.repair.cost.report"]
        cls.env.flush_all()
        cls.records = {
            "aftersales.warranty.term": (cls.term_a, cls.term_b),
            "aftersales.legal.rule": (cls.rule_a, cls.rule_b),
            "aftersales.warranty": (cls.warranty_a, cls.warranty_b),
            "aftersales.claim": (cls.claim_a, cls.claim_b),
            "aftersales.labor.line": (
                cls.order_a.aftersales_labor_ids,
                cls.order_b.aftersales_labor_ids,
            ),
            "aftersales.parts.report": tuple(
                PartsReport.search([("repair_id", "=", o.id)]) for o in (cls.order_a, cls.order_b)
            ),
            "aftersales.repair.cost.report": tuple(
                CostReport.search([("repair_id", "=", o.id)], limit=1)
                for o in (cls.order_a, cls.order_b)
            ),
            "repair.order": (cls.order_a, cls.order_b),
            "stock.lot": (cls.lot_a, cls.lot_b),
        }

    @classmethod
    def _matrix_user(cls, login, groups, **kw):
        return new_test_user(cls.env, login=login, groups=groups, name=login, **kw)

    @classmethod
    def _matrix_order(cls, lot, partner, technician):
        return cls.env["repair.order"].create(
            {
                "product_id": cls.product_unit.id,
                "lot_id": lot.id,
                "partner_id": partner.id,
                "user_id": technician.id,
                "picking_type_id": cls.warehouse.repair_type_id.id,
                "move_ids": [
                    Command.create(
                        {
                            "repair_line_type": "add",
                            "product_id": cls.part_pump.id,
                            "product_uom_qty": 1,
                        }
                    )
                ],
                "aftersales_labor_ids": [
                    Command.create(
                        {"user_id": technician.id, "product_id": cls.service_labor.id, "hours": 1}
                    )
                ],
            }
        )

    def _allowed(self, record, user, operation):
        try:
            record.with_user(user).check_access(operation)
            if operation == "read":
                record.with_user(user).read(["display_name"])
        except AccessError:
            return False
        return True

    def test_matrix_is_complete(self):
        self.assertEqual(set(MATRIX), set(self.records))
        for model, rows in MATRIX.items():
            self.assertEqual(set(rows), set(ROLES), model)
            a, b = self.records[model]
            self.assertTrue(a and b, f"{model}: both fixture records exist")
            self.assertNotEqual(a, b, model)

    def test_access_matrix(self):
        """Every (model, role, operation, record) cell of MATRIX, 9 × 8 × 4 × 2 = 576 checks."""
        mismatches = []
        checks = 0
        for model, rows in MATRIX.items():
            rec_a, rec_b = self.records[model]
            for role, expected in rows.items():
                user = self.users[role]
                for operation, allowed in zip(OPS, expected, strict=True):
                    for key, record in (("a", rec_a), ("b", rec_b)):
                        checks += 1
                        got = self._allowed(record, user, operation)
                        if got != (key in allowed):
                            mismatches.append(
                                f"{model} {role} {operation} {key}: "
                                f"expected {'allowed' if key in allowed else 'refused'}, "
                                f"got {'allowed' if got else 'refused'}"
                            )
        self.assertEqual(checks, 576)
        self.assertFalse(mismatches, "\n".join(mismatches))

    def test_inventory_user_reads_orders_without_costs(self):
        stock_user = self.users["stock"]
        order = self.order_a.with_user(stock_user)
        self.assertEqual(order.read(["name"])[0]["name"], self.order_a.name)
        for fname in (
            "aftersales_cost_total",
            "aftersales_amount_warranty",
            "aftersales_cost_parts",
        ):
            with self.subTest(field=fname), self.assertRaises(AccessError):
                order.read([fname])
        with self.assertRaises(AccessError):
            self.order_a.aftersales_labor_ids.with_user(stock_user).read(["unit_cost"])
        self.assertNotIn("aftersales_cost_total", order.fields_get())
        # The technician and the front desk still see what an order costs.
        for role in ("tech", "desk"):
            self.assertIn(
                "aftersales_cost_total",
                self.order_a.with_user(self.users[role]).read(["aftersales_cost_total"])[0],
            )

    def test_inventory_user_cannot_change_service_orders(self):
        stock_user = self.users["stock"]
        note = self.order_a.internal_notes
        with self.assertRaises(AccessError):
            self.order_a.with_user(stock_user).write({"internal_notes": "<p>changed</p>"})
        with self.assertRaises(AccessError):
            self.env["repair.order"].with_user(stock_user).create(
                {"product_id": self.product_unit.id, "partner_id": self.other_customer.id}
            )
        with self.assertRaises(AccessError):
            self.order_b.with_user(stock_user).unlink()
        self.assertTrue(self.order_b.exists())
        self.assertEqual(self.order_a.internal_notes, note)

    def test_technician_sees_own_labor_and_parts_rows_only(self):
        tech = self.users["tech"]
        lines = (
            self.env["aftersales.labor.line"]
            .with_user(tech)
            .search([("repair_id", "in", (self.order_a | self.order_b).ids)])
        )
        self.assertEqual(lines, self.order_a.aftersales_labor_ids)
        rows = (
            self.env["aftersales.parts.report"]
            .with_user(tech)
            .search([("repair_id", "in", (self.order_a | self.order_b).ids)])
        )
        self.assertEqual(rows.repair_id, self.order_a)

    def test_portal_reads_own_claim_chatter_and_serial(self):
        self.claim_a.message_post(
            body="We received your unit.", message_type="comment", subtype_xmlid="mail.mt_comment"
        )
        portal = self.users["portal"]
        claim = self.claim_a.with_user(portal)
        messages = claim.message_ids
        self.assertTrue(messages)
        bodies = messages.read(["body"])
        self.assertTrue(any("We received your unit." in (m["body"] or "") for m in bodies))
        found = (
            self.env["mail.message"]
            .with_user(portal)
            .search([("model", "=", "aftersales.claim"), ("res_id", "=", self.claim_a.id)])
        )
        self.assertTrue(found)
        self.assertEqual(self.lot_a.with_user(portal).read(["name"])[0]["name"], "MX-A")
        with self.assertRaises(AccessError):
            self.lot_b.with_user(portal).read(["name"])
        with self.assertRaises(AccessError):
            self.claim_b.with_user(portal).message_ids.read(["body"])
