"""Claim clock-watch benchmark (not part of the normal suite).

Run: --test-tags aftersales_bench/aftersales_service:BenchClaim
"""

import logging
import statistics
import time
from collections import Counter

from odoo.tests import tagged

from ..models.aftersales_claim_watch import CRON_BATCH_SIZE
from .common import AftersalesCommon

_logger = logging.getLogger(__name__)

CLAIMS = 100_000


@tagged("-standard", "aftersales_bench", "post_install", "-at_install")
class BenchClaim(AftersalesCommon):
    def _insert_open_claims(self, n):
        """``n`` open claims with resolution due dates spread over two months around today
        (about half overdue, 5 % due within two days), inserted in one statement."""
        cr = self.env.cr
        cr.execute(
            """
            INSERT INTO aftersales_claim (
                name, active, company_id, partner_id, user_id, product_id, date_received,
                channel, request, state, penalty_rate, unit_price, penalty_amount,
                date_response_due, date_resolution_due, is_overdue,
                create_uid, write_uid, create_date, write_date)
            SELECT 'BENCH/' || g, TRUE, %(company)s, %(partner)s, %(user)s, %(product)s,
                   now() - ((g %% 60) || ' days')::interval,
                   'counter', 'repair',
                   (ARRAY['new', 'diagnosis', 'decided', 'in_progress'])[1 + g %% 4],
                   1.0, 1000.0, 0.0,
                   CURRENT_DATE - (g %% 60) + 10, CURRENT_DATE - (g %% 60) + 30, FALSE,
                   1, 1, now(), now()
              FROM generate_series(1, %(n)s) g
            """,
            {
                "company": self.company.id,
                "partner": self.customer_ru.id,
                "user": self.manager.id,
                "product": self.product_unit.id,
                "n": n,
            },
        )
        self.env["aftersales.claim"].invalidate_model()

    def test_bench_clock_watch_100k(self):
        Claim = self.env["aftersales.claim"]
        start = time.perf_counter()
        self._insert_open_claims(CLAIMS)
        _logger.info(
            "BENCH claim insert %s open claims (SQL): %.2f s", CLAIMS, time.perf_counter() - start
        )
        cr = self.env.cr
        cr.execute("ANALYZE aftersales_claim")
        today = Claim._today()
        # The cron's own loop, instrumented per batch.
        queries, durations = [], []
        last_id, done = 0, 0
        total_start = time.perf_counter()
        while True:
            q0, t0 = cr.sql_log_count, time.perf_counter()
            ids = Claim._watch_next_batch(today, last_id, CRON_BATCH_SIZE)
            if not ids:
                break
            Claim._watch_deadlines_batch(ids, today)
            self.env.flush_all()
            queries.append(cr.sql_log_count - q0)
            durations.append(time.perf_counter() - t0)
            last_id = ids[-1]
            done += len(ids)
        total = time.perf_counter() - total_start
        cr.execute(
            "SELECT COUNT(*) FILTER (WHERE is_overdue),"
            " COUNT(*) FILTER (WHERE deadline_activity_done),"
            " SUM(penalty_amount) FROM aftersales_claim WHERE name LIKE 'BENCH/%%'"
        )
        overdue, activities, penalties = cr.fetchone()
        _logger.info(
            "BENCH claim watch: %s claims in %s batches of %s, %.2f s total",
            done,
            len(queries),
            CRON_BATCH_SIZE,
            total,
        )
        # The first batch warms the ORM caches (activity type, model, followers); the last
        # one is partial. The full batches in between are the steady state.
        steady = queries[1:-1]
        _logger.info(
            "BENCH claim watch queries per batch: %s (first batch %s, last %s)",
            dict(sorted(Counter(steady).items())),
            queries[0],
            queries[-1],
        )
        _logger.info(
            "BENCH claim watch queries per full batch: min %s, max %s (constant: %s)",
            min(steady),
            max(steady),
            min(steady) == max(steady),
        )
        _logger.info(
            "BENCH claim watch time per batch: median %.1f ms, max %.1f ms",
            statistics.median(durations) * 1000,
            max(durations) * 1000,
        )
        _logger.info(
            "BENCH claim watch results: %s overdue, %s near-due activities, penalties %s",
            overdue,
            activities,
            penalties,
        )
        self.assertGreaterEqual(done, CLAIMS)
        self.assertEqual(min(steady), max(steady), "queries per batch must be constant")
        self.assertGreater(overdue, 0)
        self.assertGreater(activities, 0)

        # A second run on the same day finds nothing to do (resumable, idempotent).
        q0, t0 = cr.sql_log_count, time.perf_counter()
        self.assertEqual(Claim._cron_watch_deadlines(), 0)
        _logger.info(
            "BENCH claim watch rerun same day: %s queries, %.1f ms",
            cr.sql_log_count - q0,
            (time.perf_counter() - t0) * 1000,
        )
