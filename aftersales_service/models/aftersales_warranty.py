# Copyright 2026 aftersales_service authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import logging
from collections import defaultdict

from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import SQL, split_every

_logger = logging.getLogger(__name__)

# Pickings of these after-sales purposes bring a unit to a customer as a new sale would
# (a replacement unit starts fresh warranties); the other purposes move a unit the customer
# already owns (a repaired unit going back, a loaner) and register nothing.
REGISTERING_PURPOSES = (False, "replacement")
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
        string="Labour (%)",
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
                warranty.downtime_days if warranty.extend_by_downtime else 0,
            )

    @api.model
    def _get_date_end(self, date_start, duration, duration_unit, downtime_days=0):
        delta = {
            "day": relativedelta(days=duration),
            "month": relativedelta(months=duration),
            "year": relativedelta(years=duration),
        }[duration_unit]
        return date_start + delta + relativedelta(days=downtime_days or 0)

    @api.depends("date_end", "state")
    def _compute_days_left(self):
        today = fields.Date.context_today(self)
        for warranty in self:
            days = (warranty.date_end - today).days if warranty.date_end else 0
            warranty.days_left = max(days, 0) if warranty.state == "active" else 0
            warranty.is_expiring_soon = warranty.state == "active" and 0 <= days <= 30

    def _search_is_expiring_soon(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            raise UserError(self.env._("Operation not supported."))
        today = fields.Date.context_today(self)
        domain = [
            ("state", "=", "active"),
            ("date_end", ">=", today),
            ("date_end", "<=", today + relativedelta(days=30)),
        ]
        if (operator == "=") == value:
            return domain
        return [
            "|",
            "|",
            ("state", "!=", "active"),
            ("date_end", "<", today),
            ("date_end", ">", today + relativedelta(days=30)),
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
            before = old_end.get(ext.lot_id.id)
            if before and ext.date_start == before + relativedelta(days=1):
                ext.date_start = moved[ext.lot_id.id] + relativedelta(days=1)

    def _sync_state(self, today=None):
        """Set active/expired from the end date (void layers are left alone)."""
        today = today or fields.Date.context_today(self)
        to_expire = self.filtered(
            lambda w: w.state == "active" and w.date_end and w.date_end < today
        )
        to_activate = self.filtered(
            lambda w: w.state == "expired" and w.date_end and w.date_end >= today
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
        """Void layers (a sale that ended, a registration made in error); history is kept."""
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
        if days < 0:
            raise UserError(self.env._("Downtime days cannot be negative."))
        date_back = fields.Date.to_date(date_back) or fields.Date.context_today(self)
        date_in = date_back - relativedelta(days=days)
        running = self.filtered(
            lambda w: w.state != "void" and w.date_start <= date_back and w.date_end >= date_in
        )
        for warranty in running:
            warranty.downtime_days += days
        return running

    # Registration

    def _prepare_warranty_vals(
        self, lot, term, partner, date_start, company, move=None, sale_line=None
    ):
        """Values of one layer; the hook to add fields filled at registration."""
        vals = {
            "lot_id": lot.id,
            "term_id": term.id,
            "partner_id": partner.id,
            "company_id": company.id,
            "date_start": date_start,
            "move_id": move.id if move else False,
            "sale_line_id": sale_line.id if sale_line else False,
        }
        date_end = term._get_date_end(date_start)
        if date_end < fields.Date.context_today(self):
            vals["state"] = "expired"
        return vals

    @api.model
    def _is_registering_delivery(self, move):
        """A done move that hands a serial over to a customer as a sale."""
        return (
            move.state == "done"
            and move.location_dest_id.usage == "customer"
            and move.location_id.usage != "customer"
            and move.product_id.tracking == "serial"
            and move.picking_id.aftersales_purpose in REGISTERING_PURPOSES
        )

    @api.model
    def _register_from_moves(self, moves):
        """Register the layers of the serials delivered by ``moves`` (one batch for all)."""
        moves = moves.filtered(self._is_registering_delivery)
        units = [
            (move, line.lot_id)
            for move in moves
            for line in move.move_line_ids
            if line.lot_id and line.quantity > 0
        ]
        return self._register_units(units)

    @api.model
    def _move_owner(self, move):
        return (
            move.sale_line_id.order_id.partner_id or move.picking_id.partner_id or move.partner_id
        )

    @api.model
    def _basis_date(self, term, move):
        """Start date of a base layer from the term's start basis.

        ``delivery`` and ``installation`` start on the delivery date (installation dates are
        set afterwards on the layer); ``invoice`` uses the earliest posted customer invoice of
        the sale line when there is one, else the delivery date.
        """
        delivery_date = fields.Date.context_today(self, move.date)
        if term.start_basis == "invoice" and move.sale_line_id:
            invoices = move.sale_line_id.invoice_lines.move_id.filtered(
                lambda m: m.state == "posted" and m.move_type == "out_invoice" and m.invoice_date
            )
            if invoices:
                return min(invoices.mapped("invoice_date"))
        return delivery_date

    @api.model
    def _register_units(self, units):
        """Create the layers of ``units`` = [(delivery move, lot)] in a constant number of queries.

        One search for the applicable terms, one for the extended terms sold on the orders,
        one for the serials' live layers, one INSERT for all new layers. Runs as superuser:
        the warehouse user validating a delivery needs no rights on warranties or sales.
        """
        Warranty = self.sudo()
        if not units:
            return Warranty.browse()
        created = Warranty.browse()
        units_by_company = defaultdict(list)
        for move, lot in units:
            move = move.sudo()
            units_by_company[move.company_id].append((move, lot.sudo()))
        for company, company_units in units_by_company.items():
            created |= Warranty.with_company(company)._register_company_units(
                company, company_units
            )
        return created

    @api.model
    def _register_company_units(self, company, units):
        Term = self.env["aftersales.warranty.term"].sudo()
        lots = self.env["stock.lot"].browse([lot.id for _move, lot in units])
        products = lots.product_id
        terms_by_product = Term._get_terms_by_product(products, company)

        # Extended terms sold on the same sale orders, with how many units each line still covers.
        orders = self.env["sale.order"].browse(
            [m.sale_line_id.order_id.id for m, _lot in units if m.sale_line_id]
        )
        ext_terms = Term.browse()
        ext_lines = self.env["sale.order.line"]
        if orders:
            order_lines = orders.order_line.filtered(lambda sol: sol.product_id.type == "service")
            if order_lines:
                ext_terms = Term.search(
                    [
                        ("kind", "=", "extended"),
                        ("company_id", "in", [False, company.id]),
                        ("extension_product_id", "in", order_lines.product_id.ids),
                    ]
                )
                ext_lines = order_lines.filtered(
                    lambda sol: sol.product_id in ext_terms.extension_product_id
                )

        # Live layers of these serials (dedup, latest base end for extensions), and the number
        # of live layers already registered on each extension line (earlier partial deliveries).
        existing = self.search_fetch(
            [("lot_id", "in", lots.ids), ("state", "!=", "void")],
            ["lot_id", "term_id", "kind", "date_end"],
        )
        live_keys = {(w.lot_id.id, w.term_id.id) for w in existing}
        base_end = {}
        for w in existing:
            if w.kind in BASE_KINDS:
                base_end[w.lot_id.id] = max(base_end.get(w.lot_id.id, w.date_end), w.date_end)
        ext_used = defaultdict(float)
        if ext_lines:
            ext_used.update(
                {
                    line.id: count
                    for line, count in self._read_group(
                        [("sale_line_id", "in", ext_lines.ids), ("state", "!=", "void")],
                        ["sale_line_id"],
                        ["__count"],
                    )
                }
            )

        vals_list = []
        for move, lot in units:
            partner = self._move_owner(move)
            for term in terms_by_product.get(lot.product_id, Term):
                if (lot.id, term.id) in live_keys:
                    continue
                live_keys.add((lot.id, term.id))
                date_start = self._basis_date(term, move)
                vals_list.append(
                    self._prepare_warranty_vals(
                        lot, term, partner, date_start, company, move, move.sale_line_id
                    )
                )
                if term.kind in BASE_KINDS:
                    end = term._get_date_end(date_start)
                    base_end[lot.id] = max(base_end.get(lot.id, end), end)
        # Extensions after the base layers, so they start the day after the latest base end.
        for move, lot in units:
            order = move.sale_line_id.order_id
            if not order:
                continue
            partner = self._move_owner(move)
            for term in ext_terms:
                if (lot.id, term.id) in live_keys or not term._applies_to_product(lot.product_id):
                    continue
                line = next(
                    (
                        sol
                        for sol in ext_lines
                        if sol.order_id == order
                        and sol.product_id == term.extension_product_id
                        and ext_used[sol.id] < sol.product_uom_qty
                    ),
                    None,
                )
                if not line:
                    continue
                ext_used[line.id] += 1
                live_keys.add((lot.id, term.id))
                if term.extension_start == "after_base" and lot.id in base_end:
                    date_start = base_end[lot.id] + relativedelta(days=1)
                else:
                    date_start = self._basis_date(term, move)
                vals_list.append(
                    self._prepare_warranty_vals(lot, term, partner, date_start, company, move, line)
                )
        return self._insert_layers(vals_list)

    @api.model
    def _insert_layers(self, vals_list):
        """Insert registered layers in one statement, skipping any a concurrent transaction
        registered meanwhile (``ON CONFLICT`` on the partial unique index).

        Registration values are complete (see ``_prepare_warranty_vals``); the values the ORM
        would compute (term copies, product, kind, end date) are filled here, so a delivery of
        any size costs one INSERT instead of one per hundred rows, and two racing validations
        neither fail nor duplicate.
        """
        if not vals_list:
            return self.browse()
        Term = self.env["aftersales.warranty.term"]
        Lot = self.env["stock.lot"]
        now = fields.Datetime.now()
        rows = []
        for vals in vals_list:
            term = Term.browse(vals["term_id"])
            row = {
                "product_id": Lot.browse(vals["lot_id"]).product_id.id,
                "kind": term.kind,
                "duration": term.duration,
                "duration_unit": term.duration_unit,
                "extend_by_downtime": term.extend_by_downtime,
                "parts_coverage": term.parts_coverage,
                "labor_coverage": term.labor_coverage,
                "logistics_coverage": term.logistics_coverage,
                "downtime_days": 0,
                "state": "active",
                "create_uid": self.env.uid,
                "write_uid": self.env.uid,
                "create_date": now,
                "write_date": now,
                **vals,
            }
            row["date_start"] = fields.Date.to_date(row["date_start"])
            row.setdefault(
                "date_end",
                self._get_date_end(
                    row["date_start"],
                    row["duration"],
                    row["duration_unit"],
                    row["downtime_days"] if row["extend_by_downtime"] else 0,
                ),
            )
            rows.append(row)
        columns = sorted({key for row in rows for key in row})
        magic = {
            "create_uid": "int4",
            "write_uid": "int4",
            "create_date": "timestamp",
            "write_date": "timestamp",
        }
        casts = [magic.get(col) or self._fields[col].column_type[1] for col in columns]
        query = SQL(
            """
            INSERT INTO aftersales_warranty (%s)
            SELECT * FROM unnest(%s)
            ON CONFLICT (lot_id, term_id) WHERE state != 'void' DO NOTHING
            RETURNING id
            """,
            SQL(", ").join(SQL.identifier(col) for col in columns),
            SQL(", ").join(
                SQL(
                    "%s::" + cast + "[]",
                    # False means NULL except in booleans (psycopg2 would send false).
                    [
                        row.get(col) if cast == "bool" or row.get(col) is not False else None
                        for row in rows
                    ],
                )
                for col, cast in zip(columns, casts, strict=True)
            ),
        )
        self.flush_model()
        self.env.cr.execute(query)
        ids = [row[0] for row in self.env.cr.fetchall()]
        # The serials' warranty fields read before the insert are stale now.
        Lot.browse({row["lot_id"] for row in rows}).invalidate_recordset()
        if len(ids) < len(rows):
            _logger.info(
                "Warranty registration: %s layers already registered concurrently",
                len(rows) - len(ids),
            )
        return self.browse(ids)

    @api.model
    def _void_from_return_moves(self, moves):
        """Void the live layers of serials returned by a customer in a return that ends the sale.

        Only returns flagged to update the sale order (``to_refund``: refund or exchange) end
        the sale; returns for repair and after-sales intakes keep the layers.
        """
        moves = moves.filtered(
            lambda m: (
                m.state == "done"
                and m.to_refund
                and m.location_id.usage == "customer"
                and m.location_dest_id.usage != "customer"
                and m.picking_id.aftersales_purpose != "intake"
                and m.product_id.tracking == "serial"
            )
        )
        lots = moves.move_line_ids.filtered(lambda ml: ml.quantity > 0).lot_id
        if not lots:
            return self.browse()
        layers = self.sudo().search([("lot_id", "in", lots.ids), ("state", "!=", "void")])
        reason_by_lot = {
            line.lot_id.id: line.move_id.picking_id.name or line.move_id.reference
            for line in moves.move_line_ids
        }
        for lot_id, lot_layers in layers.grouped("lot_id").items():
            lot_layers.write(
                {
                    "state": "void",
                    "void_reason": self.env._("Returned (%s)", reason_by_lot.get(lot_id.id) or ""),
                }
            )
        return layers

    @api.model
    def register_past_deliveries(self, date_from=None):
        """Register layers for serials delivered before the addon was installed.

        Takes, for each serial, its latest done delivery to a customer (on or after
        ``date_from``) unless a later refund/exchange return brought it back; existing live
        layers are skipped, so running it again creates nothing. Returns the created layers.
        """
        date_from = fields.Date.to_date(date_from) if date_from else None
        # Latest registering delivery per serial, in SQL: a go-live may face millions of lines.
        self.env["stock.move.line"].flush_model()
        self.env["stock.move"].flush_model()
        self.env["stock.picking"].flush_model()
        self.env.cr.execute(
            SQL(
                """
                SELECT line_id FROM (
                    SELECT DISTINCT ON (ml.lot_id) ml.id AS line_id, ml.lot_id, ml.date
                      FROM stock_move_line ml
                      JOIN stock_location src ON src.id = ml.location_id
                      JOIN stock_location dst ON dst.id = ml.location_dest_id
                      JOIN product_product pp ON pp.id = ml.product_id
                      JOIN product_template pt ON pt.id = pp.product_tmpl_id
                 LEFT JOIN stock_picking p ON p.id = ml.picking_id
                     WHERE ml.state = 'done'
                       AND ml.lot_id IS NOT NULL
                       AND ml.quantity > 0
                       AND ml.company_id IN %(companies)s
                       AND pt.tracking = 'serial'
                       AND dst.usage = 'customer'
                       AND src.usage != 'customer'
                       AND (p.aftersales_purpose IS NULL OR p.aftersales_purpose IN %(purposes)s)
                  ORDER BY ml.lot_id, ml.date DESC, ml.id DESC
                ) latest
                WHERE (%(date_from)s::date IS NULL OR latest.date >= %(date_from)s::date)
                  -- not brought back since by a return ending the sale (refund or exchange)
                  AND NOT EXISTS (
                    SELECT 1
                      FROM stock_move_line r
                      JOIN stock_move rm ON rm.id = r.move_id
                      JOIN stock_location rsrc ON rsrc.id = r.location_id
                      JOIN stock_location rdst ON rdst.id = r.location_dest_id
                 LEFT JOIN stock_picking rp ON rp.id = r.picking_id
                     WHERE r.lot_id = latest.lot_id
                       AND r.state = 'done'
                       AND (r.date, r.id) > (latest.date, latest.line_id)
                       AND rm.to_refund
                       AND rsrc.usage = 'customer'
                       AND rdst.usage != 'customer'
                       AND rp.aftersales_purpose IS DISTINCT FROM 'intake'
                  )
                ORDER BY latest.lot_id
                """,
                companies=tuple(self.env.companies.ids),
                purposes=tuple(p for p in REGISTERING_PURPOSES if p),
                date_from=date_from,
            )
        )
        line_ids = [row[0] for row in self.env.cr.fetchall()]
        MoveLine = self.env["stock.move.line"].sudo()
        created = self.browse()
        for chunk in split_every(2000, line_ids, MoveLine.browse):
            created |= self._register_units([(line.move_id, line.lot_id) for line in chunk])
            self.env.invalidate_all()
        _logger.info("Go-live warranty registration created %s layers", len(created))
        return created.sudo(False)

    # Demo

    @api.model
    def _aftersales_demo_deliver(self, order_id, lot_ids, days_ago=0):
        """Confirm a demo sale order, deliver exactly ``lot_ids`` and date it ``days_ago``."""
        order = self.env["sale.order"].browse(order_id)
        lots = self.env["stock.lot"].browse(lot_ids)
        stock_location = (
            self.env["stock.warehouse"]
            .search([("company_id", "=", order.company_id.id)], limit=1)
            .lot_stock_id
        )
        for lot in lots:
            self.env["stock.quant"].with_context(inventory_mode=True).create(
                {
                    "product_id": lot.product_id.id,
                    "location_id": stock_location.id,
                    "lot_id": lot.id,
                    "inventory_quantity": 1,
                }
            ).action_apply_inventory()
        if order.state == "draft":
            order.action_confirm()
        picking = order.picking_ids.filtered(lambda p: p.state not in ("done", "cancel"))
        picking.action_assign()
        for move in picking.move_ids:
            move_lots = lots.filtered(lambda lot, m=move: lot.product_id == m.product_id)
            move.move_line_ids.unlink()
            move.move_line_ids = [
                fields.Command.create(
                    {
                        "product_id": move.product_id.id,
                        "lot_id": lot.id,
                        "quantity": 1,
                        "location_id": move.location_id.id,
                        "location_dest_id": move.location_dest_id.id,
                        "picking_id": picking.id,
                    }
                )
                for lot in move_lots
            ]
        picking.move_ids.picked = True
        picking.with_context(skip_backorder=True, cancel_backorder=True).button_validate()
        if days_ago:
            when = fields.Datetime.subtract(fields.Datetime.now(), days=days_ago)
            picking.write({"date_done": when})
            picking.move_ids.write({"date": when})
            picking.move_ids.move_line_ids.write({"date": when})
            order.write({"date_order": when})
            layers = self.sudo().search([("move_id", "in", picking.move_ids.ids)])
            day = fields.Date.to_date(when)
            for layer in layers.filtered(lambda w: w.kind != "extended"):
                layer.date_start = day
            for layer in layers.filtered(lambda w: w.kind == "extended"):
                base = layers.filtered(
                    lambda w, lay=layer: w.lot_id == lay.lot_id and w.kind in BASE_KINDS
                )
                layer.date_start = (
                    max(base.mapped("date_end")) + relativedelta(days=1) if base else day
                )
        return True
