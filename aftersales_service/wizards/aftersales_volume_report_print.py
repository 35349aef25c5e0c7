# Copyright 2026 aftersales_service authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import SQL

ADDITIVE = (
    "claims_received",
    "claims_resolved",
    "claims_on_time",
    "orders_done",
    "labor_hours",
    "parts_cost",
    "warranty_cost",
    "recovered_amount",
    "rating_count",
    "rating_total",
)


class AftersalesVolumeReportPrint(models.TransientModel):
    """The printable period report of the volume and timing of the after-sales work: the
    figures of ``aftersales.volume.report`` per team and month over whole months, their
    totals and a signatures block, for the manager's periodic review ("act on the volume
    and timing of work")."""

    _name = "aftersales.volume.report.print"
    _description = "Print the After-Sales Volume and Timing Report"

    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company, readonly=True
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    date_from = fields.Date(
        string="From",
        required=True,
        default=lambda self: fields.Date.context_today(self).replace(month=1, day=1),
        help="First month of the period (the whole month counts).",
    )
    date_to = fields.Date(
        string="To",
        required=True,
        default=fields.Date.context_today,
        help="Last month of the period (the whole month counts).",
    )
    team_id = fields.Many2one(
        "aftersales.team",
        check_company=True,
        help="Only this team's figures; empty: every team and the work of no team.",
    )

    @api.constrains("date_from", "date_to")
    def _check_period(self):
        for wizard in self:
            if wizard.date_from > wizard.date_to:
                raise ValidationError(self.env._("The period ends before it starts."))

    def _aftersales_period(self):
        """First day of the first month, first day after the last month."""
        self.ensure_one()
        start = self.date_from.replace(day=1)
        stop = self.date_to.replace(day=1) + relativedelta(months=1)
        return start, stop

    def _aftersales_rows(self):
        """The report's rows of the period (one search), by team then month."""
        self.ensure_one()
        start, stop = self._aftersales_period()
        domain = [
            ("company_id", "=", self.company_id.id),
            ("month", ">=", start),
            ("month", "<", stop),
        ]
        if self.team_id:
            domain.append(("team_id", "=", self.team_id.id))
        rows = self.env["aftersales.volume.report"].search(domain)
        return rows.sorted(lambda r: (r.team_id.name or "", r.team_id.id or 0, r.month))

    def _aftersales_totals(self, rows):
        """Totals of the period: the sums, the on-time share and the average rating from
        them, and the median and 90th percentile of the resolution days over all the claims
        resolved in the period (one query: percentiles do not add up from the months)."""
        self.ensure_one()
        totals = {fname: sum(rows.mapped(fname)) for fname in ADDITIVE}
        totals["on_time_rate"] = (
            100.0 * totals["claims_on_time"] / totals["claims_resolved"]
            if totals["claims_resolved"]
            else None
        )
        totals["rating_avg"] = (
            totals["rating_total"] / totals["rating_count"] if totals["rating_count"] else None
        )
        start, stop = self._aftersales_period()
        report = self.env["aftersales.volume.report"]
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """
                WITH claim_team AS (%(claim_team)s)
                SELECT percentile_cont(0.5) WITHIN GROUP (
                           ORDER BY EXTRACT(EPOCH FROM date_resolved - date_received) / 86400.0),
                       percentile_cont(0.9) WITHIN GROUP (
                           ORDER BY EXTRACT(EPOCH FROM date_resolved - date_received) / 86400.0)
                  FROM claim_team
                 WHERE company_id = %(company)s
                   AND date_resolved >= %(start)s AND date_resolved < %(stop)s
                   AND (%(team)s IS NULL OR team_id = %(team)s)
                """,
                claim_team=report._claim_team_query(),
                company=self.company_id.id,
                start=start,
                stop=stop,
                team=self.team_id.id or None,
            )
        )
        totals["median_days"], totals["p90_days"] = self.env.cr.fetchone()
        return totals

    def _aftersales_report_values(self):
        """What the printed report shows (rows, totals, period)."""
        self.ensure_one()
        rows = self._aftersales_rows()
        start, stop = self._aftersales_period()
        return {
            "rows": rows,
            "totals": self._aftersales_totals(rows),
            "start": start,
            "end": stop - relativedelta(days=1),
        }

    def action_print(self):
        self.ensure_one()
        return self.env.ref("aftersales_service.action_report_aftersales_volume").report_action(
            self
        )
