"""Side by side with the peer, OCA ``rma`` 18.0: the same claim outcome through both addons,
in one database and one run (not part of the normal suite; ``rma`` is never a dependency).

``bin/bench`` downloads the peer's wheel into a temporary folder, puts it on the addons path
of the benchmark run only and installs ``rma`` beside this addon; without it these
benchmarks skip themselves.

Run: bin/bench --tags aftersales_bench/aftersales_service:BenchPeer
"""

import logging
import statistics
import time

from odoo.tests import tagged

from .bench_common import QueryProfileMixin
from .common import AftersalesCommon

_logger = logging.getLogger(__name__)

RUNS = 3  # measured runs per outcome and side (after one warm-up run)
OUTCOMES = ("refund", "replace", "repair")
# Issue 17's target is ours/peer <= 1.00 in queries on every outcome. Where it is not reached
# yet, the ceiling is the ratio reached so far (so it cannot get worse); each run logs how far
# from the target it is. Queries only: times on a shared machine are logged, not asserted.
TARGET = 1.0
CEILINGS = {"refund": 1.52, "replace": 1.26, "repair": TARGET}


@tagged("-standard", "aftersales_bench", "post_install", "-at_install")
class BenchPeer(QueryProfileMixin, AftersalesCommon):
    """Outcomes: (1) refund of a delivered and invoiced serial, (2) replacement by another
    serial, (3) receiving a unit for repair. Queries (``cr.sql_log_count``) and time of each
    step, flushed at every step boundary; medians of ``RUNS`` runs after a warm-up run.

    Both sides run as the same user in the same environment, with chatter tracking on (as
    a user clicking the buttons). The peer's refund is a draft credit note at the list
    price; posting it (what the customer needs) is shown as a separate step. Ours posts a
    credit note reversing the real invoice line inside the decision, runs the legal clock,
    voids and re-registers warranties and writes the decision in the chatter."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.has_peer = "rma" in cls.env
        if not cls.has_peer:
            return
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=False))
        cls.term = cls._create_warranty_term()
        cls.repair_type = cls.warehouse.repair_type_id
        Operation = cls.env["rma.operation"]
        cls.peer_operations = {
            "refund": Operation.create(
                {
                    "name": "Bench refund",
                    "action_create_receipt": "automatic_on_confirm",
                    "action_create_delivery": False,
                    "action_create_refund": "manual_after_receipt",
                }
            ),
            "replace": Operation.create(
                {
                    "name": "Bench replace",
                    "action_create_receipt": "automatic_on_confirm",
                    "action_create_delivery": "manual_after_receipt",
                    "action_create_refund": False,
                }
            ),
            "repair": Operation.create(
                {
                    "name": "Bench repair",
                    "action_create_receipt": "automatic_on_confirm",
                    "action_create_delivery": "manual_after_receipt",
                    "action_create_refund": False,
                }
            ),
        }
        # One sold, delivered and invoiced serial per run, side and outcome; a spare serial
        # in stock for each replacement.
        cls.units = {}
        cls.spares = {}
        for side in ("ours", "peer"):
            for outcome in OUTCOMES:
                units = []
                for run in range(RUNS + 1):
                    name = f"BP-{side}-{outcome}-{run}"
                    order, lot = cls._sell_and_deliver(cls.customer_ru, serials=(name,))
                    cls._invoice(order)
                    units.append((order, lot))
                cls.units[side, outcome] = units
            spares = cls._create_lots(
                cls.product_unit, [f"BP-{side}-spare-{run}" for run in range(RUNS + 1)]
            )
            for lot in spares:
                cls._add_stock(cls.product_unit, 1, lot=lot)
            cls.spares[side] = spares

    def setUp(self):
        super().setUp()
        if not self.has_peer:
            self.skipTest("OCA rma is not installed (run bin/bench: it fetches the peer)")

    # Measuring -----------------------------------------------------------------------------

    def _run_steps(self, flow, *args):
        """Queries and seconds of each step of ``flow(step, *args)``."""
        self.env.flush_all()
        self.env.invalidate_all()
        cr = self.env.cr
        figures = {}
        last = [cr.sql_log_count, time.perf_counter()]

        def step(name):
            self.env.flush_all()
            now = time.perf_counter()
            figures[name] = (cr.sql_log_count - last[0], now - last[1])
            last[:] = [cr.sql_log_count, time.perf_counter()]

        flow(step, *args)
        return figures

    def _median_steps(self, flow, side, outcome):
        """Warm up once, then the medians of ``RUNS`` runs, per step and in total."""
        units = self.units[side, outcome]
        spares = self.spares[side]
        self._run_steps(flow, units[0], spares[0])
        runs = [self._run_steps(flow, units[i], spares[i]) for i in range(1, RUNS + 1)]
        steps = {
            name: (
                statistics.median(run[name][0] for run in runs),
                statistics.median(run[name][1] for run in runs),
            )
            for name in runs[0]
        }
        total = (
            statistics.median(sum(q for q, _t in run.values()) for run in runs),
            statistics.median(sum(t for _q, t in run.values()) for run in runs),
        )
        return steps, total

    def _log(self, outcome, side, steps, total):
        _logger.info(
            "BENCH peer %s %s: %s queries, %.3f s (%s)",
            outcome,
            side,
            int(total[0]),
            total[1],
            ", ".join(f"{name} {int(q)}/{t * 1000:.0f}ms" for name, (q, t) in steps.items()),
        )

    def _compare(self, outcome, ours_flow, peer_flow):
        """Log both sides and their ratios, assert the ceiling; return ((our q, t), (peer q,
        t)), medians."""
        ours, ours_total = self._median_steps(ours_flow, "ours", outcome)
        peer, peer_total = self._median_steps(peer_flow, "peer", outcome)
        self._log(outcome, "ours", ours, ours_total)
        self._log(outcome, "peer", peer, peer_total)
        compared = [("", peer_total)]
        if "post" in peer:
            # The peer's flow as it stops, with its credit note left in draft.
            draft = {name: figures for name, figures in peer.items() if name != "post"}
            compared.append(
                (
                    " (peer without posting)",
                    (sum(q for q, _t in draft.values()), sum(t for _q, t in draft.values())),
                )
            )
        for label, (queries, seconds) in compared:
            _logger.info(
                "BENCH peer %s ratio ours/peer%s: queries %.2f (%s / %s), "
                "time %.2f (%.3f / %.3f s)",
                outcome,
                label,
                ours_total[0] / queries,
                int(ours_total[0]),
                int(queries),
                ours_total[1] / seconds,
                ours_total[1],
                seconds,
            )
        ratio = ours_total[0] / peer_total[0]
        _logger.info(
            "BENCH peer %s target ours/peer <= %.2f in queries: %s (%.2f; ceiling %.2f)",
            outcome,
            TARGET,
            "met" if ratio <= TARGET else "NOT met",
            ratio,
            CEILINGS[outcome],
        )
        self.assertLessEqual(ratio, CEILINGS[outcome], f"{outcome}: ours/peer above the ceiling")
        return ours_total, peer_total

    # Helpers shared by the flows --------------------------------------------------------------

    def _validate(self, picking, lot):
        """Validate ``picking`` moving exactly ``lot`` (as a user scanning the serial)."""
        move = picking.move_ids[:1]
        line = move.move_line_ids
        if len(line) == 1 and line.lot_id != lot:
            # What a user does: type the serial on the proposed line.
            line.write({"lot_id": lot.id, "quantity": 1})
        elif line.lot_id != lot:
            line.unlink()
            self.env["stock.move.line"].create(
                {
                    "move_id": move.id,
                    "picking_id": picking.id,
                    "product_id": move.product_id.id,
                    "lot_id": lot.id,
                    "quantity": 1,
                    "location_id": move.location_id.id,
                    "location_dest_id": move.location_dest_id.id,
                }
            )
        picking.move_ids.picked = True
        picking.button_validate()
        self.assertEqual(picking.state, "done")

    def _our_claim(self, lot, request):
        return self.env["aftersales.claim"].create(
            {
                "partner_id": self.customer_ru.id,
                "lot_id": lot.id,
                "request": request,
                "channel": "counter",
            }
        )

    def _peer_rma(self, order, outcome):
        delivery = order.picking_ids.filtered(lambda p: p.state == "done")
        return self.env["rma"].create(
            {
                "partner_id": self.customer_ru.id,
                "picking_id": delivery.id,
                "move_id": delivery.move_ids.id,
                "operation_id": self.peer_operations[outcome].id,
                "user_id": self.env.uid,
            }
        )

    # (1) Refund of a delivered and invoiced serial ---

    def _ours_refund(self, step, unit, _spare):
        _order, lot = unit
        claim = self._our_claim(lot, "refund")
        step("create")
        claim.action_start_diagnosis()
        step("diagnose")
        claim.action_decide("refund")
        step("decide")
        self._validate(claim.picking_ids, lot)
        step("receive")
        claim.action_done()
        step("resolve")
        self.assertEqual(claim.refund_move_ids.state, "posted")
        self.assertEqual(claim.state, "done")

    def _peer_refund(self, step, unit, _spare):
        order, lot = unit
        rma = self._peer_rma(order, "refund")
        step("create")
        rma.action_confirm()
        step("confirm")
        self._validate(rma.reception_move_id.picking_id, lot)
        step("receive")
        rma.action_refund()
        step("refund")
        rma.refund_id.action_post()
        step("post")
        self.assertEqual(rma.state, "refunded")
        self.assertEqual(rma.refund_id.state, "posted")

    def test_refund(self):
        self._compare("refund", self._ours_refund, self._peer_refund)

    # (2) Replacement by another serial ---

    def _ours_replace(self, step, unit, spare):
        _order, lot = unit
        claim = self._our_claim(lot, "replacement")
        step("create")
        claim.action_start_diagnosis()
        step("diagnose")
        claim.action_decide("replace", replacement_lot_id=spare.id)
        step("decide")
        back = claim.picking_ids.filtered(lambda p: p.aftersales_purpose == "claim_return")
        self._validate(back, lot)
        step("receive")
        out = claim.picking_ids.filtered(lambda p: p.aftersales_purpose == "replacement")
        self._validate(out, spare)
        step("deliver")
        claim.action_done()
        step("resolve")
        self.assertEqual(claim.state, "done")

    def _peer_replace(self, step, unit, spare):
        order, lot = unit
        rma = self._peer_rma(order, "replace")
        step("create")
        rma.action_confirm()
        step("confirm")
        self._validate(rma.reception_move_id.picking_id, lot)
        step("receive")
        wizard = (
            self.env["rma.delivery.wizard"]
            .with_context(active_ids=rma.ids, rma_delivery_type="replace")
            .create({"product_id": self.product_unit.id, "product_uom_qty": 1})
        )
        wizard.product_uom = self.product_unit.uom_id
        wizard.action_deliver()
        step("replace")
        self._validate(rma.delivery_move_ids.picking_id, spare)
        step("deliver")
        self.assertEqual(rma.state, "replaced")

    def test_replace(self):
        self._compare("replace", self._ours_replace, self._peer_replace)

    # (3) Receiving a unit for repair ---

    def _ours_repair(self, step, unit, _spare):
        _order, lot = unit
        claim = self._our_claim(lot, "repair")
        step("create")
        claim.action_start_diagnosis()
        step("diagnose")
        claim.action_decide("repair")
        step("decide")
        repair = claim.repair_ids
        repair.action_aftersales_create_intake()
        step("intake")
        self._validate(repair.aftersales_intake_picking_id, lot)
        step("receive")
        self.assertEqual(claim.state, "in_progress")

    def _peer_repair(self, step, unit, _spare):
        order, lot = unit
        rma = self._peer_rma(order, "repair")
        step("create")
        rma.action_confirm()
        step("confirm")
        self._validate(rma.reception_move_id.picking_id, lot)
        step("receive")
        self.assertEqual(rma.state, "received")

    def test_repair_intake(self):
        self._compare("repair", self._ours_repair, self._peer_repair)

    # Where the decision spends its queries ---------------------------------------------------

    def test_profile_decisions(self):
        """The three decisions, warm, one run each, query by query."""
        for outcome, request, kwargs in (
            ("refund", "refund", {}),
            ("replace", "replacement", {"replacement_lot_id": self.spares["ours"][0].id}),
            ("repair", "repair", {}),
        ):
            (_o0, warm), (_o1, lot) = self.units["ours", outcome][:2]
            warm_claim = self._our_claim(warm, request)
            warm_claim.action_start_diagnosis()
            warm_spare = {"replacement_lot_id": self.spares["ours"][1].id} if kwargs else {}
            warm_claim.action_decide(outcome, **warm_spare)
            claim = self._our_claim(lot, request)
            claim.action_start_diagnosis()
            self._profile(
                f"decide {outcome}", lambda c=claim, k=kwargs, o=outcome: c.action_decide(o, **k)
            )

    def test_profile_refund_steps(self):
        """Every step of our refund outside the decision, warm, query by query."""
        (_o0, warm), (_o1, lot) = self.units["ours", "refund"][:2]
        for unit, profile in ((warm, False), (lot, True)):
            run = self._profile if profile else (lambda _label, func: func())
            holder = {}
            run(
                "refund create",
                lambda u=unit, h=holder: h.update(claim=self._our_claim(u, "refund")),
            )
            claim = holder["claim"]
            claim.action_start_diagnosis()
            claim.action_decide("refund")
            run("refund receive", lambda c=claim, u=unit: self._validate(c.picking_ids, u))
            run("refund resolve", claim.action_done)
