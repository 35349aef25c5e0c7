"""Parts issuing benchmarks (not in the normal suite).

Run: --test-tags aftersales_bench/aftersales_service:BenchParts
"""

import logging
import time

from odoo.tests import tagged

from .test_parts_common import PartsCommon

_logger = logging.getLogger(__name__)


@tagged("-standard", "aftersales_bench", "post_install", "-at_install")
class BenchParts(PartsCommon):
    def _measure(self, func):
        self.env.flush_all()
        queries = self.env.cr.sql_log_count
        start = time.perf_counter()
        func()
        self.env.flush_all()
        return self.env.cr.sql_log_count - queries, time.perf_counter() - start

    def test_issue_100_orders_batch_vs_single(self):
        self._add_stock(self.part_pump, 1000)
        self._add_stock(self.part_belt, 1000)
        lines = [(self.part_pump, 2), (self.part_belt, 1)]
        batch = self.env["repair.order"].concat(*(self._create_repair(lines) for _i in range(100)))
        singles = self.env["repair.order"].concat(
            *(self._create_repair(lines) for _i in range(100))
        )
        self.env.invalidate_all()
        batch_queries, batch_time = self._measure(batch._aftersales_issue_parts)

        def one_by_one():
            for repair in singles:
                repair._aftersales_issue_parts()

        self.env.invalidate_all()
        single_queries, single_time = self._measure(one_by_one)
        self.assertEqual(len(batch.aftersales_parts_picking_ids), 100)
        self.assertEqual(len(singles.aftersales_parts_picking_ids), 100)
        _logger.info(
            "BENCH parts_issue_100_orders_one_call: %s queries, %.2f s", batch_queries, batch_time
        )
        _logger.info(
            "BENCH parts_issue_100_calls_of_one_order: %s queries, %.2f s",
            single_queries,
            single_time,
        )
        self.assertLess(batch_queries, single_queries)
        self.assertLess(batch_time, single_time)

    def test_report_over_1m_moves(self):
        cr = self.env.cr
        setup_start = time.perf_counter()
        template = self._create_repair([(self.part_pump, 1)], confirm=False)
        parts = (self.part_pump | self.part_belt | self.part_board).ids
        # 20,000 service orders over two years, 50 part moves each (1,000,000 moves).
        cr.execute(
            """
            INSERT INTO repair_order (name, company_id, state, picking_type_id, location_id,
                   location_dest_id, parts_location_id, recycle_location_id,
                   product_location_src_id, product_location_dest_id, schedule_date,
                   priority, product_qty, user_id, under_warranty, partner_id)
            SELECT 'BENCH/' || g, r.company_id, 'done', r.picking_type_id, r.location_id,
                   r.location_dest_id, r.parts_location_id, r.recycle_location_id,
                   r.product_location_src_id, r.product_location_dest_id,
                   now() - (g %% 730) * interval '1 day', '0', 1, %s, g %% 3 = 0, r.partner_id
              FROM repair_order r, generate_series(1, 20000) g
             WHERE r.id = %s
         RETURNING id
            """,
            [self.technician.id, template.id],
        )
        repair_ids = [row[0] for row in cr.fetchall()]
        cr.execute(
            """
            WITH orders AS (
                SELECT id, row_number() OVER (ORDER BY id) - 1 AS n
                  FROM repair_order
                 WHERE id = ANY(%(repairs)s)
            )
            INSERT INTO stock_move (name, company_id, product_id, product_uom, product_uom_qty,
                   product_qty, quantity, location_id, location_dest_id, procure_method, state,
                   date, repair_id, repair_line_type, picked, aftersales_parts_cost)
            SELECT 'bench', %(company)s, (%(parts)s::int[])[1 + g %% 3], %(uom)s, 1 + g %% 2,
                   1 + g %% 2, 1 + g %% 3, %(src)s, %(dest)s, 'make_to_stock', 'done',
                   now(), o.id, 'add', TRUE, 10 * (1 + g %% 3)
              FROM generate_series(1, 1000000) g
              JOIN orders o ON o.n = g %% 20000
            """,
            {
                "company": self.company.id,
                "parts": parts,
                "uom": self.part_pump.uom_id.id,
                "src": template.location_id.id,
                "dest": template.location_dest_id.id,
                "repairs": repair_ids,
            },
        )
        _logger.info("BENCH parts_report_setup_sql: %.1f s", time.perf_counter() - setup_start)
        cr.execute("ANALYZE stock_move")
        cr.execute("ANALYZE repair_order")
        _logger.info("BENCH parts_report_setup_total: %.1f s", time.perf_counter() - setup_start)
        self.env.invalidate_all()
        Report = self.env["aftersales.parts.report"]
        start = time.perf_counter()
        groups = Report._read_group(
            [],
            ["product_id", "date:month"],
            ["qty_planned:sum", "qty_consumed:sum", "cost_consumed:sum", "qty_variance:sum"],
        )
        elapsed = time.perf_counter() - start
        _logger.info(
            "BENCH parts_report_1m_moves_group_by_product_month: %.2f s (%s groups)",
            elapsed,
            len(groups),
        )
        self.assertGreaterEqual(sum(row[3] for row in groups), 1000000)
        start = time.perf_counter()
        over = Report.search_count([("variance_percent", ">", 25)])
        elapsed_filter = time.perf_counter() - start
        _logger.info(
            "BENCH parts_report_1m_moves_over_plan_filter: %.2f s (%s rows)", elapsed_filter, over
        )
        self.assertLess(elapsed, 2.0)
