# Copyright 2026 aftersales_service authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import secrets

from odoo import api, fields, models
from odoo.exceptions import UserError

from .aftersales_claim import OPEN_STATES

#: Bytes of randomness of a public token: 24 bytes = 192 bits (DESIGN: at least 128 bits),
#: 32 URL-safe characters.
TOKEN_BYTES = 24


class StockLot(models.Model):
    """The public warranty check of a serial: an unguessable token and the page it opens
    (``/warranty/<token>``), printed as the QR code of the warranty certificate.

    The page shows the product, the serial, the coverage and end dates and the state of an
    open claim, never who owns the unit (GDPR art. 5(1)(c), data minimisation)."""

    _inherit = "stock.lot"  # pylint: disable=consider-merging-classes-inherited

    aftersales_public_token = fields.Char(
        string="Public Check Token",
        compute="_compute_aftersales_public_token",
        store=True,
        readonly=True,
        precompute=True,
        copy=False,
        groups="base.group_user",
        help="Unguessable key of the serial's public warranty check page.",
    )
    aftersales_public_url = fields.Char(
        string="Public Check URL",
        compute="_compute_aftersales_public_url",
        groups="base.group_user",
        help="Relative address of the public warranty check: /warranty/<token>.",
    )

    _sql_constraints = [  # noqa: RUF012
        (
            "aftersales_public_token_uniq",
            "UNIQUE(aftersales_public_token)",
            "The public check token of a serial must be unique.",
        ),
    ]

    # No dependencies: computed once, when the serial is created, and at install for the
    # serials that existed before (a new stored computed column is computed for all rows).
    def _compute_aftersales_public_token(self):
        for lot in self:
            if not lot.aftersales_public_token:
                lot.aftersales_public_token = secrets.token_urlsafe(TOKEN_BYTES)

    @api.depends("aftersales_public_token")
    def _compute_aftersales_public_url(self):
        for lot in self:
            token = lot.aftersales_public_token
            lot.aftersales_public_url = f"/warranty/{token}" if token else False

    def write(self, vals):
        if "aftersales_public_token" in vals:
            raise UserError(
                self.env._("The public check token of a serial is generated, never written.")
            )
        return super().write(vals)

    @api.model
    def _aftersales_fill_public_tokens(self):
        """Give a token to every serial that has none (install on a database that already
        had serials, or serials inserted by SQL). Returns the serials filled."""
        lots = (
            self.sudo()
            .with_context(active_test=False)
            .search([("aftersales_public_token", "=", False)])
        )
        if lots:
            self.env.add_to_compute(self._fields["aftersales_public_token"], lots)
            lots.flush_recordset(["aftersales_public_token"])
        return lots

    def _aftersales_public_full_url(self):
        """Absolute address of the public check (the certificate's QR code)."""
        self.ensure_one()
        return self.get_base_url() + self.sudo().aftersales_public_url

    def _aftersales_report_lang(self):
        """The certificate is printed in its owner's language."""
        self.ensure_one()
        return self.sudo().aftersales_owner_id.lang or self.env.lang

    # Portal ----------------------------------------------------------------------------

    @api.model
    def _aftersales_portal_lots(self, partner):
        """The serials a portal customer owns (sudo recordset): delivered to their commercial
        partner (or one of its contacts) and still theirs — the owner of the serial's
        warranty layers when it has any (a transferred serial is the new owner's), else the
        customer of its last delivery. A fixed number of queries, whatever the count."""
        partners = (
            self.env["res.partner"]
            .sudo()
            .with_context(active_test=False)
            .search([("id", "child_of", partner.commercial_partner_id.id)])
        )
        Lot = self.sudo().with_context(active_test=False)
        delivered = (
            self.env["stock.move.line"]
            .sudo()
            .search(
                [
                    ("lot_id", "!=", False),
                    ("state", "=", "done"),
                    ("location_dest_id.usage", "=", "customer"),
                    ("picking_partner_id", "in", partners.ids),
                ]
            )
        )
        layered = (
            self.env["aftersales.warranty"]
            .sudo()
            .search([("partner_id", "in", partners.ids), ("state", "!=", "void")])
        )
        candidates = (delivered.lot_id | layered.lot_id).with_context(active_test=False)
        if not candidates:
            return Lot
        last_lines = (
            self.env["stock.move.line"]
            .sudo()
            .search(
                [
                    ("lot_id", "in", candidates.ids),
                    ("state", "=", "done"),
                    ("location_dest_id.usage", "=", "customer"),
                ],
                order="date desc, id desc",
            )
        )
        last_partner = {}
        for line in last_lines:
            last_partner.setdefault(line.lot_id.id, line.picking_partner_id)
        nobody = partners.browse()
        owned = candidates.filtered(
            lambda lot: (lot.aftersales_owner_id or last_partner.get(lot.id) or nobody) in partners
        )
        return owned.sorted(lambda lot: (lot.product_id.display_name, lot.name))

    # Public check ----------------------------------------------------------------------

    @api.model
    def _aftersales_public_lookup(self, token):
        """The serial of a public check token, or an empty recordset.

        Exactly one indexed query whatever the token (a hit, a miss, garbage): no early
        return before it, so a miss costs what a hit costs and tokens cannot be probed by
        timing."""
        token = token if isinstance(token, str) else ""
        return (
            self.sudo()
            .with_context(active_test=False)
            .search([("aftersales_public_token", "=", token[:128])], limit=1)
        )

    def _aftersales_public_values(self):
        """What the public page shows: no partner, no address, no price."""
        self.ensure_one()
        lot = self.sudo()
        coverage = lot.aftersales_get_coverage()
        layers = lot.aftersales_warranty_ids.filtered(lambda w: w.state != "void").sorted(
            "date_end", reverse=True
        )
        claims = (
            self.env["aftersales.claim"]
            .sudo()
            .search(
                [("lot_id", "=", lot.id), ("state", "in", OPEN_STATES)],
                order="date_received desc",
                limit=1,
            )
        )
        return {
            "lot": lot,
            "product_name": lot.product_id.display_name,
            "coverage": coverage,
            "layers": layers,
            "open_claim": claims,
        }
