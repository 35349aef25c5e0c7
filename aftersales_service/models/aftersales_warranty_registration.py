# Copyright 2026 aftersales_service authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import json
import logging
from collections import defaultdict
from datetime import date, datetime

from odoo import api, fields, models
from odoo.tools import SQL

from ..rules import warranty_dates
from .aftersales_warranty import BASE_KINDS

_logger = logging.getLogger(__name__)

# Pickings of these after-sales purposes bring a unit to a customer as a new sale would
# (a replacement unit starts fresh warranties); the other purposes move a unit the customer
# already owns (a repaired unit going back, a loaner) and register nothing.
REGISTERING_PURPOSES = (False, "replacement")


def _json_value(value):
    """Dates and datetimes as PostgreSQL reads them from JSON."""
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    raise TypeError(f"Cannot register a layer value of type {type(value).__name__}")


def _rows_json(rows, bool_columns):
    """``rows`` as a JSON array for ``json_populate_recordset``: the ORM's False means NULL
    except in boolean columns."""
    return json.dumps(
        [
            {
                key: None if value is False and key not in bool_columns else value
                for key, value in row.items()
            }
            for row in rows
        ],
        default=_json_value,
    )


class _Memo(dict):
    """A dict that fills a missing key with ``func(key)`` (``func(*key)`` for a tuple):
    values computed once per move or per (term, date) of a registration, not per layer."""

    def __init__(self, func):
        super().__init__()
        self.func = func

    def __missing__(self, key):
        value = self[key] = self.func(*key) if isinstance(key, tuple) else self.func(key)
        return value


class AftersalesWarrantyRegistration(models.Model):
    """Registration of warranty layers from deliveries, returns and the go-live history.

    Validating a delivery to a customer registers, in one batch for the whole picking, one
    layer per applicable term of every delivered serial (and the extended layers sold on the
    same order); a return that ends the sale voids them.
    """

    _inherit = "aftersales.warranty"  # pylint: disable=consider-merging-classes-inherited

    def _prepare_warranty_vals(
        self,
        lot,
        term,
        partner,
        date_start,
        company,
        move=None,
        sale_line=None,
        *,
        date_end=None,
        today=None,
    ):
        """Values of one layer; the hook to add fields filled at registration.

        A delivery's layers are inserted in one statement, read by PostgreSQL from JSON with
        each column's own type (``_insert_layers``): a key an override adds must be a stored
        field of the layer, with its value in that column's form (ids and integers as int,
        dates as dates or ISO strings, amounts as float; False for empty).

        ``date_end`` (the layer's end) and ``today``: given by a caller that already has
        them — a delivery of a thousand serials computes them once per term and start date,
        not once per layer (issue 17: registration's time must stay a few percent of the
        validation's)."""
        vals = {
            "lot_id": lot.id,
            "term_id": term.id,
            "partner_id": partner.id,
            "company_id": company.id,
            "date_start": date_start,
            "move_id": move.id if move else False,
            "sale_line_id": sale_line.id if sale_line else False,
        }
        if date_end is None:
            date_end = term._get_date_end(date_start)
        if today is None:
            today = fields.Date.context_today(self)
        if warranty_dates.is_past_end(date_end, today):
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
    def _basis_date(self, term, move, delivery_date=None):
        """Start date of a base layer from the term's start basis.

        ``delivery`` and ``installation`` start on the delivery date (installation dates are
        set afterwards on the layer); ``invoice`` uses the earliest posted customer invoice of
        the sale line when there is one, else the delivery date.

        A replacement unit (picking purpose ``replacement``) starts on its handover whatever
        the basis: Law 2300-1 art. 21 p. 3 runs the warranty of a good handed over in
        replacement anew from the day of that handover. Its delivery is linked to the sale
        line of the replaced unit (as the host's exchange does), whose invoice is the old
        sale's: it must not be inherited.

        ``delivery_date``: the move's date in the user's time zone, when the caller has it.
        """
        if delivery_date is None:
            delivery_date = fields.Date.context_today(self, move.date)
        if move.picking_id.aftersales_purpose == "replacement":
            return delivery_date
        if term.start_basis == "invoice" and move.sale_line_id:
            invoices = move.sale_line_id.invoice_lines.move_id.filtered(
                lambda m: m.state == "posted" and m.move_type == "out_invoice" and m.invoice_date
            )
            if invoices:
                return min(invoices.mapped("invoice_date"))
        return delivery_date

    @api.model
    def _register_units(self, units, skip_voided=False):
        """Create the layers of ``units`` = [(delivery move, lot)] in a constant number of queries.

        One search for the applicable terms, one for the extended terms sold on the orders,
        one for the serials' live layers, one INSERT for all new layers. Runs as superuser:
        the warehouse user validating a delivery needs no rights on warranties or sales.
        ``skip_voided``: leave out the (serial, term) pairs voided from the same delivery
        move (the go-live registration re-reads old deliveries; a validation is done once).
        """
        Warranty = self.sudo()
        if not units:
            return Warranty.browse()
        created = Warranty.browse()
        units_by_company = defaultdict(list)
        # A delivery of a thousand serials has one move: switch each move to superuser once.
        sudo_moves = _Memo(lambda move: (move.sudo(), move.sudo().company_id))
        for move, lot in units:
            move, company = sudo_moves[move]
            units_by_company[company].append((move, lot.sudo()))
        for company, company_units in units_by_company.items():
            created |= Warranty.with_company(company)._register_company_units(
                company, company_units, skip_voided=skip_voided
            )
        return created

    @api.model
    def _register_company_units(self, company, units, skip_voided=False):
        Term = self.env["aftersales.warranty.term"].sudo()
        lots = self.env["stock.lot"].browse([lot.id for _move, lot in units])
        products = lots.product_id
        terms_by_product = Term._get_terms_by_product(products, company)

        # Extended terms sold on the same sale orders, with how many units each line still covers.
        moves = self.env["stock.move"].browse(dict.fromkeys(m.id for m, _lot in units))
        orders = moves.sale_line_id.order_id
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
        # A layer voided from the same delivery (a manager's decision, a registration made in
        # error) is never registered again: voided layers are not revived, not even by a
        # re-run of the go-live registration. A later sale of the serial (another delivery)
        # registers fresh layers.
        voided_keys = self._voided_keys(lots, units) if skip_voided else set()
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

        # Per move and per (term, start date), not per layer: a delivery of a thousand serials
        # has one move, one delivery date and one end date per term.
        # The owner and each term's start date are per move too (read once, not per serial).
        # Dates on the calendar of the company's claims clock (its time zone, not that of
        # whoever validates the delivery): the day of handover starts the warranty, and the
        # claims measure coverage on that same calendar (the claims' clock zone).
        local = self.with_context(tz=company._aftersales_clock_zone())
        today = fields.Date.context_today(local)
        delivery_dates = _Memo(lambda move: fields.Date.context_today(local, move.date))
        ends = _Memo(lambda term, date_start: term._get_date_end(date_start))
        owners = _Memo(self._move_owner)
        starts = _Memo(lambda term, move: self._basis_date(term, move, delivery_dates[move]))

        sale_lines = _Memo(lambda move: move.sale_line_id)
        is_base = _Memo(lambda term: term.kind in BASE_KINDS)
        vals_list = []
        for move, lot in units:
            partner = owners[move]
            sale_line = sale_lines[move]
            lot_id = lot.id
            for term in terms_by_product.get(lot.product_id, Term):
                term_id = term.id
                if (lot_id, term_id) in live_keys or (lot_id, term_id, move.id) in voided_keys:
                    continue
                live_keys.add((lot_id, term_id))
                date_start = starts[term, move]
                end = ends[term, date_start]
                vals_list.append(
                    self._prepare_warranty_vals(
                        lot,
                        term,
                        partner,
                        date_start,
                        company,
                        move,
                        sale_line,
                        date_end=end,
                        today=today,
                    )
                )
                if is_base[term]:
                    base_end[lot_id] = max(base_end.get(lot_id, end), end)
        # Extensions after the base layers, so they start the day after the latest base end.
        for move, lot in units:
            order = move.sale_line_id.order_id
            if not order:
                continue
            partner = owners[move]
            for term in ext_terms:
                if (
                    (lot.id, term.id) in live_keys
                    or (lot.id, term.id, move.id) in voided_keys
                    or not term._applies_to_product(lot.product_id)
                ):
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
                    date_start = warranty_dates.extension_start(base_end[lot.id])
                else:
                    date_start = starts[term, move]
                vals_list.append(
                    self._prepare_warranty_vals(
                        lot,
                        term,
                        partner,
                        date_start,
                        company,
                        move,
                        line,
                        date_end=ends[term, date_start],
                        today=today,
                    )
                )
        return self._insert_layers(vals_list)

    @api.model
    def _voided_keys(self, lots, units):
        """{(lot id, term id, delivery move id)} of the layers voided from ``units``' moves."""
        return {
            (w.lot_id.id, w.term_id.id, w.move_id.id)
            for w in self.search_fetch(
                [
                    ("lot_id", "in", lots.ids),
                    ("state", "=", "void"),
                    ("move_id", "in", [move.id for move, _lot in units]),
                ],
                ["lot_id", "term_id", "move_id"],
            )
        }

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
        # What the ORM would copy from the term and the serial, read once per term and
        # serial's product rather than once per layer; end dates once per (start, term).
        term_values = {}
        lots = Lot.browse(dict.fromkeys(vals["lot_id"] for vals in vals_list))
        product_of_lot = {lot.id: lot.product_id.id for lot in lots}
        ends = {}
        rows = []
        for vals in vals_list:
            term_id = vals["term_id"]
            if term_id not in term_values:
                term = Term.browse(term_id)
                term_values[term_id] = {
                    "kind": term.kind,
                    "transferable": term.transferable,
                    "duration": term.duration,
                    "duration_unit": term.duration_unit,
                    "extend_by_downtime": term.extend_by_downtime,
                    "parts_coverage": term.parts_coverage,
                    "labor_coverage": term.labor_coverage,
                    "logistics_coverage": term.logistics_coverage,
                }
            row = {
                "product_id": product_of_lot[vals["lot_id"]],
                **term_values[term_id],
                "downtime_days": 0,
                "state": "active",
                "create_uid": self.env.uid,
                "write_uid": self.env.uid,
                "create_date": now,
                "write_date": now,
                **vals,
            }
            row["date_start"] = fields.Date.to_date(row["date_start"])
            if "date_end" not in row:
                key = (
                    row["date_start"],
                    row["duration"],
                    row["duration_unit"],
                    warranty_dates.counted_downtime(
                        row["downtime_days"], row["extend_by_downtime"]
                    ),
                )
                if key not in ends:
                    ends[key] = self._get_date_end(*key)
                row["date_end"] = ends[key]
            rows.append(row)
        columns = sorted({key for row in rows for key in row})
        # One JSON document for all the rows, typed by the table's own row type: PostgreSQL
        # parses one string instead of one literal per value (2,000 layers × 23 columns),
        # about 0.1 s less per thousand serials than arrays passed to unnest() (issue 17).
        query = SQL(
            """
            INSERT INTO aftersales_warranty (%s)
            SELECT %s FROM json_populate_recordset(NULL::aftersales_warranty, %s)
            ON CONFLICT (lot_id, term_id) WHERE state != 'void' DO NOTHING
            RETURNING id
            """,
            SQL(", ").join(SQL.identifier(col) for col in columns),
            SQL(", ").join(SQL.identifier(col) for col in columns),
            _rows_json(rows, self._aftersales_bool_columns(columns)),
        )
        self.flush_model()
        self.env.cr.execute(query)
        ids = [row[0] for row in self.env.cr.fetchall()]
        # The serials' warranty fields read before the insert are stale now.
        lots.invalidate_recordset()
        if len(ids) < len(rows):
            _logger.info(
                "Warranty registration: %s layers already registered concurrently",
                len(rows) - len(ids),
            )
        return self.browse(ids)

    @api.model
    def _aftersales_bool_columns(self, columns):
        return {col for col in columns if self._fields[col].column_type[1] == "bool"}

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
