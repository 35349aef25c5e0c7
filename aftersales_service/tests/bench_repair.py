"""Query budgets of service orders, side by side with the host's own repair flow.

Run: --test-tags aftersales_bench/aftersales_service:BenchRepair
"""

import logging
import time

from odoo import Command
from odoo.tests import tagged
from odoo.tools.profiler import Profiler

from .bench_common import QueryProfileMixin
from .test_repair import RepairCommon

_logger = logging.getLogger(__name__)

# Query budget of the issue: our lifecycle may cost at most this many queries more than the
# host's repair flow (asserted against both host flows, see test_lifecycle_vs_host). Issue
# 17's target is ours <= the bare host flow (logged); this is the ceiling reached so far
# (+19 against the bare flow, 328 vs 309: +17 before the return checked that the unit is
# where its line would reserve it; +20 and +25 before), with a couple of queries of slack.
# The totals of test_lifecycle_vs_host are the figures to compare: the per-step figures of
# test_lifecycle_steps flush at every step boundary and count a few more (the bare flow 318
# there against 309 here, on the same code), so the two do not mix.
BUDGET = 21


@tagged("-standard", "aftersales_bench", "post_install", "-at_install")
class BenchRepair(QueryProfileMixin, RepairCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        _so, cls.host_lots = cls._sell_and_deliver(
            cls.customer_ru, serials=("BENCH-H-0", "BENCH-H-1", "BENCH-H-2", "BENCH-H-3")
        )
        _so, cls.our_lots = cls._sell_and_deliver(
            cls.customer_ru, serials=("BENCH-O-0", "BENCH-O-1")
        )
        for part in (cls.part_pump, cls.part_belt, cls.part_board):
            cls._add_stock(part, 400)
        cls.product_untracked = cls.env["product.product"].create(
            {"name": "Dryer TD-1", "is_storable": True, "categ_id": cls.categ_units.id}
        )

    def _measure(self, func):
        self.env.flush_all()
        self.env.invalidate_all()
        start_queries = self.env.cr.sql_log_count
        start_time = time.perf_counter()
        result = func()
        self.env.flush_all()
        return self.env.cr.sql_log_count - start_queries, time.perf_counter() - start_time, result

    def _parts(self):
        return [
            Command.create({"repair_line_type": "add", "product_id": p.id, "product_uom_qty": 1})
            for p in (self.part_pump, self.part_belt, self.part_board)
        ]

    def _host_transfer(self, lot, picking_type, source, destination):
        """A plain host transfer of the customer's unit (what the host does without us)."""
        picking = self.env["stock.picking"].create(
            {
                "picking_type_id": picking_type.id,
                "partner_id": self.customer_ru.id,
                "location_id": source.id,
                "location_dest_id": destination.id,
                "move_ids": [
                    Command.create(
                        {
                            "name": lot.name,
                            "product_id": self.product_unit.id,
                            "product_uom_qty": 1,
                            "location_id": source.id,
                            "location_dest_id": destination.id,
                        }
                    )
                ],
            }
        )
        picking.action_confirm()
        return picking

    def _host_lifecycle(self, lot, same_work=True, step=None):
        """The host's repair billed through a sale order.

        ``same_work``: also receive the unit from the customer and send it back with host
        transfers, and bill the two labor lines on the sale order — the same work our
        lifecycle does; without it, the bare repair → quotation → invoice flow.
        ``step``: called with the name of each step once it is done (per-step figures).
        """
        step = step or (lambda _name: None)
        if same_work:
            receipt = self._host_transfer(
                lot, self.warehouse.in_type_id, self.customer_location, self.stock_location
            )
            receipt.move_line_ids.lot_id = lot
            receipt.move_ids.picked = True
            receipt.button_validate()
            step("receipt")
        order = self.env["repair.order"].create(
            {
                "product_id": self.product_unit.id,
                "lot_id": lot.id,
                "partner_id": self.customer_ru.id,
                "picking_type_id": self.repair_type.id,
                "move_ids": self._parts(),
            }
        )
        step("create")
        order.action_validate()
        step("confirm")
        order.action_repair_start()
        step("start")
        order.action_repair_end()
        step("end")
        order.action_create_sale_order()
        sale = order.sale_order_id
        if same_work:
            sale.order_line = [
                Command.create({"product_id": self.service_labor.id, "product_uom_qty": 1.0})
                for _i in range(2)
            ]
        sale.action_confirm()
        invoice = sale._create_invoices()
        step("invoice")
        if same_work:
            self._host_transfer(
                lot, self.warehouse.out_type_id, self.stock_location, self.customer_location
            )
            step("return")
        return order, invoice

    def _our_lifecycle(self, lot, step=None):
        step = step or (lambda _name: None)
        order = self.env["repair.order"].create(
            {
                "product_id": self.product_unit.id,
                "lot_id": lot.id,
                "partner_id": self.customer_ru.id,
                "picking_type_id": self.repair_type.id,
                "move_ids": self._parts(),
                # Billed like the host's sale order (the bench serials are under warranty).
                "aftersales_parts_coverage": 0.0,
                "aftersales_labor_coverage": 0.0,
                "aftersales_logistics_coverage": 0.0,
                "aftersales_coverage_reason": "Benchmark: billable order",
                "aftersales_labor_ids": [
                    Command.create(
                        {"user_id": tech.id, "product_id": self.service_labor.id, "hours": 1.0}
                    )
                    for tech in (self.technician, self.technician_2)
                ],
            }
        )
        step("create")
        order.action_aftersales_create_intake()
        step("intake")
        intake = order.aftersales_intake_picking_id
        intake.move_ids.picked = True
        intake.button_validate()
        step("receipt")
        order.action_validate()
        step("confirm")
        order.action_repair_start()
        step("start")
        order.action_repair_end()
        step("end")
        order.action_aftersales_invoice()
        step("invoice")
        return order, order.aftersales_invoice_id

    def test_lifecycle_vs_host(self):
        # Warm both paths once (registry, caches, sequences) before measuring.
        self._host_lifecycle(self.host_lots[0])
        self._our_lifecycle(self.our_lots[0])
        host_queries, host_time, (host_order, host_invoice) = self._measure(
            lambda: self._host_lifecycle(self.host_lots[1])
        )
        self.assertEqual(host_order.state, "done")
        self.assertEqual(len(host_invoice.invoice_line_ids), 5)
        bare_queries, bare_time, (_bare_order, bare_invoice) = self._measure(
            lambda: self._host_lifecycle(self.host_lots[2], same_work=False)
        )
        self.assertEqual(len(bare_invoice.invoice_line_ids), 3)
        our_queries, our_time, (order, invoice) = self._measure(
            lambda: self._our_lifecycle(self.our_lots[1])
        )
        self.assertEqual(order.state, "done")
        self.assertEqual(len(invoice.invoice_line_ids), 5)
        self.assertEqual(order.aftersales_return_picking_id.state, "assigned")
        _logger.info(
            "BENCH repair_lifecycle_host_same_work_queries: %s (%.3f s)", host_queries, host_time
        )
        _logger.info(
            "BENCH repair_lifecycle_host_bare_queries: %s (%.3f s)", bare_queries, bare_time
        )
        _logger.info("BENCH repair_lifecycle_ours_queries: %s (%.3f s)", our_queries, our_time)
        _logger.info(
            "BENCH repair_lifecycle_delta: %+d vs same work (budget +%d), "
            "%+d vs bare host flow (budget +%d)",
            our_queries - host_queries,
            BUDGET,
            our_queries - bare_queries,
            BUDGET,
        )
        # Issue 17's target: no more queries than the bare host flow (logged; the budget
        # below is what is asserted until it is reached).
        _logger.info(
            "BENCH repair_lifecycle target ours <= host bare: %s (%s vs %s, ratio %.2f)",
            "met" if our_queries <= bare_queries else "NOT met",
            our_queries,
            bare_queries,
            our_queries / bare_queries,
        )
        # The budget, against the bare host flow (repair → quotation → invoice, no
        # transfer of the unit at all) and against the host doing the same work (unit
        # received and sent back with host transfers, labor billed on the sale order).
        self.assertLessEqual(our_queries, bare_queries + BUDGET)
        self.assertLessEqual(our_queries, host_queries + BUDGET)

    def _measure_steps(self, func):
        """Queries of each step of ``func(step)`` (flushed at every step boundary)."""
        self.env.flush_all()
        self.env.invalidate_all()
        counts = {}
        last = [self.env.cr.sql_log_count]

        def step(name):
            self.env.flush_all()
            counts[name] = self.env.cr.sql_log_count - last[0]
            last[0] = self.env.cr.sql_log_count

        func(step)
        return counts

    def test_lifecycle_steps(self):
        """Where the queries go, step by step, in the three flows measured above."""
        self._host_lifecycle(self.host_lots[0])
        self._our_lifecycle(self.our_lots[0])
        flows = {
            "host_same_work": lambda step: self._host_lifecycle(self.host_lots[1], step=step),
            "host_bare": lambda step: self._host_lifecycle(
                self.host_lots[2], same_work=False, step=step
            ),
            "ours": lambda step: self._our_lifecycle(self.our_lots[1], step=step),
        }
        for name, func in flows.items():
            counts = self._measure_steps(func)
            _logger.info(
                "BENCH repair_lifecycle_steps_%s: %s (total %s)",
                name,
                ", ".join(f"{key} {value}" for key, value in counts.items()),
                sum(counts.values()),
            )

    def test_profile_lifecycle(self):
        """Our lifecycle and the host's bare flow, warm, query by query."""
        self._host_lifecycle(self.host_lots[0])
        self._our_lifecycle(self.our_lots[0])
        self._profile("lifecycle ours", lambda: self._our_lifecycle(self.our_lots[1]))
        self._profile(
            "lifecycle host bare",
            lambda: self._host_lifecycle(self.host_lots[2], same_work=False),
        )

    def test_profile_lifecycle_steps(self):
        """Our lifecycle and the host's bare flow, warm, step by step: each query with the
        innermost frames of this addon and of any addon and the head of its SQL (where to
        cut next, and what the host pays for the same step)."""
        self._host_lifecycle(self.host_lots[0])
        self._our_lifecycle(self.our_lots[0])
        flows = {
            "ours": lambda step: self._our_lifecycle(self.our_lots[1], step=step),
            "host bare": lambda step: self._host_lifecycle(
                self.host_lots[2], same_work=False, step=step
            ),
        }
        for label, func in flows.items():
            self._profile_steps(label, func)

    def _profile_steps(self, label, func):
        self.env.flush_all()
        self.env.invalidate_all()
        with Profiler(collectors=["sql"], db=None) as profiler:
            marks = []

            def step(name):
                self.env.flush_all()
                marks.append((name, len(profiler.collectors[0]._entries)))

            func(step)
        entries = profiler.collectors[0].entries
        start = 0
        for name, end in marks:
            for entry in entries[start:end]:
                _logger.info(
                    "BENCH step %s %s: %s | %s | %s",
                    label,
                    name,
                    self._caller(entry["stack"], ("aftersales_service/models",)),
                    self._caller(entry["stack"], ("/addons/",)),
                    " ".join(str(entry["query"]).split())[:90],
                )
            start = end

    def _new_on_site_orders(self, count):
        return self.env["repair.order"].create(
            [
                {
                    "product_id": self.product_untracked.id,
                    "partner_id": self.customer_ru.id,
                    "picking_type_id": self.repair_type.id,
                    "aftersales_on_site": True,
                    "move_ids": [
                        Command.create(
                            {
                                "repair_line_type": "add",
                                "product_id": self.part_belt.id,
                                "product_uom_qty": 1,
                            }
                        )
                    ],
                    "aftersales_labor_ids": [
                        Command.create(
                            {
                                "user_id": self.technician.id,
                                "product_id": self.service_labor.id,
                                "hours": 1.0,
                            }
                        )
                    ],
                }
                for _i in range(count)
            ]
        )

    @staticmethod
    def _confirm_and_finish(orders):
        orders.action_repair_start()  # the host confirms drafts on start
        orders.action_repair_end()

    def test_batch_confirm_and_finish(self):
        self._confirm_and_finish(self._new_on_site_orders(1))  # warm up
        singles = self._new_on_site_orders(5)
        single_counts = []
        for order in singles:
            queries, _elapsed, _res = self._measure(lambda o=order: self._confirm_and_finish(o))
            single_counts.append(queries)
        per_order = sum(single_counts) / len(single_counts)
        batch = self._new_on_site_orders(100)
        batch_queries, batch_time, _res = self._measure(lambda: self._confirm_and_finish(batch))
        self.assertEqual(set(batch.mapped("state")), {"done"})
        _logger.info("BENCH repair_finish_one_order_queries: %.1f", per_order)
        _logger.info(
            "BENCH repair_finish_100_orders_one_call_queries: %s (%.2f s)",
            batch_queries,
            batch_time,
        )
        _logger.info("BENCH repair_finish_100_times_one_queries: %.0f", per_order * 100)
        self.assertLess(batch_queries, per_order * 100)
