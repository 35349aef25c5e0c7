"""Defect statistics benchmark (not part of the normal suite).

Run: bin/bench --no-peer --tags aftersales_bench/aftersales_service:BenchDefect
Budget (DESIGN "Budgets"): over 1,000,000 defect rows, a grouped read of the analysis in
under 2 s (the median of 3 reads of each grouping). With AFTERSALES_BENCH_EXPLAIN=1 (or an
absolute file path) in the environment, the plan of each grouping's query (EXPLAIN ANALYZE,
BUFFERS) goes to the log (and to that file).
"""

import logging
import os
import statistics
import time
from unittest.mock import patch

from odoo.tests import tagged

from .common import AftersalesCommon

_logger = logging.getLogger(__name__)

DEFECTS = 1_000_000
PRODUCTS = 50
SERIALS = 100_000
BUDGET_S = 2.0
RUNS = 3


@tagged("-standard", "aftersales_bench", "post_install", "-at_install")
class BenchDefect(AftersalesCommon):
    def test_bench_grouped_analysis_1m_defects(self):
        cr = self.env.cr
        products = self.env["product.product"].create(
            [
                {
                    "name": f"Bench Unit {i}",
                    "type": "consu",
                    "is_storable": True,
                    "tracking": "serial",
                    "categ_id": self.categ_units.id,
                }
                for i in range(PRODUCTS)
            ]
        )
        components = self.part_pump | self.part_belt | self.part_board
        suppliers = self.env["res.partner"].create(
            [{"name": f"Bench Supplier {i}"} for i in range(10)]
        )
        codes = self.env["aftersales.defect.code"].search([("type", "=", "fault")])
        term = self._create_warranty_term(
            "Bench legal", product_tmpl_ids=[(6, 0, products.product_tmpl_id.ids)]
        )
        claim = self._create_claim(self.customer_ru, defect=False)
        start = time.perf_counter()
        cr.execute(
            """
            INSERT INTO stock_lot (name, product_id, company_id,
                                   create_uid, write_uid, create_date, write_date)
            SELECT 'BD-' || g, (%(products)s)[1 + g %% %(np)s], %(company)s, 1, 1, now(), now()
              FROM generate_series(1, %(n)s) g
            """,
            {
                "products": products.ids,
                "np": PRODUCTS,
                "company": self.company.id,
                "n": SERIALS,
            },
        )
        cr.execute(
            """
            INSERT INTO aftersales_warranty (
                lot_id, product_id, partner_id, term_id, kind, company_id, date_start, date_end,
                duration, duration_unit, extend_by_downtime, downtime_days, parts_coverage,
                labor_coverage, logistics_coverage, state,
                create_uid, write_uid, create_date, write_date)
            SELECT l.id, l.product_id, %(partner)s, %(term)s, 'legal', %(company)s,
                   date '2023-01-01' + (l.id %% 1000), date '2025-01-01' + (l.id %% 1000),
                   2, 'year', false, 0, 100, 100, 100, 'active', 1, 1, now(), now()
              FROM stock_lot l
             WHERE l.name LIKE 'BD-%%'
            """,
            {"partner": self.customer_ru.id, "term": term.id, "company": self.company.id},
        )
        cr.execute(
            """
            INSERT INTO aftersales_defect (
                claim_id, company_id, date, product_id, categ_id, component_id, supplier_id,
                fault_code_id, age_months, component_cost,
                create_uid, write_uid, create_date, write_date)
            SELECT %(claim)s, %(company)s, date '2023-01-01' + (g %% 1000),
                   (%(products)s)[1 + g %% %(np)s],
                   %(categ)s,
                   (%(components)s)[1 + g %% 3],
                   (%(suppliers)s)[1 + g %% 10],
                   (%(codes)s)[1 + g %% %(nc)s],
                   g %% 24, 10.0, 1, 1, now(), now()
              FROM generate_series(1, %(n)s) g
            """,
            {
                "claim": claim.id,
                "categ": self.categ_units.id,
                "company": self.company.id,
                "products": products.ids,
                "np": PRODUCTS,
                "components": components.ids,
                "suppliers": suppliers.ids,
                "codes": codes.ids,
                "nc": len(codes),
                "n": DEFECTS,
            },
        )
        cr.execute("ANALYZE aftersales_defect")
        cr.execute("ANALYZE aftersales_warranty")
        cr.execute("ANALYZE stock_lot")
        cr.execute("SELECT count(*) FROM aftersales_defect")
        total = cr.fetchone()[0]
        _logger.info(
            "BENCH defect_rows: %s, serials delivered: %s (generated in %.1f s)",
            total,
            SERIALS,
            time.perf_counter() - start,
        )
        self.assertGreaterEqual(total, DEFECTS)

        Report = self.env["aftersales.defect.report"].with_user(self.manager)
        cases = {
            "product": ["product_id"],
            "component": ["component_id"],
            "supplier": ["supplier_id"],
            "fault_code": ["fault_code_id"],
            "month": ["date:month"],
            "product_month_rate": ["product_id", "date:month"],
            "product_age_cohort": ["product_id", "age_months"],
        }
        explain = os.environ.get("AFTERSALES_BENCH_EXPLAIN")
        worst = 0.0
        for label, groupby in cases.items():
            timings = []
            for _run in range(RUNS):
                self.env.invalidate_all()
                t0 = time.perf_counter()
                groups = Report.read_group(
                    [],
                    ["failures:sum", "units_delivered:sum", "failure_rate"],
                    groupby,
                    lazy=False,
                )
                timings.append(time.perf_counter() - t0)
            elapsed = statistics.median(timings)
            worst = max(worst, elapsed)
            _logger.info(
                "BENCH defect_report_read_group_%s_s: %.3f median of %d (%s; %d groups; "
                "load average %.1f)",
                label,
                elapsed,
                RUNS,
                ", ".join(f"{t:.3f}" for t in timings),
                len(groups),
                os.getloadavg()[0],
            )
            self.assertTrue(groups)
            if explain:
                self._explain(Report, groupby, label)
        by_product = Report.read_group(
            [("product_id", "=", products[0].id)],
            ["failures:sum", "units_delivered:sum", "failure_rate"],
            ["product_id"],
        )
        _logger.info(
            "BENCH defect_report_one_product: failures %s, units %s, rate %.1f %%",
            by_product[0]["failures"],
            by_product[0]["units_delivered"],
            by_product[0]["failure_rate"],
        )
        load = os.getloadavg()[0]
        _logger.info("BENCH defect_report_worst_s: %.3f (load average %.1f)", worst, load)
        self.assertLess(worst, BUDGET_S)

    def _explain(self, Report, groupby, label):
        """Log the plan of the query ``read_group`` runs for ``groupby``."""
        cr = self.env.cr
        queries = []
        real = cr.execute

        def spy(query, params=None, log_exceptions=True):
            queries.append((query, params))
            return real(query, params, log_exceptions)

        self.env.invalidate_all()
        with patch.object(cr, "execute", spy):
            Report.read_group([], ["failures:sum", "units_delivered:sum"], groupby, lazy=False)
        for query, params in queries:
            code = query.code if hasattr(query, "code") else query
            if "aftersales_defect_report" not in code or "GROUP BY" not in code:
                continue
            args = query.params if hasattr(query, "params") else params
            real("EXPLAIN (ANALYZE, BUFFERS) " + code, args)
            plan = "\n".join(row[0] for row in cr.fetchall())
            _logger.info("PLAN defect_report %s:\n%s", label, plan)
            target = os.environ.get("AFTERSALES_BENCH_EXPLAIN", "")
            if os.path.isabs(target):
                with open(target, "a", encoding="utf-8") as out:
                    out.write(f"== {label} ({groupby})\n{code}\n{args}\n{plan}\n\n")
