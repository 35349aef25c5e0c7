"""Two workers at once (issue #11, "Races with two cursors").

Each test commits its fixture data through a cursor of its own, then runs the same action in
two threads, each with its own database cursor (as two server workers would), and checks the
committed result through a third cursor: one document, stock never below zero. The threads meet
at a barrier before acting and again before committing, so both transactions overlap; a worker
that waits on a lock is released after a few seconds (the other commits first), so a blocking
lock is tested too. The loser may fail in any way (a ``UserError`` after the lock, a lock or
serialization error from PostgreSQL); the books and the stock must stay right.

The committed data lives in the main company under names starting with ``RACE-<id>``; the
cleanup cancels and removes what the ORM lets go and restores the company settings it changed.
"""

import logging
import threading
import uuid
from contextlib import contextmanager

from odoo import Command, api, fields
from odoo.tests import TransactionCase, tagged
from odoo.tools import mute_logger

ADMIN_ID = 2  # base.user_admin: an after-sales manager and accountant
_logger = logging.getLogger(__name__)


def _commit(cr):
    """Races need committed data seen by other cursors: the one place this test commits."""
    cr.commit()  # pylint: disable=invalid-commit


@tagged("post_install", "-at_install")
class TestRaces(TransactionCase):
    def setUp(self):
        super().setUp()
        self.tag = f"RACE-{uuid.uuid4().hex[:8]}"
        self._created = []  # (model, ids) in creation order, removed in reverse

    # Harness --------------------------------------------------------------------------------

    @contextmanager
    def _committed(self):
        """An admin environment on a new cursor, committed on success."""
        with self.registry.cursor() as cr:
            yield self._env(cr)

    def _env(self, cr, uid=ADMIN_ID, context=None):
        """An environment on ``cr`` bound to this registry: ``Environment`` would otherwise look
        the registry up by name, under the registry lock that the test runner holds while it
        loads modules and runs the tests (a worker thread would wait on it forever)."""
        cr.transaction = api.Transaction(self.registry)
        return api.Environment(cr, uid, context or {"tracking_disable": True})

    def _keep(self, records):
        self._created.append((records._name, records.ids))
        return records

    def _race(self, *calls):
        """Run ``calls`` (functions of an env) at once, one thread and cursor each."""
        start = threading.Barrier(len(calls))
        finish = threading.Barrier(len(calls))
        outcome = [None] * len(calls)

        def worker(index, call):
            try:
                with self.registry.cursor() as cr:
                    env = self._env(cr)
                    try:
                        start.wait(timeout=10)
                    except threading.BrokenBarrierError:
                        _logger.info("race: the other worker is late or blocked; going on")
                    try:
                        result = call(env)
                        env.flush_all()
                    except Exception as exc:  # noqa: BLE001 - the loser may fail in any way
                        cr.rollback()
                        outcome[index] = exc
                        result = None
                    try:
                        finish.wait(timeout=5)
                    except threading.BrokenBarrierError:
                        _logger.info("race: the other worker is late or blocked; going on")
                    if outcome[index] is None:
                        _commit(cr)
                        outcome[index] = ("ok", result)
            except Exception as exc:  # noqa: BLE001 - a failed commit
                outcome[index] = exc

        threads = [
            threading.Thread(target=worker, args=(i, call), name=f"race-{i}")
            for i, call in enumerate(calls)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        winners = [o for o in outcome if isinstance(o, tuple)]
        self.assertTrue(winners, f"no worker succeeded: {outcome}")
        return outcome

    def _cleanup(self):
        """Best effort: cancel and delete the committed fixtures, newest first."""
        for model, ids in reversed(self._created):
            with self.registry.cursor() as cr:
                env = self._env(cr, 1, {"active_test": False})
                records = env[model].browse(ids).exists()
                if model in ("product.product", "aftersales.warranty.term"):
                    records.write({"active": False})  # moves and layers keep them
                    _commit(cr)
                    continue
                if model == "stock.lot":
                    continue  # quants and move lines keep them
                try:
                    if model == "account.move":
                        records.filtered(lambda m: m.state == "posted").button_draft()
                        records.button_cancel()
                    elif model == "stock.picking":
                        records.filtered(lambda p: p.state != "done").action_cancel()
                    elif model == "repair.order":
                        records.filtered(lambda r: r.state != "done").action_repair_cancel()
                    _commit(cr)
                    with mute_logger("odoo.sql_db"):
                        records.unlink()
                    _commit(cr)
                except Exception:  # noqa: BLE001 - done moves and entries stay as history
                    cr.rollback()
                    if "active" in env[model]._fields:
                        records.write({"active": False})
                        _commit(cr)

    # Builders (committed) ------------------------------------------------------------------

    def _product(self, env, name, tracking="none", price=80.0, cost=50.0):
        return self._keep(
            env["product.product"].create(
                {
                    "name": f"{self.tag} {name}",
                    "type": "consu",
                    "is_storable": True,
                    "tracking": tracking,
                    "standard_price": cost,
                    "list_price": price,
                }
            )
        )

    def _stock(self, env, product, qty, lot=None):
        warehouse = env["stock.warehouse"].search([("company_id", "=", env.company.id)], limit=1)
        quant = (
            env["stock.quant"]
            .with_context(inventory_mode=True)
            .create(
                {
                    "product_id": product.id,
                    "location_id": warehouse.lot_stock_id.id,
                    "lot_id": lot.id if lot else False,
                    "inventory_quantity": qty,
                }
            )
        )
        quant.action_apply_inventory()
        return warehouse

    def _partner(self, env):
        return self._keep(env["res.partner"].create({"name": f"{self.tag} customer"}))

    def _order(self, env, partner, part, qty=1, **vals):
        return self._keep(
            env["repair.order"].create(
                {
                    "partner_id": partner.id,
                    "picking_type_id": env["stock.warehouse"]
                    .search([("company_id", "=", env.company.id)], limit=1)
                    .repair_type_id.id,
                    "move_ids": [
                        Command.create(
                            {
                                "repair_line_type": "add",
                                "product_id": part.id,
                                "product_uom_qty": qty,
                            }
                        )
                    ],
                    **vals,
                }
            )
        )

    @contextmanager
    def _parts_issue_mode(self):
        with self._committed() as env:
            previous = env.company.aftersales_parts_issue
            env.company.aftersales_parts_issue = True

        def restore():
            with self._committed() as env:
                env.company.aftersales_parts_issue = previous

        self.addCleanup(restore)
        yield

    def _qty(self, env, product, location):
        quants = env["stock.quant"]._gather(product.with_env(env), location, strict=True)
        return sum(quants.mapped("quantity"))

    # Races ---------------------------------------------------------------------------------

    def test_double_invoice(self):
        self.addCleanup(self._cleanup)
        with self._committed() as env:
            part = self._product(env, "board", price=200.0, cost=120.0)
            self._stock(env, part, 2)
            order = self._order(env, self._partner(env), part)
            order.action_validate()
            order.action_repair_start()
            order.action_repair_end()
            order_id = order.id
        self._race(
            *[lambda env: env["repair.order"].browse(order_id).action_aftersales_invoice()] * 2
        )
        with self._committed() as env:
            order = env["repair.order"].browse(order_id)
            invoices = env["account.move"].search(
                [("invoice_line_ids.product_id", "=", part.id), ("move_type", "=", "out_invoice")]
            )
            self._keep(invoices)
            self._keep(order.aftersales_warranty_move_id)
            self.assertEqual(len(invoices), 1, "one customer invoice")
            self.assertEqual(order.aftersales_invoice_id, invoices)
            self.assertTrue(order.aftersales_invoiced)
            warranty_entries = env["account.move"].search(
                [("ref", "ilike", order.name), ("move_type", "=", "entry")]
            )
            self.assertLessEqual(len(warranty_entries), 1, "at most one warranty entry")

    def test_double_decision(self):
        self.addCleanup(self._cleanup)
        with self._committed() as env:
            unit = self._product(env, "claimed washer", tracking="serial", price=1000.0)
            lot = self._keep(
                env["stock.lot"].create({"name": f"{self.tag}-CLM", "product_id": unit.id})
            )
            claim = self._keep(
                env["aftersales.claim"].create(
                    {
                        "partner_id": self._partner(env).id,
                        "lot_id": lot.id,
                        "request": "repair",
                        "channel": "counter",
                    }
                )
            )
            claim.action_start_diagnosis()
            claim_id = claim.id
        self._race(
            *[lambda env: env["aftersales.claim"].browse(claim_id).action_decide("repair")] * 2
        )
        with self._committed() as env:
            claim = env["aftersales.claim"].browse(claim_id)
            self._keep(claim.repair_ids)
            self.assertEqual(claim.state, "in_progress")
            self.assertEqual(len(claim.repair_ids), 1, "one service order")
            decisions = claim.message_ids.filtered(lambda m: "Decision:" in (m.body or ""))
            self.assertLessEqual(len(decisions), 1, "one decision note")

    def test_double_issue(self):
        self.addCleanup(self._cleanup)
        with self._parts_issue_mode(), self._committed() as env:
            part = self._product(env, "pump")
            warehouse = self._stock(env, part, 5)
            order = self._order(env, self._partner(env), part, qty=2)
            order.action_validate()
            order_id = order.id
            stock_id = warehouse.lot_stock_id.id
        self._race(
            *[lambda env: env["repair.order"].browse(order_id).action_aftersales_issue_parts()] * 2
        )
        with self._committed() as env:
            order = env["repair.order"].browse(order_id)
            issues = order.aftersales_parts_picking_ids.filtered(
                lambda p: p.aftersales_purpose == "parts_issue" and p.state != "cancel"
            )
            self._keep(order.aftersales_parts_picking_ids)
            self.assertEqual(len(issues), 1, "one issue transfer")
            self.assertEqual(sum(issues.move_ids.mapped("product_uom_qty")), 2)
            self.assertEqual(self._qty(env, part, env["stock.location"].browse(stock_id)), 5)

    def test_last_unit(self):
        self.addCleanup(self._cleanup)
        with self._parts_issue_mode(), self._committed() as env:
            part = self._product(env, "last belt")
            warehouse = self._stock(env, part, 1)
            partner = self._partner(env)
            orders = self._order(env, partner, part) | self._order(env, partner, part)
            for order in orders:
                order.action_validate()
            order_ids = orders.ids
            stock_id = warehouse.lot_stock_id.id
            workshop_id = warehouse.aftersales_workshop_location_id.id

        def issue_and_validate(order_id):
            def run(env):
                order = env["repair.order"].browse(order_id)
                order.with_context(aftersales_open_pickings=False).action_aftersales_issue_parts()
                picking = order.aftersales_parts_picking_ids.filtered(
                    lambda p: (
                        p.aftersales_purpose == "parts_issue" and p.state not in ("done", "cancel")
                    )
                )
                picking.action_assign()
                if picking.state == "assigned":
                    picking.move_ids.picked = True
                    picking.button_validate()
                return picking.state

            return run

        self._race(issue_and_validate(order_ids[0]), issue_and_validate(order_ids[1]))
        with self._committed() as env:
            orders = env["repair.order"].browse(order_ids)
            self._keep(orders.aftersales_parts_picking_ids)
            stock = env["stock.location"].browse(stock_id)
            workshop = env["stock.location"].browse(workshop_id)
            quants = env["stock.quant"]._gather(part.with_env(env), stock, strict=True)
            self.assertEqual(self._qty(env, part, stock), 0, "the last unit left once")
            self.assertGreaterEqual(min(quants.mapped("quantity"), default=0), 0)
            self.assertLessEqual(sum(quants.mapped("reserved_quantity")), 0)
            self.assertEqual(self._qty(env, part, workshop), 1, "one unit in the workshop")
            done = orders.aftersales_parts_picking_ids.filtered(lambda p: p.state == "done")
            self.assertEqual(len(done), 1, "one issue done")

    def test_duplicate_registration(self):
        self.addCleanup(self._cleanup)
        with self._committed() as env:
            unit = self._product(env, "washer", tracking="serial", price=1000.0, cost=600.0)
            lot = self._keep(
                env["stock.lot"].create({"name": f"{self.tag}-SN", "product_id": unit.id})
            )
            warehouse = self._stock(env, unit, 1, lot=lot)
            partner = self._partner(env)
            picking = self._keep(
                env["stock.picking"].create(
                    {
                        "partner_id": partner.id,
                        "picking_type_id": warehouse.out_type_id.id,
                        "location_id": warehouse.lot_stock_id.id,
                        "location_dest_id": env.ref("stock.stock_location_customers").id,
                        "move_ids": [
                            Command.create(
                                {
                                    "name": unit.name,
                                    "product_id": unit.id,
                                    "product_uom_qty": 1,
                                    "location_id": warehouse.lot_stock_id.id,
                                    "location_dest_id": env.ref(
                                        "stock.stock_location_customers"
                                    ).id,
                                }
                            )
                        ],
                    }
                )
            )
            picking.action_confirm()
            picking.action_assign()
            picking.move_ids.move_line_ids.lot_id = lot
            picking.move_ids.picked = True
            picking.button_validate()
            self.assertEqual(picking.state, "done")
            # The term appears after the delivery (go-live): the serial has no layer yet.
            term = self._keep(
                env["aftersales.warranty.term"].create(
                    {
                        "name": f"{self.tag} term",
                        "kind": "manufacturer",
                        "duration": 2,
                        "duration_unit": "year",
                        "company_id": env.company.id,
                        "product_tmpl_ids": [Command.link(unit.product_tmpl_id.id)],
                    }
                )
            )
            lot_id, term_id = lot.id, term.id
            today = fields.Date.to_string(picking.date_done.date())
        self._race(
            *[lambda env: env["aftersales.warranty"].register_past_deliveries(date_from=today).ids]
            * 2
        )
        with self._committed() as env:
            layers = env["aftersales.warranty"].search([("lot_id", "=", lot_id)])
            self._keep(layers)
            self.assertEqual(len(layers.filtered(lambda w: w.term_id.id == term_id)), 1)
