# Copyright 2026 aftersales_service authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import logging
from collections import defaultdict
from datetime import timedelta

from odoo import Command, api, fields, models
from odoo.exceptions import UserError

from ..rules import recovery
from .aftersales_warranty import BASE_KINDS
from .aftersales_workflow_mixin import workflow

_logger = logging.getLogger(__name__)

PROPOSED_ACTIONS = [
    (recovery.MONITOR, "Monitor"),
    (recovery.REDUCE, "Reduce Production"),
    (recovery.STOP, "Stop Production"),
    (recovery.QUARANTINE, "Quarantine Lot"),
]
STATES = [
    ("new", "New"),
    ("confirmed", "Confirmed"),
    ("done", "Done"),
    ("dismissed", "Dismissed"),
]
OPEN_STATES = ("new", "confirmed")
# Written by the actions only (decide, quarantine, release).
WORKFLOW_FIELDS = frozenset(
    {"state", "decision", "quarantine_picking_ids", "release_picking_ids", "date_released"}
)


def quality_alert_workflow():
    return workflow("aftersales.quality.alert")


class AftersalesQualityAlert(models.Model):
    """A systematic defect: a product failing in service more than its category allows.

    Opened by the daily job (``_cron_detect``) with the figures it was opened on (window,
    units delivered, failures, rate against the threshold) and the action it proposes;
    a manager records the decision (confirm with the measures taken, or dismiss)."""

    _name = "aftersales.quality.alert"
    _description = "Quality Alert"
    _inherit = ["mail.thread", "mail.activity.mixin", "aftersales.workflow.mixin"]  # noqa: RUF012
    _order = "id desc"
    _check_company_auto = True
    _aftersales_workflow_fields = WORKFLOW_FIELDS
    _aftersales_workflow_initial = {"state": "new"}  # noqa: RUF012

    name = fields.Char(default="New", readonly=True, copy=False, required=True)
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company, index=True
    )
    product_id = fields.Many2one(
        "product.product", required=True, index=True, readonly=True, check_company=True
    )
    categ_id = fields.Many2one(related="product_id.categ_id", store=True, string="Category")
    component_lot_id = fields.Many2one(
        "stock.lot", string="Suspect Component Lot", readonly=True, check_company=True
    )
    supplier_id = fields.Many2one("res.partner", readonly=True)
    date_from = fields.Date(readonly=True)
    date_to = fields.Date(readonly=True)
    units_delivered = fields.Integer(readonly=True)
    failures = fields.Integer(readonly=True)
    failure_rate = fields.Float(string="Failure Rate (%)", digits=(5, 2), readonly=True)
    threshold = fields.Float(string="Threshold (%)", digits=(5, 2), readonly=True)
    proposed_action = fields.Selection(PROPOSED_ACTIONS, readonly=True, tracking=True)
    state = fields.Selection(
        STATES, default="new", required=True, readonly=True, index=True, tracking=True
    )
    decision = fields.Text(readonly=True, tracking=True)
    user_id = fields.Many2one("res.users", string="Responsible", tracking=True)
    quarantine_picking_ids = fields.Many2many(
        "stock.picking",
        string="Quarantine Transfers",
        readonly=True,
        copy=False,
        help="Transfers that moved the suspect lot's stock to the Quarantine location.",
    )
    decision_note = fields.Text(copy=False, help="Typed before confirming or dismissing.")

    _sql_constraints = [  # noqa: RUF012
        ("failures_positive", "CHECK(failures >= 0)", "Failures cannot be negative."),
    ]

    def init(self):
        # At most one open alert per product, whatever runs at the same time (two job runs,
        # a manual run): the database refuses the second one.
        self.env.cr.execute(
            "CREATE UNIQUE INDEX IF NOT EXISTS aftersales_quality_alert_open_product_uniq"
            " ON aftersales_quality_alert (product_id) WHERE state IN ('new', 'confirmed')"
        )

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("name", "New") == "New":
                vals["name"] = self.env["ir.sequence"].next_by_code(
                    "aftersales.quality.alert"
                ) or self.env._("New")
        return super().create(vals_list)

    def _raise_workflow_fields(self, fnames):
        raise UserError(
            self.env._("An alert's state, decision and transfers change through its buttons only.")
        )

    def _aftersales_lock_message(self, names):
        return self.env._(
            "Alert %(alerts)s is being changed by someone else right now; try again "
            "in a moment.",
            alerts=names,
        )

    # ------------------------------------------------------------------------------------
    # Decision
    # ------------------------------------------------------------------------------------

    def _decide(self, states, vals, note, required=False):
        if note is not None and not isinstance(note, str):
            raise UserError(self.env._("Write down the decision taken on the alert."))
        alerts = self.browse(list(dict.fromkeys(self.ids)))
        if required and any(not (note or a.decision_note or "").strip() for a in alerts):
            raise UserError(self.env._("Write down the decision taken on the alert."))
        wrong = alerts.filtered(lambda a: a.state not in states)
        if wrong:
            raise UserError(
                self.env._(
                    "Alert %(alerts)s cannot take this decision in its current state.",
                    alerts=", ".join(wrong.mapped("name")),
                )
            )
        for alert in alerts:
            values = dict(vals, decision_note=False)
            text = (note or alert.decision_note or "").strip()
            if text:
                values["decision"] = f"{alert.decision}\n{text}" if alert.decision else text
            with quality_alert_workflow():
                alert.write(values)
        alerts.activity_feedback(["mail.mail_activity_data_todo"])
        return True

    def action_confirm(self, note=None):
        """The defect is systematic: the measures are being taken."""
        return self._decide(("new",), {"state": "confirmed"}, note)

    def action_done(self, note=None):
        return self._decide(("confirmed",), {"state": "done"}, note)

    def action_dismiss(self, note=None):
        """Not a systematic defect (a one-off, a data error): why, for the record."""
        return self._decide(("new", "confirmed"), {"state": "dismissed"}, note, required=True)

    # ------------------------------------------------------------------------------------
    # Quarantine of the suspect lot
    # ------------------------------------------------------------------------------------

    def action_quarantine(self):
        """Move the suspect component lot's stock (what is free in each warehouse's stock)
        to the warehouse's Quarantine location with a validated internal transfer. The
        location is outside the warehouse's stock: deliveries and parts issues, which take
        from stock, cannot reserve the lot until it is moved back."""
        return self._aftersales_move_lot()

    def _aftersales_move_lot(self, release=False):
        """Quarantine each alert's suspect lot, or release it (``release``). One sequence
        for both buttons, so that they cannot drift apart: rights, lock, refusal of the
        alerts it does not apply to, the transfers, refusal when they moved nothing, the
        record on the alert and in its chatter. Only the checks, the transfers, the fields
        written and the words differ."""
        self._aftersales_check_quarantine_rights()
        alerts = self._aftersales_lock()
        if release:
            wrong = alerts.filtered(lambda a: not a.quarantine_picking_ids or a.date_released)
        else:
            wrong = alerts.filtered(
                lambda a: (
                    a.proposed_action != recovery.QUARANTINE
                    or not a.component_lot_id
                    or a.state not in OPEN_STATES
                    or a.quarantine_picking_ids
                )
            )
        if wrong:
            names = ", ".join(wrong.mapped("name"))
            raise UserError(
                self.env._(
                    "Alert %(alerts)s has no lot in quarantine (never quarantined, or already "
                    "released).",
                    alerts=names,
                )
                if release
                else self.env._(
                    "Alert %(alerts)s has no suspect lot to quarantine (or it is closed or "
                    "already quarantined).",
                    alerts=names,
                )
            )
        for alert in alerts:
            lot = alert.component_lot_id.name
            if release:
                pickings = alert._aftersales_release_lot()
                vals = {
                    "release_picking_ids": [Command.set(pickings.ids)],
                    "date_released": fields.Datetime.now(),
                }
            else:
                pickings = alert._aftersales_quarantine_lot()
                vals = {"quarantine_picking_ids": [Command.set(pickings.ids)]}
            if not pickings:
                raise UserError(
                    self.env._("Lot %(lot)s has nothing left in quarantine to release.", lot=lot)
                    if release
                    else self.env._("Lot %(lot)s has no free stock to quarantine.", lot=lot)
                )
            with quality_alert_workflow():
                alert.write(vals)
            names = ", ".join(pickings.mapped("name"))
            alert.message_post(
                body=self.env._(
                    "Lot %(lot)s released from quarantine: %(pickings)s.", lot=lot, pickings=names
                )
                if release
                else self.env._(
                    "Lot %(lot)s moved to quarantine: %(pickings)s.", lot=lot, pickings=names
                )
            )
        return True

    def _aftersales_quarantine_location(self, warehouse):
        """The warehouse's Quarantine location (internal, under the warehouse, outside its
        stock), created on first use."""
        Location = self.env["stock.location"].sudo()
        location = Location.search(
            [
                ("location_id", "=", warehouse.view_location_id.id),
                ("name", "=", "Quarantine"),
                ("usage", "=", "internal"),
            ],
            limit=1,
        )
        return location or Location.create(
            {
                "name": "Quarantine",
                "usage": "internal",
                "location_id": warehouse.view_location_id.id,
                "company_id": warehouse.company_id.id,
            }
        )

    def _aftersales_quarantine_lot(self):
        self.ensure_one()
        lot = self.component_lot_id
        quants = (
            self.env["stock.quant"]
            .sudo()
            .search(
                [
                    ("lot_id", "=", lot.id),
                    ("company_id", "=", self.company_id.id),
                    ("location_id.usage", "=", "internal"),
                    ("quantity", ">", 0),
                ]
            )
        )
        warehouses = (
            self.env["stock.warehouse"].sudo().search([("company_id", "=", self.company_id.id)])
        )
        pickings = self.env["stock.picking"]
        for warehouse in warehouses:
            stock = warehouse.lot_stock_id
            free = [
                (quant, quant.quantity - quant.reserved_quantity)
                for quant in quants
                if quant.location_id.parent_path.startswith(stock.parent_path)
                and quant.quantity - quant.reserved_quantity > 0
            ]
            if not free:
                continue
            dest = self._aftersales_quarantine_location(warehouse)
            pickings |= self._aftersales_lot_transfer(
                warehouse.int_type_id,
                stock,
                dest,
                [(quant.location_id, dest, qty) for quant, qty in free],
            )
        return pickings

    def _prepare_aftersales_lot_transfer_vals(self, picking_type, source, dest, lines):
        """Values of the quarantine's or the release's transfer (the hook to add fields)."""
        self.ensure_one()
        product = self.component_lot_id.product_id
        return {
            "picking_type_id": picking_type.id,
            "location_id": source.id,
            "location_dest_id": dest.id,
            "origin": self.name,
            "company_id": self.company_id.id,
            "move_ids": [
                Command.create(
                    {
                        "name": self.name,
                        "product_id": product.id,
                        "product_uom": product.uom_id.id,
                        "product_uom_qty": sum(qty for _src, _dst, qty in lines),
                        "location_id": source.id,
                        "location_dest_id": dest.id,
                        "company_id": self.company_id.id,
                    }
                )
            ],
        }

    def _aftersales_lot_transfer(self, picking_type, source, dest, lines):
        """A validated internal transfer of the suspect lot from ``source`` to ``dest`` (the
        quarantine and its release), moving exactly ``lines`` [(from location, to location,
        quantity)]: the move lines are written, not reserved, since a reservation would
        take whichever lot and location it prefers."""
        self.ensure_one()
        lot = self.component_lot_id
        product = lot.product_id
        picking = (
            self.env["stock.picking"]
            .sudo()
            .create(self._prepare_aftersales_lot_transfer_vals(picking_type, source, dest, lines))
        )
        picking.action_confirm()
        move = picking.move_ids
        move.move_line_ids.unlink()
        move.move_line_ids = [
            Command.create(
                {
                    "product_id": product.id,
                    "lot_id": lot.id,
                    "quantity": qty,
                    "location_id": src.id,
                    "location_dest_id": dst.id,
                    "picking_id": picking.id,
                }
            )
            for src, dst, qty in lines
        ]
        move.picked = True
        picking.with_context(skip_backorder=True, cancel_backorder=True).button_validate()
        return picking

    # ------------------------------------------------------------------------------------
    # Detection
    # ------------------------------------------------------------------------------------

    @api.model
    def _cron_detect(self, today=None):
        """Open an alert for each product whose failure rate over its category's window
        reaches the category's threshold, unless it has one open already.

        A constant number of queries per category window: failures per product, failures
        per product and component lot, units delivered per product (warranty
        registrations), open alerts; then one batch of creates."""
        today = fields.Date.to_date(today) or fields.Date.context_today(self)
        categs = self.env["product.category"].search([("aftersales_failure_threshold", ">", 0)])
        by_window = defaultdict(lambda: self.env["product.category"])
        for categ in categs:
            by_window[categ.aftersales_failure_window_days or 365] |= categ
        alerts = self.browse()
        for window, window_categs in by_window.items():
            alerts |= self._detect_window(window_categs, today - timedelta(days=window), today)
        _logger.info("Quality alerts: %d opened", len(alerts))
        return alerts

    @api.model
    def _detect_window(self, categs, date_from, date_to):
        Defect = self.env["aftersales.defect"].sudo()
        domain = [
            ("categ_id", "in", categs.ids),
            ("date", ">=", date_from),
            ("date", "<=", date_to),
        ]
        failures = {
            (product, company): count
            for product, company, count in Defect._read_group(
                domain, ["product_id", "company_id"], ["__count"]
            )
        }
        if not failures:
            return self.browse()
        products = self.env["product.product"].browse({p.id for p, _c in failures})
        top_lots = {}
        for product, company, lot, supplier, count in Defect._read_group(
            [*domain, ("component_lot_id", "!=", False)],
            ["product_id", "company_id", "component_lot_id", "supplier_id"],
            ["__count"],
        ):
            best = top_lots.get((product, company))
            if not best or count > best[2]:
                top_lots[product, company] = (lot, supplier, count)
        units = {
            (product, company): count
            for product, company, count in self.env["aftersales.warranty"]
            .sudo()
            ._read_group(
                [
                    ("product_id", "in", products.ids),
                    ("kind", "in", BASE_KINDS),
                    ("state", "!=", "void"),
                    ("date_start", ">=", date_from),
                    ("date_start", "<=", date_to),
                ],
                ["product_id", "company_id"],
                ["lot_id:count_distinct"],
            )
        }
        open_products = set(
            self.sudo()
            .search([("product_id", "in", products.ids), ("state", "in", OPEN_STATES)])
            .product_id.ids
        )
        vals_list = []
        for (product, company), count in failures.items():
            if product.id in open_products:
                continue
            delivered = units.get((product, company), 0)
            threshold = product.categ_id.aftersales_failure_threshold
            rate = recovery.failure_rate(count, delivered)
            lot, supplier, lot_count = top_lots.get((product, company), (None, None, 0))
            action = recovery.proposed_action(rate, threshold, count, lot_count)
            if not action:
                continue
            open_products.add(product.id)
            vals_list.append(
                {
                    "company_id": company.id,
                    "product_id": product.id,
                    "date_from": date_from,
                    "date_to": date_to,
                    "units_delivered": delivered,
                    "failures": count,
                    "failure_rate": rate,
                    "threshold": threshold,
                    "proposed_action": action,
                    "component_lot_id": lot.id if action == recovery.QUARANTINE else False,
                    "supplier_id": supplier.id
                    if action == recovery.QUARANTINE and supplier
                    else False,
                    "user_id": self._alert_responsibles(company)[:1].id,
                }
            )
        alerts = self.sudo().create(vals_list)
        for alert in alerts:
            for user in alert._alert_responsibles(alert.company_id):
                alert.activity_schedule(
                    "mail.mail_activity_data_todo",
                    summary=self.env._(
                        "Systematic defect: decide on %(product)s",
                        product=alert.product_id.display_name,
                    ),
                    user_id=user.id,
                )
        return alerts

    @api.model
    def _alert_responsibles(self, company):
        """The company's quality responsible, else its after-sales managers."""
        if company.aftersales_quality_user_id:
            return company.aftersales_quality_user_id
        group = self.env.ref("aftersales_service.group_aftersales_manager")
        return (
            group.sudo()
            .users.filtered(lambda u: company in u.company_ids and not u.share)
            .sorted("id")
        )
