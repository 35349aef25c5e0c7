# Copyright 2026 aftersales_service authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import datetime, time, timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

OPEN_STATES = ("draft", "confirmed", "under_repair")


class RepairOrderTeam(models.Model):
    """The team of a service order (the one serving the customer's country) and the
    technician suggested for it: skilled for the product's category, lightest load this
    week."""

    _inherit = "repair.order"  # pylint: disable=consider-merging-classes-inherited

    # Not precomputed: it follows the host's partner_id, itself computed after the INSERT.
    aftersales_team_id = fields.Many2one(
        "aftersales.team",
        string="Service Team",
        compute="_compute_aftersales_team_id",
        store=True,
        readonly=False,
        index="btree_not_null",
        check_company=True,
        tracking=True,
    )
    aftersales_suggested_user_id = fields.Many2one(
        "res.users",
        string="Suggested Technician",
        compute="_compute_aftersales_suggested_user_id",
        help="A technician of the order's team (any technician without a team) with a valid "
        "skill for the product's category or a parent category, and the fewest open "
        "orders scheduled this week.",
    )

    @api.depends("partner_id", "company_id")
    def _compute_aftersales_team_id(self):
        orders = self.filtered(lambda o: not o.aftersales_team_id and o.partner_id.country_id)
        for order in self - orders:  # kept as it is (chosen, or no country to go by)
            order.aftersales_team_id = order.aftersales_team_id
        if not orders:
            return
        teams = self.env["aftersales.team"].search(
            [
                ("company_id", "in", orders.company_id.ids),
                ("country_ids", "in", orders.partner_id.country_id.ids),
            ]
        )
        for order in orders:
            order.aftersales_team_id = teams.filtered(
                lambda t, o=order: (
                    t.company_id == o.company_id and o.partner_id.country_id in t.country_ids
                )
            )[:1]

    @api.model
    def _aftersales_week(self, today=None):
        today = fields.Date.to_date(today) or fields.Date.context_today(self)
        start = today - timedelta(days=today.weekday())
        return datetime.combine(start, time.min), datetime.combine(
            start + timedelta(days=7), time.min
        )

    def _aftersales_load(self, users, today=None):
        """Open orders per technician scheduled this week (Monday to Sunday): one query."""
        if not users:
            return {}
        start, end = self._aftersales_week(today)
        self.flush_model(["user_id", "state", "schedule_date"])
        self.env.cr.execute(
            SQL(
                """
                SELECT user_id, COUNT(*)
                  FROM repair_order
                 WHERE user_id IN %(users)s
                   AND state IN %(states)s
                   AND schedule_date >= %(start)s AND schedule_date < %(end)s
                 GROUP BY user_id
                """,
                users=tuple(users.ids),
                states=OPEN_STATES,
                start=start,
                end=end,
            )
        )
        return dict(self.env.cr.fetchall())

    @api.depends("product_id.categ_id", "aftersales_team_id.member_ids", "company_id")
    @api.depends_context("date")
    def _compute_aftersales_suggested_user_id(self):
        categ_ids = {
            order.id: {
                int(c) for c in (order.product_id.categ_id.parent_path or "").split("/") if c
            }
            for order in self
        }
        all_categ_ids = set().union(*categ_ids.values()) if categ_ids else set()
        skills = (
            self.env["aftersales.technician.skill"]
            .sudo()
            .search(
                [
                    ("categ_id", "in", list(all_categ_ids)),
                    ("company_id", "in", self.company_id.ids),
                    ("is_valid", "=", True),
                    ("user_id.active", "=", True),
                ]
            )
            if all_categ_ids
            else self.env["aftersales.technician.skill"]
        )
        load = self._aftersales_load(skills.user_id)
        for order in self:
            candidates = skills.filtered(
                lambda s, o=order: s.company_id == o.company_id and s.categ_id.id in categ_ids[o.id]
            ).user_id
            team = order.aftersales_team_id
            if team and team.member_ids:
                candidates &= team.member_ids
            order.aftersales_suggested_user_id = (
                min(candidates, key=lambda u: (load.get(u.id, 0), u.id)) if candidates else False
            )

    def action_aftersales_assign_suggested(self):
        """Assign each order to its suggested technician, one after the other: an order
        assigned counts in the load the next one is suggested from."""
        orders = self.browse(list(dict.fromkeys(self.ids)))
        for order in orders:
            orders.invalidate_recordset(["aftersales_suggested_user_id"])
            if order.state not in OPEN_STATES:
                raise UserError(
                    self.env._(
                        "Order %(order)s is closed: it takes no technician.", order=order.name
                    )
                )
            if not order.aftersales_suggested_user_id:
                raise UserError(
                    self.env._(
                        "No technician of order %(order)s's team holds a valid skill for "
                        "%(categ)s.",
                        order=order.name,
                        categ=order.product_id.categ_id.display_name,
                    )
                )
            order.user_id = order.aftersales_suggested_user_id
        return True
