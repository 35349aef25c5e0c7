# Copyright 2026 aftersales_service authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import timedelta

from psycopg2 import IntegrityError

from odoo import Command, fields
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import new_test_user, tagged
from odoo.tools import mute_logger

from .test_repair import RepairCommon


@tagged("post_install", "-at_install")
class TestTeam(RepairCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # One team per country: the demo's teams step aside.
        cls.env["aftersales.team"].search([]).action_archive()
        cls.technician_3 = new_test_user(
            cls.env,
            login="as_technician_3",
            groups="aftersales_service.group_aftersales_technician",
            name="Technician Three",
        )
        cls.team_ru = cls.env["aftersales.team"].create(
            {
                "name": "Moscow Workshop",
                "leader_id": cls.technician.id,
                "member_ids": [Command.set((cls.technician | cls.technician_2).ids)],
                "country_ids": [Command.set(cls.country_ru.ids)],
            }
        )
        Skill = cls.env["aftersales.technician.skill"]
        cls.skill_1 = Skill.create({"user_id": cls.technician.id, "categ_id": cls.categ_units.id})
        cls.skill_2 = Skill.create(
            {
                "user_id": cls.technician_2.id,
                "categ_id": cls.categ_units.id,
                "certificate": "WM service level 2",
                "date_expiry": fields.Date.today() + timedelta(days=90),
            }
        )
        cls.skill_3 = Skill.create({"user_id": cls.technician_3.id, "categ_id": cls.categ_units.id})

    def test_team_from_country_and_suggestion(self):
        busy = self._new_order(self.lot_billable)
        self._new_order(self.lot_billable)
        self.assertEqual(busy.aftersales_team_id, self.team_ru)
        self.assertEqual(busy.user_id, self.technician)
        order = self._new_order(self.lot_warranty, user=self.technician)
        # Team members only; technician has 3 orders this week, technician_2 none.
        self.assertEqual(order.aftersales_suggested_user_id, self.technician_2)
        # An expired certificate does not qualify.
        self.skill_2.date_expiry = fields.Date.today() - timedelta(days=1)
        order.invalidate_recordset(["aftersales_suggested_user_id"])
        self.assertEqual(order.aftersales_suggested_user_id, self.technician)
        # No team (a customer in a country no team serves): any skilled technician.
        eu = self._new_order(self.lot_warranty_2, partner_id=self.customer_eu.id)
        self.assertFalse(eu.aftersales_team_id)
        self.assertEqual(eu.aftersales_suggested_user_id, self.technician_3)
        # No skill for the category: no suggestion, and assigning says why.
        self.skill_3.categ_id = self.categ_parts
        eu.invalidate_recordset(["aftersales_suggested_user_id"])
        self.assertEqual(eu.aftersales_suggested_user_id, self.technician)
        self.skill_1.active = False
        eu.invalidate_recordset(["aftersales_suggested_user_id"])
        self.assertFalse(eu.aftersales_suggested_user_id)
        with self.assertRaises(UserError):
            eu.action_aftersales_assign_suggested()
        self.assertEqual(eu.user_id, self.technician)

    def test_load_counts_this_week_open_orders_only(self):
        done = self._new_order(self.lot_billable, user=self.technician_2, aftersales_on_site=True)
        self._finish(done)
        self._new_order(
            self.lot_billable,
            user=self.technician_2,
            schedule_date=fields.Datetime.now() + timedelta(days=21),
        )
        self._new_order(self.lot_billable, user=self.technician)
        load = self.env["repair.order"]._aftersales_load(self.technician | self.technician_2)
        self.assertEqual(load, {self.technician.id: 1})
        order = self._new_order(self.lot_warranty)
        order.user_id = False
        order.action_aftersales_assign_suggested()
        self.assertEqual(order.user_id, self.technician_2)

    def test_team_rules(self):
        with self.assertRaises(ValidationError):
            self.env["aftersales.team"].create(
                {"name": "No leader's team", "leader_id": self.technician_3.id}
            )
        with self.assertRaises(ValidationError):
            self.env["aftersales.team"].create(
                {"name": "Second Moscow", "country_ids": [Command.set(self.country_ru.ids)]}
            )
        with mute_logger("odoo.sql_db"), self.assertRaises(IntegrityError), self.cr.savepoint():
            self.env["aftersales.technician.skill"].create(
                {"user_id": self.technician.id, "categ_id": self.categ_units.id}
            )

    def test_access_per_role(self):
        self.assertEqual(self.team_ru.with_user(self.technician).name, "Moscow Workshop")
        self.assertTrue(self.skill_2.with_user(self.frontdesk).is_valid)
        with self.assertRaises(AccessError):
            self.env["aftersales.team"].with_user(self.frontdesk).create({"name": "Rogue"})
        with self.assertRaises(AccessError):
            self.skill_1.with_user(self.technician).write({"date_expiry": "2030-01-01"})
        self.env["aftersales.technician.skill"].with_user(self.manager).create(
            {"user_id": self.frontdesk.id, "categ_id": self.categ_parts.id}
        )
        other = self.env["res.company"].create({"name": "Other Co (teams)"})
        outsider = new_test_user(
            self.env,
            login="as_team_other",
            groups="aftersales_service.group_aftersales_manager",
            company_id=other.id,
            company_ids=[Command.set(other.ids)],
        )
        self.assertFalse(
            self.env["aftersales.team"].with_user(outsider).search([("id", "=", self.team_ru.id)])
        )
        self.assertFalse(
            self.env["aftersales.technician.skill"]
            .with_user(outsider)
            .search([("id", "=", self.skill_1.id)])
        )
