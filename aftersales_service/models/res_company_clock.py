# Copyright 2026 aftersales_service authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models


class ResCompanyClock(models.Model):
    """The time zone the legal clock of the company's claims counts days in."""

    _inherit = "res.company"  # pylint: disable=consider-merging-classes-inherited

    aftersales_clock_tz = fields.Char(
        string="Claims Clock Time Zone",
        compute="_compute_aftersales_clock_tz",
        help="The time zone in which the legal deadlines of the company's claims count "
        "days: the company's, else its first warehouse's address, else UTC.",
    )
    # Computed, not stored: once per transaction, then cached (every step of a claim used
    # to look it up again, issue 17).

    @api.depends("partner_id.tz")  # warehouses invalidate it (stock_warehouse.py)
    def _compute_aftersales_clock_tz(self):
        for company in self:
            tz = company.partner_id.tz
            if not tz:
                warehouse = (
                    self.env["stock.warehouse"]
                    .sudo()
                    .search([("company_id", "=", company.id)], limit=1)
                )
                tz = warehouse.partner_id.tz
            company.aftersales_clock_tz = tz or False

    def _aftersales_clock_zone(self):
        """The clock's time zone with its fallback (``aftersales_clock_tz`` stays empty when
        nothing sets it): claims' deadlines and warranty dates count days on this one
        calendar."""
        self.ensure_one()
        return self.sudo().aftersales_clock_tz or "UTC"
