# Copyright 2026 aftersales_service authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import timedelta

from odoo import Command, api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import float_round

from .aftersales_legal_rule import REQUESTS

STATES = [
    ("new", "New"),
    ("diagnosis", "Diagnosis"),
    ("decided", "Decided"),
    ("in_progress", "In Progress"),
    ("done", "Done"),
    ("rejected", "Rejected"),
    ("cancel", "Cancelled"),
]
# The legal clock runs while the claim is in one of these states.
OPEN_STATES = ("new", "diagnosis", "decided", "in_progress")
DECISIONS = [
    ("repair", "Repair"),
    ("replace", "Replace"),
    ("refund", "Refund"),
    ("price_reduction", "Price Reduction"),
    ("compensation", "Compensation"),
    ("reject", "Reject"),
]
CHANNELS = [
    ("portal", "Portal"),
    ("email", "Email"),
    ("phone", "Phone"),
    ("counter", "Counter"),
    ("dealer", "Dealer"),
]
# Claims nearing their resolution due date (within this many days) get an activity.
NEAR_DUE_DAYS = 2
CRON_BATCH_SIZE = 1000


class AftersalesClaim(models.Model):
    """A customer's claim about a unit: the case file that runs the consumer-law clock,
    records the decision and links the host documents that carry it out."""

    _name = "aftersales.claim"
    _description = "After-Sales Claim"
    _inherit = ["mail.thread", "mail.activity.mixin", "portal.mixin"]  # noqa: RUF012
    _order = "date_received desc, id desc"
    _check_company_auto = True
    _mail_post_access = "read"

    # Identification
    name = fields.Char(default="New", readonly=True, copy=False, index="trigram", required=True)
    active = fields.Boolean(default=True, tracking=True)
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company, index=True
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    user_id = fields.Many2one(
        "res.users",
        string="Responsible",
        default=lambda self: self.env.user,
        domain="[('share', '=', False)]",
        tracking=True,
        index=True,
    )

    # Intake
    date_received = fields.Datetime(default=fields.Datetime.now, required=True, tracking=True)
    channel = fields.Selection(CHANNELS, default="counter", required=True, tracking=True)
    request = fields.Selection(REQUESTS, default="repair", required=True, tracking=True)
    summary = fields.Char(help="One line: what is wrong, in the customer's words.")
    description = fields.Html()
    email_from = fields.Char(help="Sender of the email that opened the claim.")

    # Unit and customer
    lot_id = fields.Many2one(
        "stock.lot",
        string="Serial Number",
        index="btree_not_null",
        check_company=True,
        tracking=True,
        domain="[('product_id', '=?', product_id)]",
    )
    product_id = fields.Many2one(
        "product.product",
        compute="_compute_product_id",
        store=True,
        readonly=False,
        precompute=True,
        index="btree_not_null",
        check_company=True,
        tracking=True,
    )
    partner_id = fields.Many2one(
        "res.partner",
        string="Customer",
        compute="_compute_partner_id",
        store=True,
        readonly=False,
        precompute=True,
        index=True,
        check_company=True,
        tracking=True,
    )
    commercial_partner_id = fields.Many2one(
        related="partner_id.commercial_partner_id", store=True, index="btree_not_null"
    )
    sale_order_id = fields.Many2one(
        "sale.order",
        compute="_compute_sale_order_id",
        store=True,
        readonly=False,
        precompute=True,
        index="btree_not_null",
        check_company=True,
        tracking=True,
    )

    # Coverage on the date received (kept: later warranty changes do not alter it)
    in_warranty = fields.Boolean(
        compute="_compute_coverage", store=True, readonly=False, precompute=True
    )
    parts_coverage = fields.Float(
        compute="_compute_coverage", store=True, readonly=False, precompute=True
    )
    labor_coverage = fields.Float(
        compute="_compute_coverage", store=True, readonly=False, precompute=True
    )
    logistics_coverage = fields.Float(
        compute="_compute_coverage", store=True, readonly=False, precompute=True
    )
    warranty_date_end = fields.Date(
        compute="_compute_coverage", store=True, readonly=False, precompute=True
    )

    # Legal clock
    legal_rule_id = fields.Many2one(
        "aftersales.legal.rule",
        compute="_compute_legal_rule_id",
        store=True,
        readonly=False,
        precompute=True,
        index="btree_not_null",
        tracking=True,
        domain="[('request', '=', request)]",
    )
    law_reference = fields.Char(related="legal_rule_id.law_reference")
    penalty_rate = fields.Float(
        string="Penalty Rate (%/day)",
        digits=(16, 4),
        compute="_compute_penalty_rate",
        store=True,
        precompute=True,
    )
    date_response_due = fields.Date(
        compute="_compute_due_dates", store=True, precompute=True, index=True, tracking=True
    )
    date_resolution_due = fields.Date(
        compute="_compute_due_dates", store=True, precompute=True, index=True, tracking=True
    )
    date_resolved = fields.Datetime(readonly=True, copy=False, tracking=True)
    is_overdue = fields.Boolean(
        compute="_compute_is_overdue",
        store=True,
        index=True,
        help="Unresolved past the resolution due date, or not yet answered past the "
        "response due date. Recomputed daily by the clock watch.",
    )
    days_left = fields.Integer(
        compute="_compute_days_left",
        help="Days until the resolution due date (negative: days overdue).",
    )
    unit_price = fields.Monetary(
        compute="_compute_unit_price",
        store=True,
        precompute=True,
        readonly=False,
        help="Price paid for the unit (sale order line, after discount), else the product's "
        "sales price. The penalty is a percentage of it.",
    )
    penalty_amount = fields.Monetary(
        compute="_compute_penalty_amount",
        store=True,
        help="Unit price × penalty rate × whole days past the resolution due date while the "
        "claim is unresolved; frozen when it is resolved.",
    )
    date_clock_checked = fields.Date(
        readonly=True, copy=False, help="Last day the clock watch looked at this claim."
    )
    deadline_activity_done = fields.Boolean(
        readonly=True, copy=False, help="The near-due activity has been scheduled."
    )

    # Workflow and decision
    state = fields.Selection(
        STATES,
        default="new",
        required=True,
        readonly=True,
        copy=False,
        tracking=True,
        index=True,
        group_expand=True,
    )
    decision = fields.Selection(DECISIONS, readonly=True, copy=False, tracking=True)
    decision_reason = fields.Text(readonly=True, copy=False)
    decision_amount = fields.Monetary(readonly=True, copy=False, tracking=True)
    replacement_lot_id = fields.Many2one(
        "stock.lot", readonly=True, copy=False, check_company=True, tracking=True
    )
    decision_user_id = fields.Many2one("res.users", readonly=True, copy=False)
    date_decision = fields.Datetime(readonly=True, copy=False)

    # Documents
    repair_ids = fields.One2many("repair.order", "aftersales_claim_id", string="Service Orders")
    picking_ids = fields.One2many("stock.picking", "aftersales_claim_id", string="Transfers")
    refund_move_ids = fields.Many2many(
        "account.move",
        "aftersales_claim_account_move_rel",
        "claim_id",
        "move_id",
        string="Credit Notes",
        readonly=True,
        copy=False,
    )
    repair_count = fields.Integer(compute="_compute_document_counts")
    picking_count = fields.Integer(compute="_compute_document_counts")
    refund_count = fields.Integer(compute="_compute_document_counts")

    # Button guards
    can_start_diagnosis = fields.Boolean(compute="_compute_can")
    can_decide = fields.Boolean(compute="_compute_can")
    can_create_repair = fields.Boolean(compute="_compute_can")
    can_done = fields.Boolean(compute="_compute_can")
    can_cancel = fields.Boolean(compute="_compute_can")

    # Compute methods -------------------------------------------------------------------

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
                move = claim._lot_last_delivery(claim.lot_id)
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

    @api.depends("partner_id", "request", "company_id")
    def _compute_legal_rule_id(self):
        # Depends on the partner, not on its country: moving the customer's address later
        # must not shift the clock of a claim already running.
        keys = [
            (
                claim.partner_id.commercial_partner_id.country_id.id
                or claim.partner_id.country_id.id,
                claim.request,
                claim.company_id.id or self.env.company.id,
            )
            for claim in self
        ]
        rules = self.env["aftersales.legal.rule"]._find_rules(keys)
        for claim, rule in zip(self, rules, strict=True):
            claim.legal_rule_id = rule

    @api.depends("legal_rule_id")
    def _compute_penalty_rate(self):
        for claim in self:
            claim.penalty_rate = claim.legal_rule_id.penalty_rate

    @api.depends("date_received", "legal_rule_id")
    def _compute_due_dates(self):
        for claim in self:
            rule = claim.legal_rule_id
            if not (rule and claim.date_received):
                claim.date_response_due = False
                claim.date_resolution_due = False
                continue
            received = claim._local_date(claim.date_received)
            claim.date_response_due = received + timedelta(days=rule.response_days)
            claim.date_resolution_due = received + timedelta(days=rule.resolution_days)

    @api.depends("state", "date_response_due", "date_resolution_due")
    def _compute_is_overdue(self):
        today = self._today()
        for claim in self:
            claim.is_overdue = claim._is_overdue_on(today)

    def _is_overdue_on(self, today):
        # Same rule as the SQL of _watch_deadlines_batch: keep both in step.
        self.ensure_one()
        if self.state not in OPEN_STATES:
            return False
        if self.date_resolution_due and today > self.date_resolution_due:
            return True
        return bool(
            self.state == "new" and self.date_response_due and today > self.date_response_due
        )

    @api.depends("state", "date_resolution_due", "date_resolved")
    def _compute_days_left(self):
        today = self._today()
        for claim in self:
            if not claim.date_resolution_due:
                claim.days_left = 0
                continue
            end = claim._local_date(claim.date_resolved) if claim.date_resolved else today
            claim.days_left = (claim.date_resolution_due - end).days

    @api.depends("sale_order_id", "product_id")
    def _compute_unit_price(self):
        for claim in self:
            line = claim._sale_line()
            if line:
                price = line.price_unit * (1.0 - (line.discount or 0.0) / 100.0)
                claim.unit_price = line.order_id.currency_id._convert(
                    price,
                    claim.currency_id or claim.company_id.currency_id,
                    claim.company_id,
                    line.order_id.date_order or fields.Date.today(),
                )
            else:
                claim.unit_price = claim.product_id.lst_price

    @api.depends("unit_price", "penalty_rate", "date_resolution_due", "date_resolved", "state")
    def _compute_penalty_amount(self):
        today = self._today()
        for claim in self:
            claim.penalty_amount = claim._penalty_on(today)

    def _penalty_on(self, today):
        """Penalty accrued on ``today`` (or on the resolution date when resolved).
        Same formula as the SQL of _watch_deadlines_batch: keep both in step."""
        self.ensure_one()
        if not self.date_resolution_due or not self.penalty_rate:
            return 0.0
        if self.state in OPEN_STATES:
            end = today
        elif self.date_resolved:
            end = self._local_date(self.date_resolved)
        else:
            return 0.0
        days_late = max((end - self.date_resolution_due).days, 0)
        return float_round(
            self.unit_price * self.penalty_rate / 100.0 * days_late,
            precision_rounding=(self.currency_id or self.env.company.currency_id).rounding,
        )

    @api.depends("repair_ids", "picking_ids", "refund_move_ids")
    def _compute_document_counts(self):
        for claim in self:
            claim.repair_count = len(claim.repair_ids)
            claim.picking_count = len(claim.picking_ids)
            claim.refund_count = len(claim.refund_move_ids)

    @api.depends("state", "decision", "repair_ids.state", "refund_move_ids", "picking_ids")
    def _compute_can(self):
        for claim in self:
            claim.can_start_diagnosis = claim.state == "new"
            claim.can_decide = claim.state == "diagnosis"
            has_repair = bool(claim.repair_ids.filtered(lambda r: r.state != "cancel"))
            claim.can_create_repair = not has_repair and (
                claim.state in ("new", "diagnosis")
                or (claim.state in ("decided", "in_progress") and claim.decision == "repair")
            )
            claim.can_done = claim.state in ("decided", "in_progress")
            # Once documents carry a decision out, the claim is resolved, not cancelled.
            claim.can_cancel = claim.state in ("new", "diagnosis") or (
                claim.state == "decided"
                and not (claim.refund_move_ids or claim.picking_ids or has_repair)
            )

    # Constraints -----------------------------------------------------------------------

    @api.constrains("lot_id", "product_id")
    def _check_lot_product(self):
        for claim in self:
            if claim.lot_id and claim.product_id and claim.lot_id.product_id != claim.product_id:
                raise ValidationError(
                    self.env._(
                        "Serial number %(lot)s belongs to %(lot_product)s, not to %(product)s.",
                        lot=claim.lot_id.name,
                        lot_product=claim.lot_id.product_id.display_name,
                        product=claim.product_id.display_name,
                    )
                )

    # CRUD --------------------------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("name", "New") == "New":
                company = self.env["res.company"].browse(
                    vals.get("company_id") or self.env.company.id
                )
                vals["name"] = (
                    self.env["ir.sequence"]
                    .with_company(company)
                    .next_by_code("aftersales.claim", sequence_date=vals.get("date_received"))
                    or "New"
                )
        return super().create(vals_list)

    @api.ondelete(at_uninstall=False)
    def _unlink_never(self):
        # A received claim is a legal record (deadlines, penalties, decisions).
        raise UserError(self.env._("Claims cannot be deleted once received; archive them instead."))

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

    # Actions -----------------------------------------------------------------------------

    def action_start_diagnosis(self):
        """new → diagnosis: the unit is being examined."""
        for claim in self:
            if not claim.can_start_diagnosis:
                raise UserError(
                    self.env._(
                        "Claim %(claim)s cannot go to diagnosis from state %(state)s.",
                        claim=claim.name,
                        state=claim._state_label(),
                    )
                )
        self.write({"state": "diagnosis"})
        for claim in self:
            claim._post_note(self.env._("Diagnosis started."))
        return True

    def action_decide(self, decision, amount=0.0, reason=False, replacement_lot_id=False):
        """diagnosis → decided / in_progress / rejected: record the decision and carry it out
        with the host's documents (service order, pickings, credit notes, customer message).

        Everything is checked before anything is written: a decision out of order or with
        missing input raises and leaves the claim untouched.
        """
        self._check_manager()
        decisions = dict(DECISIONS)
        if decision not in decisions:
            raise UserError(self.env._("Unknown decision %(decision)s.", decision=decision))
        replacement_lot = self.env["stock.lot"].browse(
            replacement_lot_id.id
            if isinstance(replacement_lot_id, models.BaseModel)
            else replacement_lot_id or []
        )
        for claim in self:
            claim._check_can_decide(decision, amount, reason, replacement_lot)
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

    def action_open_new_repair(self):
        """Button: create the service order and show it."""
        repair = self.action_create_repair()
        return {
            "type": "ir.actions.act_window",
            "res_model": "repair.order",
            "res_id": repair.id,
            "view_mode": "form",
        }

    def action_done(self):
        """decided / in_progress → done: the remedy is carried out; the penalty clock stops."""
        for claim in self:
            if not claim.can_done:
                raise UserError(
                    self.env._(
                        "Claim %(claim)s cannot be resolved from state %(state)s.",
                        claim=claim.name,
                        state=claim._state_label(),
                    )
                )
            pending = claim.picking_ids.filtered(lambda p: p.state not in ("done", "cancel"))
            if pending:
                raise UserError(
                    self.env._(
                        "Claim %(claim)s still has transfers to validate or cancel: %(pickings)s.",
                        claim=claim.name,
                        pickings=", ".join(pending.mapped("name")),
                    )
                )
            repairs = claim.repair_ids.filtered(lambda r: r.state not in ("done", "cancel"))
            if repairs:
                raise UserError(
                    self.env._(
                        "Claim %(claim)s still has open service orders: %(repairs)s.",
                        claim=claim.name,
                        repairs=", ".join(repairs.mapped("name")),
                    )
                )
        self.write({"state": "done", "date_resolved": fields.Datetime.now()})
        for claim in self:
            claim._post_note(self.env._("Claim resolved."))
        return True

    def action_cancel(self):
        for claim in self:
            if not claim.can_cancel:
                raise UserError(
                    self.env._(
                        "Claim %(claim)s cannot be cancelled from state %(state)s.",
                        claim=claim.name,
                        state=claim._state_label(),
                    )
                )
        self.write({"state": "cancel", "date_resolved": fields.Datetime.now()})
        for claim in self:
            claim._post_note(self.env._("Claim cancelled."))
        return True

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

    def action_view_repairs(self):
        return self._action_view("repair.order", self.repair_ids, self.env._("Service Orders"))

    def action_view_pickings(self):
        return self._action_view("stock.picking", self.picking_ids, self.env._("Transfers"))

    def action_view_refunds(self):
        action = self._action_view("account.move", self.refund_move_ids, self.env._("Credit Notes"))
        action["context"] = {"default_move_type": "out_refund"}
        return action

    def _action_view(self, model, records, name):
        action = {
            "type": "ir.actions.act_window",
            "res_model": model,
            "name": name,
            "domain": [("id", "in", records.ids)],
            "view_mode": "list,form",
        }
        if len(records) == 1:
            action.update(view_mode="form", res_id=records.id)
        return action

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
            "context": {"default_lot_id": lot.id, "default_company_id": lot.company_id.id},
        }

    @api.model
    def _prepare_vals_from_lot(self, lot):
        """Claim values derived from a serial: product, customer (owner of its active
        warranty, else the customer of its last delivery) and sale order."""
        move = self._lot_last_delivery(lot)
        return {
            "lot_id": lot.id,
            "product_id": lot.product_id.id,
            "partner_id": self._lot_owner(lot).id,
            "sale_order_id": move.sudo().sale_line_id.order_id.id,
            "company_id": (lot.company_id or self.env.company).id,
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
        if decision == "refund":
            if self.refund_move_ids.filtered(lambda m: m.state != "cancel"):
                raise UserError(self.env._("Claim %(claim)s is already refunded.", claim=self.name))
            self._find_invoice_line()  # raises when there is nothing to reverse

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
        return self.env["stock.quant"].search(
            [
                ("lot_id", "=", lot.id),
                ("location_id.usage", "=", "internal"),
                ("location_id.company_id", "=", self.company_id.id),
                ("quantity", ">", 0),
            ],
            limit=1,
        )

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
        self._carry_out_price_reduction()

    def _carry_out_reject(self):
        self.write({"state": "rejected", "date_resolved": fields.Datetime.now()})
        self._post_note(self.env._("Claim rejected."))
        if self.partner_id:
            self.message_post(
                body=self.env._(
                    "Dear %(customer)s, after examination we cannot accept your claim "
                    "%(claim)s. Reason: %(reason)s",
                    customer=self.partner_id.name,
                    claim=self.name,
                    reason=self.decision_reason,
                ),
                message_type="comment",
                subtype_xmlid="mail.mt_comment",
                partner_ids=self.partner_id.ids,
            )

    # Pickings ----------------------------------------------------------------------------

    def _create_return_picking(self):
        """Return of the faulty unit from the customer, through the host's return wizard on
        the delivery that sent it (so the move is linked to its origin and sale line), with
        ``to_refund`` set: the sale line's delivered quantity drops and the unit's warranty
        layers are voided when it is validated. Without such a delivery, a plain receipt."""
        self.ensure_one()
        origin_move = self._lot_last_delivery(self.lot_id)
        picking = self.env["stock.picking"]
        if origin_move.picking_id and origin_move.picking_id.state == "done":
            wizard = (
                self.env["stock.return.picking"]
                .with_context(active_id=origin_move.picking_id.id, active_model="stock.picking")
                .create({"picking_id": origin_move.picking_id.id})
            )
            lines = wizard.product_return_moves
            lines.write({"quantity": 0})
            line = lines.filtered(lambda rl: rl.move_id == origin_move)[:1]
            if line:
                line.write({"quantity": 1, "to_refund": True})
                picking = wizard._create_return()
        if not picking:
            picking = self.env["stock.picking"].create(self._prepare_return_picking_vals())
            picking.action_confirm()
        picking.write(
            {
                "aftersales_claim_id": self.id,
                "aftersales_purpose": "claim_return",
                "partner_id": self.partner_id.id,
                "origin": self.name,
            }
        )
        picking.move_ids.write({"to_refund": True})
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
        picking = self.env["stock.picking"].create(self._prepare_replacement_picking_vals())
        picking.action_confirm()
        self._set_move_lot(picking.move_ids[:1], self.replacement_lot_id, reserve=True)
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
        replacing whatever lines the host's reservation proposed."""
        if not move or not lot:
            return
        move.move_line_ids.unlink()
        location = move.location_id
        if reserve:
            location = self._replacement_quant(lot).location_id or location
        self.env["stock.move.line"].create(
            {
                "move_id": move.id,
                "picking_id": move.picking_id.id,
                "product_id": move.product_id.id,
                "product_uom_id": move.product_id.uom_id.id,
                "lot_id": lot.id,
                "quantity": 1,
                "location_id": location.id,
                "location_dest_id": move.location_dest_id.id,
                "company_id": move.company_id.id,
            }
        )

    def _warehouse(self):
        return self.env["stock.warehouse"].search(
            [("company_id", "=", self.company_id.id)], limit=1
        )

    # Credit notes --------------------------------------------------------------------------

    def _find_invoice_line(self):
        """The customer's posted invoice line for the unit, through the sale order."""
        self.ensure_one()
        order = self.sale_order_id.sudo()  # see _sale_line
        lines = order.order_line.filtered(lambda sol: sol.product_id == self.product_id)
        invoice_lines = lines.invoice_lines.filtered(
            lambda aml: (
                aml.move_id.move_type == "out_invoice"
                and aml.move_id.state == "posted"
                and aml.quantity > 0
            )
        )
        if not invoice_lines:
            raise UserError(
                self.env._(
                    "No posted customer invoice for %(product)s was found on sale order "
                    "%(order)s: invoice the unit first or decide a compensation.",
                    product=self.product_id.display_name,
                    order=order.name or self.env._("(none)"),
                )
            )
        return invoice_lines.sorted(lambda aml: (aml.move_id.invoice_date, aml.id))[-1]

    def _create_refund_from_invoice(self):
        invoice_line = self._find_invoice_line()
        move = self.env["account.move"].create(self._prepare_refund_vals(invoice_line))
        # Link the sale line as the host's reversal does; through sudo because the sale
        # order may belong to another salesperson than the deciding manager.
        move.invoice_line_ids.sudo().write(
            {"sale_line_ids": [Command.set(invoice_line.sale_line_ids.ids)]}
        )
        # Posting values the unit's cost through its sale line (anglo-saxon), which the
        # manager may not be allowed to read: the decision was checked, post as the system.
        move.sudo().action_post()
        return move

    def _prepare_refund_vals(self, invoice_line):
        """Credit note reversing ``invoice_line`` for one unit: same account, taxes, price
        and discount, linked to the invoice (the sale line is linked after creation, so the
        sale order counts the unit as refunded)."""
        self.ensure_one()
        invoice = invoice_line.move_id
        return {
            "move_type": "out_refund",
            "partner_id": invoice.partner_id.id,
            "journal_id": invoice.journal_id.id,
            "currency_id": invoice.currency_id.id,
            "fiscal_position_id": invoice.fiscal_position_id.id,
            "reversed_entry_id": invoice.id,
            "invoice_origin": invoice.invoice_origin or self.name,
            "ref": self.env._("Claim %(claim)s: refund", claim=self.name),
            "company_id": invoice.company_id.id,
            "invoice_line_ids": [
                Command.create(
                    {
                        "product_id": invoice_line.product_id.id,
                        "name": invoice_line.name,
                        "quantity": 1,
                        "product_uom_id": invoice_line.product_uom_id.id,
                        "price_unit": invoice_line.price_unit,
                        "discount": invoice_line.discount,
                        "tax_ids": [Command.set(invoice_line.tax_ids.ids)],
                        "account_id": invoice_line.account_id.id,
                        "analytic_distribution": invoice_line.analytic_distribution,
                    }
                )
            ],
        }

    def _create_credit_note(self, amount):
        move = self.env["account.move"].create(self._prepare_credit_note_vals(amount))
        move.action_post()
        return move

    def _credit_product(self):
        product = self.company_id.aftersales_claim_credit_product_id
        if not product:
            product = self.env.ref(
                "aftersales_service.product_claim_compensation", raise_if_not_found=False
            )
        if not product:
            raise UserError(self.env._("Set the product for price reductions and compensations."))
        return product

    def _prepare_credit_note_vals(self, amount):
        """Credit note for an agreed amount (price reduction or compensation), on the
        configured service product; its income account and taxes apply."""
        self.ensure_one()
        product = self._credit_product()
        partner = self.partner_id.commercial_partner_id
        fiscal_position = (
            self.env["account.fiscal.position"]
            .with_company(self.company_id)
            ._get_fiscal_position(partner)
        )
        taxes = product.taxes_id.filtered(lambda t: t.company_id in self.company_id.parent_ids)
        return {
            "move_type": "out_refund",
            "partner_id": partner.id,
            "company_id": self.company_id.id,
            "fiscal_position_id": fiscal_position.id,
            "invoice_origin": self.sale_order_id.name or self.name,
            "ref": self.env._(
                "Claim %(claim)s: %(decision)s",
                claim=self.name,
                decision=dict(DECISIONS)[self.decision],
            ),
            "invoice_line_ids": [
                Command.create(
                    {
                        "product_id": product.id,
                        "name": self.env._(
                            "%(decision)s — claim %(claim)s",
                            decision=dict(DECISIONS)[self.decision],
                            claim=self.name,
                        ),
                        "quantity": 1,
                        "price_unit": amount,
                        "tax_ids": [Command.set(fiscal_position.map_tax(taxes).ids)],
                    }
                )
            ],
        }

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

    # Clock watch (cron) ---------------------------------------------------------------------

    @api.model
    def _cron_watch_deadlines(self, batch_size=CRON_BATCH_SIZE, max_batches=None):
        """Daily clock watch over open claims, in batches of ``batch_size``.

        Each batch costs a constant number of queries whatever its content: one SELECT of
        the batch, one UPDATE (overdue flag, penalty, checked date) computed in SQL, and
        one batched creation of the near-due activities. Claims checked today are skipped,
        so a run resumes where the previous one stopped: the scheduled job handles
        ``max_batches`` per call and reports the remainder to ir.cron, which commits and
        calls again at once while claims remain (no commit inside the method).
        """
        today = self._today()
        done = 0
        last_id = 0
        batches = 0
        while True:
            ids = self._watch_next_batch(today, last_id, batch_size)
            if not ids:
                break
            self._watch_deadlines_batch(ids, today)
            done += len(ids)
            last_id = ids[-1]
            batches += 1
            if max_batches and batches >= max_batches:
                break
        remaining = self._watch_remaining(today) if max_batches else 0
        self.env["ir.cron"]._notify_progress(done=done, remaining=remaining)
        return done

    def _watch_domain_sql(self):
        return "active AND state IN %s AND (date_clock_checked IS NULL OR date_clock_checked < %s)"

    def _watch_next_batch(self, today, last_id, batch_size):
        self.env.cr.execute(
            f"""
            SELECT id FROM aftersales_claim
             WHERE id > %s AND {self._watch_domain_sql()}
             ORDER BY id
             LIMIT %s
            """,
            (last_id, OPEN_STATES, today, batch_size),
        )
        return [row[0] for row in self.env.cr.fetchall()]

    def _watch_remaining(self, today):
        self.env.cr.execute(
            f"SELECT COUNT(*) FROM aftersales_claim WHERE {self._watch_domain_sql()}",
            (OPEN_STATES, today),
        )
        return self.env.cr.fetchone()[0]

    def _watch_deadlines_batch(self, ids, today):
        """Recompute the clock of claims ``ids`` in one UPDATE (same rules as
        _is_overdue_on / _penalty_on) and schedule the near-due activities."""
        self.flush_model()
        rounding = self.env.company.currency_id.decimal_places
        self.env.cr.execute(
            """
            UPDATE aftersales_claim c
               SET is_overdue = (
                        (c.date_resolution_due IS NOT NULL AND %(today)s > c.date_resolution_due)
                     OR (c.state = 'new' AND c.date_response_due IS NOT NULL
                         AND %(today)s > c.date_response_due)),
                   penalty_amount = CASE
                        WHEN c.date_resolution_due IS NULL OR COALESCE(c.penalty_rate, 0) = 0
                        THEN 0
                        ELSE ROUND((COALESCE(c.unit_price, 0) * c.penalty_rate / 100.0
                                    * GREATEST(%(today)s - c.date_resolution_due, 0))::numeric,
                                   %(digits)s)
                   END,
                   date_clock_checked = %(today)s
             WHERE c.id = ANY(%(ids)s)
         RETURNING c.id,
                   (NOT COALESCE(c.deadline_activity_done, FALSE) AND c.user_id IS NOT NULL
                    AND c.date_resolution_due BETWEEN %(today)s AND %(near)s)
            """,
            {
                "today": today,
                "near": today + timedelta(days=NEAR_DUE_DAYS),
                "ids": list(ids),
                "digits": rounding,
            },
        )
        near_ids = [row[0] for row in self.env.cr.fetchall() if row[1]]
        self.invalidate_model(["is_overdue", "penalty_amount", "date_clock_checked"])
        if near_ids:
            self._schedule_near_due_activities(self.browse(near_ids))

    def _schedule_near_due_activities(self, claims):
        """One activity per claim nearing its due date, for its responsible, created in one
        batch; flagged so it is scheduled once only."""
        activity_type = self.env.ref("mail.mail_activity_data_todo", raise_if_not_found=False)
        model_id = self.env["ir.model"]._get_id(self._name)
        claims.fetch(["name", "user_id", "date_resolution_due"])
        self.env["mail.activity"].with_context(mail_activity_quick_update=True).create(
            [
                {
                    "res_model_id": model_id,
                    "res_id": claim.id,
                    "activity_type_id": activity_type.id if activity_type else False,
                    "user_id": claim.user_id.id,
                    "date_deadline": claim.date_resolution_due,
                    "summary": self.env._("Legal deadline near"),
                    "note": self.env._(
                        "Claim %(claim)s must be resolved by %(date)s.",
                        claim=claim.name,
                        date=claim.date_resolution_due,
                    ),
                }
                for claim in claims
            ]
        )
        self.env.cr.execute(
            "UPDATE aftersales_claim SET deadline_activity_done = TRUE WHERE id = ANY(%s)",
            (claims.ids,),
        )
        self.invalidate_model(["deadline_activity_done"])

    # Helpers -----------------------------------------------------------------------------

    def _today(self):
        company = self.company_id[:1] or self.env.company
        tz = self.env.context.get("tz") or self.env.user.tz or company.partner_id.tz or "UTC"
        return fields.Date.context_today(self.with_context(tz=tz))

    def _local_date(self, value):
        """Local calendar date of a UTC datetime (user's, else company's time zone): the
        law counts days from the day the customer claimed, where they claimed."""
        if not value:
            return False
        company = self.company_id[:1] or self.env.company
        tz = self.env.context.get("tz") or self.env.user.tz or company.partner_id.tz or "UTC"
        return fields.Date.context_today(self.with_context(tz=tz), timestamp=value)

    @api.model
    def _lot_last_delivery(self, lot):
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
                ],
                order="date desc, id desc",
                limit=1,
            )
        )
        return line.move_id.sudo(False)

    @api.model
    def _lot_owner(self, lot):
        """Owner of the serial's active warranty layer, else its last delivery's customer."""
        if "aftersales.warranty" in self.env:
            warranty = (
                self.env["aftersales.warranty"]
                .sudo()
                .search(
                    [("lot_id", "=", lot.id), ("state", "=", "active")],
                    order="date_start desc, id desc",
                    limit=1,
                )
            )
            if warranty.partner_id:
                return warranty.partner_id.sudo(False)
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

    def _state_label(self):
        return dict(self._fields["state"]._description_selection(self.env))[self.state]

    def _post_note(self, body):
        """Explicit chatter entry for a state change or decision, posted even when
        tracking is disabled (imports, tests): the audit trail must not depend on it."""
        self.ensure_one()
        self.with_context(tracking_disable=False, mail_notrack=False).message_post(
            body=body, message_type="notification", subtype_xmlid="mail.mt_note"
        )
