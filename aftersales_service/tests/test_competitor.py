# Copyright 2026 aftersales_service authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from psycopg2 import IntegrityError

from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged
from odoo.tools import mute_logger

from .common import AftersalesCommon


@tagged("post_install", "-at_install")
class TestCompetitor(AftersalesCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.rival = cls.env["res.partner"].create({"name": "Rival Appliances"})
        cls.washers = cls.env["product.category"].create(
            {"name": "Washers", "parent_id": cls.categ_units.id}
        )
        cls.Policy = cls.env["aftersales.competitor.policy"]

    def _policy(self, categ, months, **vals):
        return self.Policy.create(
            {
                "competitor_id": self.rival.id,
                "categ_id": categ.id,
                "warranty_months": months,
                "source": "Rival's web site",
                **vals,
            }
        )

    def _comparison(self, policy):
        self.env.flush_all()
        return self.env["aftersales.competitor.comparison"].search([("policy_id", "=", policy.id)])

    def test_comparison_with_our_terms(self):
        policy = self._policy(self.washers, 36, extended_price=99.0)
        row = self._comparison(policy)
        self.assertEqual((row.our_months, row.their_months, row.gap_months), (0.0, 36.0, -36.0))
        # Our 2-year legal term on the parent category applies to washers.
        self._create_warranty_term(
            product_tmpl_ids=[], categ_ids=[Command.link(self.categ_units.id)]
        )
        self._create_warranty_term(
            name="Maker 30 months",
            kind="manufacturer",
            duration=30,
            duration_unit="month",
            product_tmpl_ids=[],
            categ_ids=[Command.link(self.washers.id)],
        )
        self.env["aftersales.competitor.comparison"].invalidate_model()
        row = self._comparison(policy)
        self.assertEqual((row.our_months, row.their_months, row.gap_months), (30.0, 36.0, -6.0))
        self.assertEqual(row.their_extended_price, 99.0)
        # A term on another branch does not count.
        other = self._policy(self.categ_parts, 12)
        self.assertEqual(self._comparison(other).our_months, 0.0)
        groups = self.env["aftersales.competitor.comparison"].read_group(
            [("policy_id", "in", (policy | other).ids)], ["our_months:avg"], ["categ_id"]
        )
        self.assertEqual(len(groups), 2)

    def test_bad_input_and_access(self):
        for vals in ({"warranty_months": -1}, {"extended_price": -5.0}):
            with mute_logger("odoo.sql_db"), self.assertRaises(IntegrityError), self.cr.savepoint():
                self._policy(self.washers, vals.pop("warranty_months", 12), **vals)
        policy = self._policy(self.washers, 24)
        self.assertEqual(policy.with_user(self.frontdesk).warranty_months, 24)
        with self.assertRaises(AccessError):
            policy.with_user(self.frontdesk).write({"warranty_months": 1})
        with self.assertRaises(AccessError):
            policy.with_user(self.technician).read(["warranty_months"])
        policy.with_user(self.manager).write({"warranty_months": 30})
        self.assertEqual(policy.warranty_months, 30)
        other = self.env["res.company"].create({"name": "Other Co (competitors)"})
        outsider = new_test_user(
            self.env,
            login="as_comp_other",
            groups="aftersales_service.group_aftersales_manager",
            company_id=other.id,
            company_ids=[Command.set(other.ids)],
        )
        self.assertFalse(self.Policy.with_user(outsider).search([("id", "=", policy.id)]))
