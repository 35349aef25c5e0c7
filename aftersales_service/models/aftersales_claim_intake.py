# Copyright 2026 aftersales_service authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, models


class AftersalesClaim(models.Model):
    """How a claim comes in and what it learns from its serial and sale order: the claims
    mail alias, the serial's form, and the product, customer, sale order and coverage derived
    from the serial."""

    _inherit = "aftersales.claim"  # pylint: disable=consider-merging-classes-inherited

    # Intake --------------------------------------------------------------------------------

    @api.model
    def message_new(self, msg_dict, custom_values=None):
        """Create a claim from an email sent to the claims alias.

        Nothing in the email payload is trusted as field values (CVE-2018-15645): only the
        subject, the sanitized body and the sender's address are used; the customer is an
        existing partner matched on that address, never a value taken from the message.
        Alias defaults (set by an administrator) may only preset the request and the
        responsible."""
        custom_values = custom_values or {}
        values = {
            key: custom_values[key]
            for key in ("request", "user_id", "company_id")
            if custom_values.get(key)
        }
        email_from = msg_dict.get("email_from") or ""
        partner = self.browse()
        if email_from:
            partner = self._mail_find_partner_from_emails([email_from], force_create=False)[0]
        values.update(
            {
                "channel": "email",
                "summary": (msg_dict.get("subject") or "")[:200],
                "description": msg_dict.get("body") or "",
                "email_from": email_from,
                "partner_id": partner.id or False,
            }
        )
        claim = self.create(values)
        if partner:
            claim.message_subscribe(partner_ids=partner.ids)
        return claim

    @api.model
    def action_new_from_lot(self, lot_id):
        """Open a new claim form prefilled from a serial (called from the serial's form)."""
        lot = self.env["stock.lot"].browse(lot_id)
        lot.check_access("read")
        return {
            "type": "ir.actions.act_window",
            "res_model": "aftersales.claim",
            "name": self.env._("New Claim"),
            "view_mode": "form",
            "target": "current",
            "context": {
                "default_lot_id": lot.id,
                # Serials may be shared between companies (no company): the user's then.
                "default_company_id": (lot.company_id or self.env.company).id,
            },
        }

    @api.model
    def _prepare_vals_from_lot(self, lot):
        """Claim values derived from a serial: product, customer (owner of its active
        warranty, else the customer of its last delivery) and sale order."""
        return {
            "lot_id": lot.id,
            "product_id": lot.product_id.id,
            "partner_id": self._lot_owner(lot).id,
            "sale_order_id": self._lot_last_sale_delivery(lot).sudo().sale_line_id.order_id.id,
            "company_id": (lot.company_id or self.env.company).id,
        }

    # Derived from the serial ----------------------------------------------------------------

    @api.depends("lot_id")
    def _compute_product_id(self):
        for claim in self:
            if claim.lot_id:
                claim.product_id = claim.lot_id.product_id

    @api.depends("lot_id")
    def _compute_partner_id(self):
        for claim in self:
            if claim.lot_id and not claim.partner_id:
                claim.partner_id = claim._lot_owner(claim.lot_id)

    @api.depends("lot_id")
    def _compute_sale_order_id(self):
        for claim in self:
            if claim.lot_id and not claim.sale_order_id:
                move = claim._lot_last_sale_delivery(claim.lot_id)
                claim.sale_order_id = move.sudo().sale_line_id.order_id.id

    @api.depends("lot_id", "date_received")
    def _compute_coverage(self):
        """The coverage is read once from the serial, on the date received. The compute
        depends on the claim's own fields only, so warranties changed later (extension,
        voiding) do not rewrite what the customer was entitled to when they claimed."""
        for claim in self:
            coverage = {}
            lot = claim.lot_id
            if lot and claim.date_received:
                coverage = lot.aftersales_get_coverage(claim._local_date(claim.date_received))
            claim.in_warranty = bool(coverage.get("in_warranty"))
            claim.parts_coverage = coverage.get("parts") or 0.0
            claim.labor_coverage = coverage.get("labor") or 0.0
            claim.logistics_coverage = coverage.get("logistics") or 0.0
            claim.warranty_date_end = coverage.get("date_end") or False

    # Lookups -------------------------------------------------------------------------------

    @api.model
    def _lot_last_delivery(self, lot, domain=()):
        """The last done move that took ``lot`` to a customer."""
        if not lot:
            return self.env["stock.move"]
        line = (
            self.env["stock.move.line"]
            .sudo()
            .search(
                [
                    ("lot_id", "=", lot.id),
                    ("state", "=", "done"),
                    ("location_dest_id.usage", "=", "customer"),
                    *domain,
                ],
                order="date desc, id desc",
                limit=1,
            )
        )
        return line.move_id.sudo(False)

    @api.model
    def _lot_last_sale_delivery(self, lot):
        """The last delivery of ``lot`` made for a sale order line: the sale the customer
        paid for, which later customer-to-customer moves (an on-site repair, a returned
        repaired unit) must not hide."""
        return self._lot_last_delivery(lot, domain=[("move_id.sale_line_id", "!=", False)])

    @api.model
    def _lot_owner(self, lot):
        """Owner of the serial's active warranty layer, else its last delivery's customer."""
        if "aftersales.warranty" in self.env:
            # The serial's current owner (after a transfer: the new one, see stock.lot).
            lot_sudo = lot.sudo()
            if lot_sudo.aftersales_in_warranty and lot_sudo.aftersales_owner_id:
                return lot_sudo.aftersales_owner_id.sudo(False)
        move = self._lot_last_delivery(lot)
        return (move.picking_id.partner_id or move.partner_id).sudo(False)

    def _sale_line(self):
        self.ensure_one()
        # Read through sudo: the claim links the order, and a salesman's own-documents
        # rule must not hide the price the customer paid from the after-sales desk.
        if not self.sale_order_id or not self.product_id:
            return self.env["sale.order.line"]
        return self.sale_order_id.sudo().order_line.filtered(
            lambda sol: sol.product_id == self.product_id and not sol.display_type
        )[:1]

    def _warehouse(self):
        return self.env["stock.warehouse"].search(
            [("company_id", "=", self.company_id.id)], limit=1
        )
