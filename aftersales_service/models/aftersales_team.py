# Copyright 2026 aftersales_service authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models
from odoo.exceptions import ValidationError


class AftersalesTeam(models.Model):
    """A service team: its technicians, its leader and the countries it serves. Service
    orders of a customer in one of its countries go to it (``repair.order_team``)."""

    _name = "aftersales.team"
    _description = "After-Sales Team"
    _inherit = ["mail.thread"]  # noqa: RUF012
    _order = "sequence, name"
    _check_company_auto = True

    name = fields.Char(required=True, tracking=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    color = fields.Integer()
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    leader_id = fields.Many2one("res.users", tracking=True, domain="[('share', '=', False)]")
    member_ids = fields.Many2many(
        "res.users",
        "aftersales_team_member_rel",
        "team_id",
        "user_id",
        string="Technicians",
        domain="[('share', '=', False)]",
    )
    country_ids = fields.Many2many(
        "res.country",
        "aftersales_team_country_rel",
        "team_id",
        "country_id",
        string="Countries Served",
    )
    repair_ids = fields.One2many("repair.order", "aftersales_team_id", string="Service Orders")
    open_repair_count = fields.Integer(compute="_compute_open_repair_count")

    @api.depends("repair_ids.state")
    def _compute_open_repair_count(self):
        counts = dict(
            self.env["repair.order"]._read_group(
                [("aftersales_team_id", "in", self.ids), ("state", "not in", ("done", "cancel"))],
                ["aftersales_team_id"],
                ["__count"],
            )
        )
        for team in self:
            team.open_repair_count = counts.get(team, 0)

    @api.constrains("leader_id", "member_ids")
    def _check_leader_is_member(self):
        for team in self:
            if team.leader_id and team.leader_id not in team.member_ids:
                raise ValidationError(
                    self.env._(
                        "The leader of team %(team)s must be one of its technicians.",
                        team=team.name,
                    )
                )

    @api.constrains("country_ids", "company_id", "active")
    def _check_one_team_per_country(self):
        """A country is served by one team of a company: the order's team would otherwise
        depend on which team the database returns first."""
        for team in self.filtered("active"):
            clash = self.search(
                [
                    ("id", "!=", team.id),
                    ("company_id", "=", team.company_id.id),
                    ("country_ids", "in", team.country_ids.ids),
                ],
                limit=1,
            )
            if team.country_ids and clash:
                raise ValidationError(
                    self.env._(
                        "Teams %(team)s and %(other)s serve the same country: a country "
                        "has one team.",
                        team=team.name,
                        other=clash.name,
                    )
                )

    def action_view_workload(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "aftersales_service.repair_order_action_workload_team"
        )
        action["domain"] = [
            ("aftersales_team_id", "=", self.id),
            ("state", "not in", ("done", "cancel")),
        ]
        return action
