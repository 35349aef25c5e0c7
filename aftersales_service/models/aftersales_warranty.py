# Copyright 2026 aftersales_service authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import split_every

from ..rules import warranty_dates

# The layers an extended warranty extends (component warranties run on their own).
BASE_KINDS = ("legal", "manufacturer")


class AftersalesWarranty(models.Model):
    """One entitlement layer of one serial number.

    A serial stacks layers (legal guarantee, manufacturer, component, extended); its coverage on
    a date is the best of the layers valid on that date. Layers are registered in batch when a
    delivery to a customer is validated, are never deleted (voiding keeps the history) and are
    unique per (serial, term) among non-void rows, enforced by a partial unique index.
    """

    _name = "aftersales.warranty"
    _description = "Serial Warranty Layer"
    _inherit = "mail.thread"
    _order = "date_end desc, id desc"
    _check_company_auto = True
    _rec_name = "lot_id"

    # Unit and owner
    lot_id = fields.Many2one(
        "stock.lot",
        string="Serial Number",
        required=True,
        index=True,
        ondelete="restrict",
        check_company=True,
        tracking=True,
    )
    product_id = fields.Many2one(
        related="lot_id.product_id", store=True, index=True, string="Product"
    )
    partner_id = fields.Many2one("res.partner", string="Owner", index=True, tracking=True)
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company, index=True
    )

    # Term and what it grants (copied at registration: later edits of the term do not change
    # what was promised on a sold unit)
    term_id = fields.Many2one(
        "aftersales.warranty.term",
        required=True,
        ondelete="restrict",
        check_company=True,
        index=True,
    )
    kind = fields.Selection(related="term_id.kind", store=True, index=True)
    transferable = fields.Boolean(
        related="term_id.transferable",
        store=True,
        help="The layer follows the unit to a new owner; the others stay with the owner "
        "who bought it (see stock.lot.aftersales_transfer).",
    )
    duration = fields.Integer(
        compute="_compute_from_term", store=True, readonly=False, precompute=True
    )
    duration_unit = fields.Selection(
        [("day", "Days"), ("month", "Months"), ("year", "Years")],
        compute="_compute_from_term",
        store=True,
        readonly=False,
        precompute=True,
    )
    extend_by_downtime = fields.Boolean(
        compute="_compute_from_term", store=True, readonly=False, precompute=True
    )
    parts_coverage = fields.Float(
        string="Parts (%)",
        compute="_compute_from_term",
        store=True,
        readonly=False,
        precompute=True,
    )
    labor_coverage = fields.Float(
        string="Labor (%)",
        compute="_compute_from_term",
        store=True,
        readonly=False,
        precompute=True,
    )
    logistics_coverage = fields.Float(
        string="Logistics (%)",
        compute="_compute_from_term",
        store=True,
        readonly=False,
        precompute=True,
    )

    # Dates
    date_start = fields.Date(required=True, tracking=True, default=fields.Date.context_today)
    downtime_days = fields.Integer(
        tracking=True,
        help="Days the unit spent in service; they push the end date out when "
        "the term extends by downtime.",
    )
    date_end = fields.Date(
        compute="_compute_date_end", store=True, index=True, tracking=True, precompute=True
    )
    days_left = fields.Integer(compute="_compute_days_left")
    is_expiring_soon = fields.Boolean(
        string="Expiring Soon",
        compute="_compute_days_left",
        search="_search_is_expiring_soon",
        help="Active and ending within 30 days.",
    )

    # Status
    state = fields.Selection(
        [("active", "Active"), ("expired", "Expired"), ("void", "Void")],
        string="Status",
        required=True,
        default="active",
        index=True,
        tracking=True,
        copy=False,
    )
    void_reason = fields.Char(tracking=True, copy=False)
    can_void = fields.Boolean(compute="_compute_can_void")

    # Origin
    move_id = fields.Many2one(
        "stock.move", string="Delivery Move", index="btree_not_null", readonly=True, copy=False
    )
    picking_id = fields.Many2one(related="move_id.picking_id", string="Delivery")
    sale_line_id = fields.Many2one(
        "sale.order.line",
        string="Sale Order Line",
        index="btree_not_null",
        readonly=True,
        copy=False,
    )
    sale_order_id = fields.Many2one(related="sale_line_id.order_id", string="Sale Order")
    note = fields.Text()

    def init(self):
        # At most one live layer per (serial, term): concurrent validations or a re-run of the
        # go-live registration cannot duplicate a layer; voided layers stay as history.
        self.env.cr.execute(
            """
            CREATE UNIQUE INDEX IF NOT EXISTS aftersales_warranty_lot_term_uniq
                ON aftersales_warranty (lot_id, term_id) WHERE state != 'void'
            """
        )

    # Computes

    @api.depends("term_id")
    def _compute_from_term(self):
        # Depends on the term only, not on its values: what a sold unit got is kept.
        for warranty in self:
            term = warranty.term_id
            warranty.duration = term.duration
            warranty.duration_unit = term.duration_unit
            warranty.extend_by_downtime = term.extend_by_downtime
            warranty.parts_coverage = term.parts_coverage
            warranty.labor_coverage = term.labor_coverage
            warranty.logistics_coverage = term.logistics_coverage

    @api.depends("date_start", "duration", "duration_unit", "downtime_days", "extend_by_downtime")
    def _compute_date_end(self):
        for warranty in self:
            if not warranty.date_start or not warranty.duration_unit:
                warranty.date_end = warranty.date_start
                continue
            warranty.date_end = self._get_date_end(
                warranty.date_start,
                warranty.duration,
                warranty.duration_unit,
                warranty_dates.counted_downtime(
                    warranty.downtime_days, warranty.extend_by_downtime
                ),
            )

    @api.model
    def _get_date_end(self, date_start, duration, duration_unit, downtime_days=0):
        """End date of a layer: start + duration + counted downtime (``rules.warranty_dates``)."""
        return warranty_dates.end_date(date_start, duration, duration_unit, downtime_days)

    @api.depends("date_end", "state")
    def _compute_days_left(self):
        today = fields.Date.context_today(self)
        for warranty in self:
            warranty.days_left = warranty_dates.days_left(warranty.date_end, today, warranty.state)
            warranty.is_expiring_soon = warranty_dates.is_expiring_soon(
                warranty.date_end, today, warranty.state
            )

    def _search_is_expiring_soon(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            raise UserError(self.env._("Operation not supported."))
        first, last = warranty_dates.expiring_soon_window(fields.Date.context_today(self))
        domain = [
            ("state", "=", "active"),
            ("date_end", ">=", first),
            ("date_end", "<=", last),
        ]
        if (operator == "=") == value:
            return domain
        return [
            "|",
            "|",
            ("state", "!=", "active"),
            ("date_end", "<", first),
            ("date_end", ">", last),
        ]

    @api.depends("state")
    def _compute_can_void(self):
        for warranty in self:
            warranty.can_void = warranty.state != "void"

    @api.depends("lot_id", "term_id")
    def _compute_display_name(self):
        for warranty in self:
            warranty.display_name = f"{warranty.lot_id.name or ''} - {warranty.term_id.name or ''}"

    # Constraints

    def _check_no_live_duplicate(self, pairs):
        """Refuse a second live layer of a term on a serial, before the index does.

        ``pairs`` = [(lot_id, term_id)] about to become live. The unique index is what
        guarantees it under concurrency; this check gives the readable message.
        """
        pairs = [(lot_id, term_id) for lot_id, term_id in pairs if lot_id and term_id]
        if not pairs:
            return
        seen = set()
        for pair in pairs:
            if pair in seen:
                self._raise_duplicate(*pair)
            seen.add(pair)
        existing = self.sudo().search_fetch(
            [
                ("lot_id", "in", [p[0] for p in pairs]),
                ("term_id", "in", [p[1] for p in pairs]),
                ("state", "!=", "void"),
                ("id", "not in", self.ids),
            ],
            ["lot_id", "term_id"],
        )
        for warranty in existing:
            if (warranty.lot_id.id, warranty.term_id.id) in seen:
                self._raise_duplicate(warranty.lot_id.id, warranty.term_id.id)

    def _raise_duplicate(self, lot_id, term_id):
        raise ValidationError(
            self.env._(
                "The serial %(lot)s already has a live warranty of the term '%(term)s'; "
                "void it before registering it again.",
                lot=self.env["stock.lot"].sudo().browse(lot_id).name,
                term=self.env["aftersales.warranty.term"].sudo().browse(term_id).name,
            )
        )

    @api.constrains("downtime_days")
    def _check_downtime_days(self):
        for warranty in self:
            if warranty.downtime_days < 0:
                raise ValidationError(self.env._("Downtime days cannot be negative."))

    @api.ondelete(at_uninstall=False)
    def _unlink_never(self):
        raise UserError(
            self.env._("Warranties are never deleted: void them instead, the history is kept.")
        )

    # CRUD

    @api.model_create_multi
    def create(self, vals_list):
        self._check_no_live_duplicate(
            [
                (v.get("lot_id"), v.get("term_id"))
                for v in vals_list
                if v.get("state", "active") != "void"
            ]
        )
        warranties = super().create(vals_list)
        warranties._sync_state()
        return warranties

    def write(self, vals):
        revived = vals.get("state") in ("active", "expired") and any(
            w.state == "void" for w in self
        )
        if ({"lot_id", "term_id"} & set(vals) and vals.get("state") != "void") or revived:
            self._check_no_live_duplicate(
                [
                    (vals.get("lot_id", w.lot_id.id), vals.get("term_id", w.term_id.id))
                    for w in self
                    if vals.get("state", w.state) != "void"
                ]
            )
        moves_end = {
            "date_start",
            "downtime_days",
            "duration",
            "duration_unit",
            "extend_by_downtime",
            "state",
        } & set(vals)
        base_lots = self.filtered(lambda w: w.kind in BASE_KINDS).lot_id if moves_end else None
        old_base_end = base_lots and self._latest_base_end(base_lots)
        res = super().write(vals)
        if moves_end:
            self._sync_state()
        if base_lots:
            self._shift_extensions(old_base_end, self._latest_base_end(base_lots))
        return res

    @api.model
    def _latest_base_end(self, lots):
        """{lot id: latest end date of its live legal/manufacturer layers}."""
        return {
            lot.id: date_end
            for lot, date_end in self.sudo()._read_group(
                [("lot_id", "in", lots.ids), ("state", "!=", "void"), ("kind", "in", BASE_KINDS)],
                ["lot_id"],
                ["date_end:max"],
            )
        }

    @api.model
    def _shift_extensions(self, old_end, new_end):
        """Keep extensions starting the day after the base layers they extend.

        When downtime (or a corrected start date) moves the end of a serial's base warranty,
        the extended layers that started right after it move with it.
        """
        moved = {lot_id: end for lot_id, end in new_end.items() if old_end.get(lot_id) != end}
        if not moved:
            return
        extensions = self.sudo().search(
            [
                ("lot_id", "in", list(moved)),
                ("kind", "=", "extended"),
                ("state", "!=", "void"),
                ("term_id.extension_start", "=", "after_base"),
            ]
        )
        for ext in extensions:
            new_start = warranty_dates.shifted_extension_start(
                ext.date_start, old_end.get(ext.lot_id.id), moved[ext.lot_id.id]
            )
            if new_start:
                ext.date_start = new_start

    def _sync_state(self, today=None):
        """Set active/expired from the end date (void layers are left alone)."""
        today = today or fields.Date.context_today(self)
        to_expire = self.filtered(
            lambda w: (
                w.state == "active"
                and warranty_dates.lifecycle_state(w.state, w.date_end, today) == "expired"
            )
        )
        to_activate = self.filtered(
            lambda w: (
                w.state == "expired"
                and warranty_dates.lifecycle_state(w.state, w.date_end, today) == "active"
            )
        )
        if to_expire:
            to_expire.write({"state": "expired"})
        if to_activate:
            to_activate.write({"state": "active"})

    @api.model
    def _cron_update_state(self):
        """Expire layers whose end date has passed (and revive ones pushed out by downtime)."""
        today = fields.Date.context_today(self)
        expired = self.search([("state", "=", "active"), ("date_end", "<", today)])
        for batch in split_every(1000, expired.ids, self.browse):
            batch.write({"state": "expired"})
        revived = self.search([("state", "=", "expired"), ("date_end", ">=", today)])
        revived.write({"state": "active"})
        return True

    # Actions

    def action_void(self, reason=False):
        """Void layers (a sale that ended, a registration made in error); history is kept.

        For after-sales managers: voiding takes a customer's entitlement away."""
        self._check_aftersales_manager(self.env._("void warranties"))
        if any(not w.can_void for w in self):
            raise UserError(self.env._("Only active or expired warranties can be voided."))
        self.write({"state": "void", "void_reason": reason or self.env._("Voided manually")})
        return True

    def add_downtime(self, days, date_back=None):
        """Add ``days`` of service downtime ending on ``date_back`` (default today).

        Counted on the layers running during the downtime; those whose term extends by
        downtime end later. Layers not started yet (an extension after the base warranty)
        are not extended themselves: they start later, following the base layers.
        """
        if isinstance(days, bool) or not isinstance(days, int) or days < 0:
            raise ValidationError(
                self.env._("Downtime days must be a whole number of days, zero or more.")
            )
        date_back = fields.Date.to_date(date_back) or fields.Date.context_today(self)
        date_in = warranty_dates.downtime_start(date_back, days)
        running = self.filtered(
            lambda w: (
                w.state != "void"
                and warranty_dates.runs_during(w.date_start, w.date_end, date_in, date_back)
            )
        )
        for warranty in running:
            warranty.downtime_days += days
        return running

    # Demo
