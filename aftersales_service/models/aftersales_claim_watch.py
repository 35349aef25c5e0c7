# Copyright 2026 aftersales_service authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import timedelta

from odoo import api, fields, models
from odoo.tools import float_round

from ..rules import legal_clock
from .aftersales_claim import OPEN_STATES

# Claims nearing their resolution due date (within this many days) get an activity.
NEAR_DUE_DAYS = 2
CRON_BATCH_SIZE = 1000


class AftersalesClaim(models.Model):
    """The legal clock of claims on a given day, and the daily job that keeps it current
    (overdue flag, penalty, near-due activities) for all open claims in batches."""

    _inherit = "aftersales.claim"  # pylint: disable=consider-merging-classes-inherited

    # Clock on a given day ------------------------------------------------------------------

    def _clock_tz(self):
        """Time zone the legal clock counts days in: the company's (its partner's), else its
        warehouse's address, else UTC. Never the time zone of whoever types or reads the
        claim: the same claim must get the same deadlines whoever registers it (Law 2300-1
        arts. 20-22 count days from the day of the claim, where the seller received it)."""
        return (self.company_id[:1] or self.env.company)._aftersales_clock_zone()

    def _today(self):
        """Today's date in the clock's time zone (see _clock_tz)."""
        return fields.Date.context_today(self.with_context(tz=self._clock_tz()))

    def _local_date(self, value):
        """Calendar date of the UTC datetime ``value`` in the clock's time zone."""
        if not value:
            return False
        return fields.Date.context_today(self.with_context(tz=self._clock_tz()), timestamp=value)

    def _is_overdue_on(self, today):
        # Same rule as the SQL of _watch_deadlines_batch: keep both in step. The resolution
        # clock runs while the claim is open, the response clock while it is new.
        self.ensure_one()
        return legal_clock.is_overdue(
            self.date_resolution_due, today, self.state not in OPEN_STATES
        ) or legal_clock.is_overdue(self.date_response_due, today, self.state != "new")

    def _penalty_on(self, today):
        """Penalty accrued on ``today`` (or on the resolution date when resolved).
        Same formula as the SQL of _watch_deadlines_batch: keep both in step."""
        self.ensure_one()
        if self.state in ("rejected", "cancel"):
            # No remedy was owed (rejected) or asked for any longer (cancelled): no delay.
            return 0.0
        if self.state in OPEN_STATES:
            resolved_on = None
        elif self.date_resolved:
            resolved_on = self._local_date(self.date_resolved)
        else:
            return 0.0
        amount = legal_clock.penalty(
            self.unit_price, self.penalty_rate, self.date_resolution_due, today, resolved_on
        )
        return float_round(
            amount, precision_rounding=(self.currency_id or self.env.company.currency_id).rounding
        )

    # Clock watch (cron) ---------------------------------------------------------------------

    @api.model
    def _cron_watch_deadlines(self, batch_size=CRON_BATCH_SIZE, max_batches=None):
        """Daily clock watch over open claims, in batches of ``batch_size``.

        Each batch costs a constant number of queries whatever its content: one SELECT of
        the batch, one UPDATE (overdue flag, penalty, checked date) computed in SQL, and
        one batched creation of the near-due activities. Claims checked today are skipped,
        so a run resumes where the previous one stopped: the scheduled job handles
        ``max_batches`` per call and reports the remainder to ir.cron, which commits and
        calls again at once while claims remain (no commit inside the method).
        """
        today = self._today()
        done = 0
        last_id = 0
        batches = 0
        while True:
            ids = self._watch_next_batch(today, last_id, batch_size)
            if not ids:
                break
            self._watch_deadlines_batch(ids, today)
            done += len(ids)
            last_id = ids[-1]
            batches += 1
            if max_batches and batches >= max_batches:
                break
        remaining = self._watch_remaining(today) if max_batches else 0
        self.env["ir.cron"]._notify_progress(done=done, remaining=remaining)
        return done

    def _watch_domain_sql(self):
        return "active AND state IN %s AND (date_clock_checked IS NULL OR date_clock_checked < %s)"

    def _watch_next_batch(self, today, last_id, batch_size):
        self.env.cr.execute(
            f"""
            SELECT id FROM aftersales_claim
             WHERE id > %s AND {self._watch_domain_sql()}
             ORDER BY id
             LIMIT %s
            """,
            (last_id, OPEN_STATES, today, batch_size),
        )
        return [row[0] for row in self.env.cr.fetchall()]

    def _watch_remaining(self, today):
        self.env.cr.execute(
            f"SELECT COUNT(*) FROM aftersales_claim WHERE {self._watch_domain_sql()}",
            (OPEN_STATES, today),
        )
        return self.env.cr.fetchone()[0]

    def _watch_deadlines_batch(self, ids, today):
        """Recompute the clock of claims ``ids`` in one UPDATE (same rules as
        _is_overdue_on / _penalty_on) and schedule the near-due activities."""
        self.flush_model()
        rounding = self.env.company.currency_id.decimal_places
        # The SQL mirrors rules/legal_clock.py: is_overdue = legal_clock.is_overdue() of the
        # resolution clock (the batch holds open claims only) or of the response clock
        # (state 'new'); penalty_amount = legal_clock.penalty() while unresolved, i.e.
        # unit price × rate / 100 × legal_clock.days_late(), rounded to the currency.
        self.env.cr.execute(
            """
            UPDATE aftersales_claim c
               SET is_overdue = (
                        (c.date_resolution_due IS NOT NULL AND %(today)s > c.date_resolution_due)
                     OR (c.state = 'new' AND c.date_response_due IS NOT NULL
                         AND %(today)s > c.date_response_due)),
                   penalty_amount = CASE
                        WHEN c.date_resolution_due IS NULL OR COALESCE(c.penalty_rate, 0) = 0
                        THEN 0
                        ELSE ROUND((COALESCE(c.unit_price, 0) * c.penalty_rate / 100.0
                                    * GREATEST(%(today)s - c.date_resolution_due, 0))::numeric,
                                   %(digits)s)
                   END,
                   clock_state = CASE
                        WHEN (c.date_resolution_due IS NOT NULL
                              AND %(today)s > c.date_resolution_due)
                          OR (c.state = 'new' AND c.date_response_due IS NOT NULL
                              AND %(today)s > c.date_response_due) THEN 'overdue'
                        WHEN c.date_resolution_due <= %(near)s THEN 'due_soon'
                        ELSE 'on_time'
                   END,
                   date_clock_checked = %(today)s
             WHERE c.id = ANY(%(ids)s)
         RETURNING c.id,
                   (NOT COALESCE(c.deadline_activity_done, FALSE) AND c.user_id IS NOT NULL
                    AND c.date_resolution_due BETWEEN %(today)s AND %(near)s)
            """,
            {
                "today": today,
                "near": today + timedelta(days=NEAR_DUE_DAYS),
                "ids": list(ids),
                "digits": rounding,
            },
        )
        near_ids = [row[0] for row in self.env.cr.fetchall() if row[1]]
        self.invalidate_model(["is_overdue", "penalty_amount", "clock_state", "date_clock_checked"])
        if near_ids:
            self._schedule_near_due_activities(self.browse(near_ids))

    def _schedule_near_due_activities(self, claims):
        """One activity per claim nearing its due date, for its responsible, created in one
        batch; flagged so it is scheduled once only."""
        activity_type = self.env.ref("mail.mail_activity_data_todo", raise_if_not_found=False)
        model_id = self.env["ir.model"]._get_id(self._name)
        claims.fetch(["name", "user_id", "date_resolution_due"])
        self.env["mail.activity"].with_context(mail_activity_quick_update=True).create(
            [
                {
                    "res_model_id": model_id,
                    "res_id": claim.id,
                    "activity_type_id": activity_type.id if activity_type else False,
                    "user_id": claim.user_id.id,
                    "date_deadline": claim.date_resolution_due,
                    "summary": self.env._("Legal deadline near"),
                    "note": self.env._(
                        "Claim %(claim)s must be resolved by %(date)s.",
                        claim=claim.name,
                        date=claim.date_resolution_due,
                    ),
                }
                for claim in claims
            ]
        )
        self.env.cr.execute(
            "UPDATE aftersales_claim SET deadline_activity_done = TRUE WHERE id = ANY(%s)",
            (claims.ids,),
        )
        self.invalidate_model(["deadline_activity_done"])
