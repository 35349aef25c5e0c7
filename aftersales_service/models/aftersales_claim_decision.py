# Copyright 2026 aftersales_service authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import Command, fields, models
from odoo.exceptions import AccessError, UserError

from .aftersales_claim import DECISIONS
from .aftersales_claim_context import return_picking_vals


class AftersalesClaim(models.Model):
    """Decisions on a claim and the host documents that carry them out: service orders,
    return and replacement transfers, credit notes."""

    _inherit = "aftersales.claim"  # pylint: disable=consider-merging-classes-inherited

    # Actions -----------------------------------------------------------------------------

    def action_decide(
        self, decision, amount=0.0, reason=False, replacement_lot_id=False, exceed_reason=False
    ):
        """diagnosis → decided / in_progress / rejected: record the decision and carry it out
        with the host's documents (service order, pickings, credit notes, customer message).

        Everything is checked before anything is written: a decision out of order or with
        missing input raises and leaves the claim untouched. The claims are deduplicated and
        locked first (see aftersales_claim_guard.py), so the checks see the current state.
        ``exceed_reason``: why a compensation exceeds the price paid (tracked in the chatter).
        """
        self._check_manager()
        decisions = dict(DECISIONS)
        if decision not in decisions:
            raise UserError(self.env._("Unknown decision %(decision)s.", decision=decision))
        replacement_lot = self._decision_lot(replacement_lot_id)
        for claim in self:
            claim._check_can_decide(decision, amount, reason, replacement_lot)
            claim._check_decision_amount(decision, amount, exceed_reason)
        for claim in self:
            claim.write(
                {
                    "decision": decision,
                    "decision_reason": reason or False,
                    "decision_amount": amount or 0.0,
                    "replacement_lot_id": replacement_lot.id or False,
                    "decision_user_id": self.env.uid,
                    "date_decision": fields.Datetime.now(),
                    "state": "decided",
                }
            )
            # Parts are translated on their own: message extraction skips nested calls.
            amount_part = ""
            if decision in ("price_reduction", "compensation"):
                amount_part = self.env._(" (amount %(amount)s)", amount=amount)
            reason_part = self.env._(" — %(reason)s", reason=reason) if reason else ""
            if exceed_reason and amount > claim.unit_price:
                reason_part += self.env._(
                    " — above the price paid (%(price)s) because: %(why)s",
                    price=claim.unit_price,
                    why=exceed_reason,
                )
            claim._post_note(
                self.env._(
                    "Decision: %(decision)s%(amount)s%(reason)s",
                    decision=decisions[decision],
                    amount=amount_part,
                    reason=reason_part,
                )
            )
            getattr(claim, f"_carry_out_{decision}")()
        return True

    def action_create_repair(self):
        """Open a service order (the host's repair.order) for the claim's serial.

        Allowed while the claim is open for diagnosis, and after a repair decision. The
        service order takes its coverage from the claim (see repair_order.py)."""
        self.ensure_one()
        if not self.can_create_repair:
            raise UserError(
                self.env._(
                    "Claim %(claim)s cannot get a service order in state %(state)s.",
                    claim=self.name,
                    state=self._state_label(),
                )
            )
        if not self.product_id:
            raise UserError(self.env._("Set the product of the claim first."))
        repair = self.env["repair.order"].create(self._prepare_repair_vals())
        if self.state == "new":
            self.state = "diagnosis"
        elif self.state == "decided":
            self.state = "in_progress"
        self._post_note(
            self.env._("Service order %(repair)s created.", repair=repair._get_html_link())
        )
        return repair

    def action_open_decision(self):
        self.ensure_one()
        self._check_manager()
        if not self.can_decide:
            raise UserError(self.env._("Only a claim in diagnosis can be decided."))
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Decide"),
            "res_model": "aftersales.claim.decision",
            "view_mode": "form",
            "target": "new",
            "context": {"default_claim_id": self.id},
        }

    # Decision checks and execution ---------------------------------------------------------

    def _check_manager(self):
        if not self.env.su and not self.env.user.has_group(
            "aftersales_service.group_aftersales_manager"
        ):
            raise AccessError(self.env._("Only an after-sales manager can decide claims."))

    def _check_can_decide(self, decision, amount, reason, replacement_lot):
        self.ensure_one()
        if not self.can_decide:
            raise UserError(
                self.env._(
                    "Claim %(claim)s cannot be decided in state %(state)s: it must be in "
                    "diagnosis (and a claim is decided once).",
                    claim=self.name,
                    state=self._state_label(),
                )
            )
        if decision in ("price_reduction", "compensation") and (amount or 0.0) <= 0.0:
            raise UserError(
                self.env._("A price reduction or compensation needs a positive amount.")
            )
        if decision == "reject" and not (reason or "").strip():
            raise UserError(self.env._("State the reason for rejecting the claim."))
        if decision in ("repair", "replace", "refund") and not self.lot_id:
            raise UserError(self.env._("Set the serial number of the claimed unit first."))
        if decision in ("replace", "refund", "price_reduction", "compensation") and not (
            self.partner_id
        ):
            raise UserError(self.env._("Set the customer of the claim first."))
        if decision == "replace":
            self._check_replacement_lot(replacement_lot)
        if decision == "refund" and self.refund_move_ids.filtered(lambda m: m.state != "cancel"):
            raise UserError(self.env._("Claim %(claim)s is already refunded.", claim=self.name))
        if decision in ("refund", "price_reduction"):
            self._check_creditable()  # raises when there is nothing (left) to credit

    def _check_replacement_lot(self, lot):
        if not lot:
            raise UserError(self.env._("Choose the serial number of the replacement unit."))
        if lot == self.lot_id:
            raise UserError(self.env._("The replacement must be another unit than the faulty one."))
        if lot.product_id != self.product_id:
            raise UserError(
                self.env._(
                    "Replacement serial %(lot)s is not a %(product)s.",
                    lot=lot.name,
                    product=self.product_id.display_name,
                )
            )
        if not self._replacement_quant(lot):
            raise UserError(
                self.env._(
                    "Replacement serial %(lot)s is not available in stock of %(company)s.",
                    lot=lot.name,
                    company=self.company_id.name,
                )
            )

    def _replacement_quant(self, lot):
        """Our own free stock of ``lot``: on hand in an internal location of the claim's
        company, owned by nobody else (a customer's unit in for service is not ours to give
        away) and not reserved for another transfer."""
        quants = self.env["stock.quant"].search(
            [
                ("lot_id", "=", lot.id),
                ("location_id.usage", "=", "internal"),
                ("location_id.company_id", "=", self.company_id.id),
                ("owner_id", "=", False),
                ("quantity", ">", 0),
            ]
        )
        return quants.filtered(lambda q: q.quantity - q.reserved_quantity > 0)[:1]

    def _carry_out_repair(self):
        if self.repair_ids.filtered(lambda r: r.state != "cancel"):
            # The unit is already in the workshop (service order opened for diagnosis).
            self.state = "in_progress"
        else:
            self.action_create_repair()

    def _carry_out_replace(self):
        self._create_return_picking()
        self._create_replacement_picking()
        self.state = "in_progress"

    def _carry_out_refund(self):
        self._create_return_picking()
        refund = self._create_refund_from_invoice()
        self.write({"refund_move_ids": [Command.link(refund.id)], "state": "in_progress"})

    def _carry_out_price_reduction(self):
        refund = self._create_credit_note(self.decision_amount)
        self.write({"refund_move_ids": [Command.link(refund.id)]})

    def _carry_out_compensation(self):
        refund = self._create_credit_note(self.decision_amount)
        self.write({"refund_move_ids": [Command.link(refund.id)]})

    def _carry_out_reject(self):
        self.write({"state": "rejected", "date_resolved": fields.Datetime.now()})
        self._post_note(self.env._("Claim rejected."))
        # The customer hears of it once, by the decision message with the response letter
        # (aftersales_claim_notify.py): it carries the reason and the article relied on.

    # Pickings ----------------------------------------------------------------------------

    def _create_return_picking(self):
        """Return of the faulty unit from the customer, through the host's return wizard on
        the delivery that sent it (so the move is linked to its origin and sale line), with
        ``to_refund`` set: the sale line's delivered quantity drops and the unit's warranty
        layers are voided when it is validated. Without such a delivery, a plain receipt."""
        self.ensure_one()
        origin_move = self._lot_last_sale_delivery(self.lot_id) or self._lot_last_delivery(
            self.lot_id
        )
        picking = self.env["stock.picking"]
        claim_vals = {
            "aftersales_claim_id": self.id,
            "aftersales_purpose": "claim_return",
            "partner_id": self.partner_id.id,
            "origin": self.name,
        }
        if origin_move.picking_id and origin_move.picking_id.state == "done":
            wizard = (
                self.env["stock.return.picking"]
                .with_context(active_id=origin_move.picking_id.id, active_model="stock.picking")
                .create({"picking_id": origin_move.picking_id.id})
            )
            lines = wizard.product_return_moves
            line = lines.filtered(lambda rl: rl.move_id == origin_move)[:1]
            (lines - line).write({"quantity": 0})
            if line:
                line.write({"quantity": 1, "to_refund": True})
                # Created with the claim's values (one write less on the new transfer, and
                # no creation log: the claim's chatter and the origin link say it). Issue 17.
                with return_picking_vals(claim_vals):
                    picking = wizard.with_context(mail_create_nolog=True)._create_return()
        if not picking:
            picking = (
                self.env["stock.picking"]
                .with_context(mail_create_nolog=True)
                .create(dict(self._prepare_return_picking_vals(), **claim_vals))
            )
            picking.action_confirm()
        # The wizard's line already made the move a refund: write only what is missing.
        picking.move_ids.filtered(lambda m: not m.to_refund).write({"to_refund": True})
        self._set_move_lot(picking.move_ids[:1], self.lot_id)
        return picking

    def _prepare_return_picking_vals(self):
        """Values of the receipt of the faulty unit when it has no delivery to return."""
        self.ensure_one()
        warehouse = self._warehouse()
        picking_type = warehouse.out_type_id.return_picking_type_id or warehouse.in_type_id
        customer_location = self.env.ref("stock.stock_location_customers")
        return {
            "picking_type_id": picking_type.id,
            "partner_id": self.partner_id.id,
            "location_id": customer_location.id,
            "location_dest_id": picking_type.default_location_dest_id.id
            or warehouse.lot_stock_id.id,
            "origin": self.name,
            "company_id": self.company_id.id,
            "move_ids": [
                Command.create(
                    {
                        "name": self.name,
                        "product_id": self.product_id.id,
                        "product_uom_qty": 1,
                        "product_uom": self.product_id.uom_id.id,
                        "location_id": customer_location.id,
                        "location_dest_id": picking_type.default_location_dest_id.id
                        or warehouse.lot_stock_id.id,
                        "to_refund": True,
                        "company_id": self.company_id.id,
                    }
                )
            ],
        }

    def _create_replacement_picking(self):
        # No creation log: the claim's chatter says it (issue 17). The move already leaves
        # from the chosen serial's location (_prepare_replacement_picking_vals): pinning it
        # needs no second look-up of that quant.
        picking = (
            self.env["stock.picking"]
            .with_context(mail_create_nolog=True)
            .create(self._prepare_replacement_picking_vals())
        )
        picking.action_confirm()
        self._set_move_lot(picking.move_ids[:1], self.replacement_lot_id)
        return picking

    def _prepare_replacement_picking_vals(self):
        """Values of the delivery of the replacement unit from stock to the customer. The
        move is linked to the original sale line, as the host's exchange does: the return
        (to_refund) and this delivery cancel out in the delivered quantity, nothing is
        invoiced again, and the delivery hook registers the new serial's warranties."""
        self.ensure_one()
        warehouse = self._warehouse()
        picking_type = warehouse.out_type_id
        quant = self._replacement_quant(self.replacement_lot_id)
        customer_location = self.partner_id.property_stock_customer or self.env.ref(
            "stock.stock_location_customers"
        )
        sale_line = self._sale_line()
        return {
            "picking_type_id": picking_type.id,
            "partner_id": self.partner_id.id,
            "location_id": quant.location_id.id,
            "location_dest_id": customer_location.id,
            "origin": self.name,
            "company_id": self.company_id.id,
            "aftersales_claim_id": self.id,
            "aftersales_purpose": "replacement",
            "move_ids": [
                Command.create(
                    {
                        "name": self.name,
                        "product_id": self.product_id.id,
                        "product_uom_qty": 1,
                        "product_uom": self.product_id.uom_id.id,
                        "location_id": quant.location_id.id,
                        "location_dest_id": customer_location.id,
                        "partner_id": self.partner_id.id,
                        "sale_line_id": sale_line.id or False,
                        "company_id": self.company_id.id,
                    }
                )
            ],
        }

    def _set_move_lot(self, move, lot, reserve=False):
        """Pin the move to exactly ``lot`` (the claimed or the chosen replacement serial),
        replacing whatever lines the host's reservation proposed.

        The host's single proposed line is rewritten in place, only the values that differ
        (its own write moves the reservation to the chosen serial's quant): unlinking it and
        creating another ran the host's reservation code twice (issue 17: ~20 queries per
        transfer)."""
        if not move or not lot:
            return
        location = move.location_id
        if reserve:
            location = self._replacement_quant(lot).location_id or location
        vals = {
            "product_uom_id": move.product_id.uom_id.id,
            "lot_id": lot.id,
            "quantity": 1,
            "location_id": location.id,
            "location_dest_id": move.location_dest_id.id,
        }
        lines = move.move_line_ids
        if len(lines) == 1:
            changed = {
                fname: value
                for fname, value in vals.items()
                if (lines[fname].id if fname != "quantity" else lines[fname]) != value
            }
            if changed:
                lines.write(changed)
            return
        lines.unlink()
        self.env["stock.move.line"].create(
            {
                "move_id": move.id,
                "picking_id": move.picking_id.id,
                "product_id": move.product_id.id,
                "company_id": move.company_id.id,
                **vals,
            }
        )

    # Repair ------------------------------------------------------------------------------

    def _prepare_repair_vals(self):
        """Values of the service order opened for the claim. Hook: the service-order side
        fills the coverage from ``aftersales_claim_id``; add fields here, not there."""
        self.ensure_one()
        vals = {
            "product_id": self.product_id.id,
            "lot_id": self.lot_id.id or False,
            "partner_id": self.partner_id.id or False,
            "aftersales_claim_id": self.id,
            "company_id": self.company_id.id,
        }
        repair_type = self._warehouse().repair_type_id
        if repair_type:
            vals["picking_type_id"] = repair_type.id
        return vals
