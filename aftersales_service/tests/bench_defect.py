"""Defect statistics benchmark (not part of the normal suite).

Run: bin/bench --no-peer --tags aftersales_bench/aftersales_service:BenchDefect
Budget (DESIGN "Budgets"): over 1,000,000 defect rows, a grouped read of the analysis in
under 2 s.
"""

import logging
import os
import time

from odoo.tests import tagged

from .common import AftersalesCommon

_logger = logging.getLogger(__name__)

DEFECTS = 1_000_000
PRODUCTS = 50
SERIALS = 100_000
BUDGET_S = 2.0


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
            "product_month": ["product_id", "date:month"],
            "supplier": ["supplier_id"],
            "component_fault": ["component_id", "fault_code_id"],
            "age_months": ["age_months"],
        }
        worst = 0.0
        for label, groupby in cases.items():
            self.env.invalidate_all()
            t0 = time.perf_counter()
            groups = Report.read_group(
                [],
                ["failures:sum", "units_delivered:sum", "failure_rate"],
                groupby,
                lazy=False,
            )
            elapsed = time.perf_counter() - t0
            worst = max(worst, elapsed)
            _logger.info(
                "BENCH defect_report_read_group_%s_s: %.3f (%d groups)",
                label,
                elapsed,
                len(groups),
            )
            self.assertTrue(groups)
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
