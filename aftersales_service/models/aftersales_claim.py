# Copyright 2026 aftersales_service authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

from ..rules import legal_clock
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
        help="Price the consumer paid for the unit, tax included, after discounts (sale order "
        "line total / quantity), else the product's sales price. The penalty (Law 2300-1 "
        "art. 23) is a percentage of it; price reductions and compensations are bounded by it.",
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
            claim.date_response_due = legal_clock.due_date_from(received, rule.response_days)
            claim.date_resolution_due = legal_clock.due_date_from(received, rule.resolution_days)

    @api.depends("state", "date_response_due", "date_resolution_due")
    def _compute_is_overdue(self):
        today = self._today()
        for claim in self:
            claim.is_overdue = claim._is_overdue_on(today)

    @api.depends("state", "date_resolution_due", "date_resolved")
    def _compute_days_left(self):
        today = self._today()
        for claim in self:
            if not claim.date_resolution_due:
                claim.days_left = 0
                continue
            end = claim._local_date(claim.date_resolved) if claim.date_resolved else today
            claim.days_left = legal_clock.days_left(claim.date_resolution_due, end)

    @api.depends("sale_order_id", "product_id")
    def _compute_unit_price(self):
        for claim in self:
            line = claim._sale_line()
            if line and line.product_uom_qty:
                # Law 2300-1 art. 23: "the price of the good" = what the consumer paid.
                price = line.price_total / line.product_uom_qty
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
            blockers = claim._aftersales_resolve_blockers()
            if blockers:
                raise UserError(
                    self.env._(
                        "Claim %(claim)s cannot be resolved yet:\n%(blockers)s",
                        claim=claim.name,
                        blockers="\n".join("- " + line for line in blockers),
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

    def action_open_new_repair(self):
        """Button: create the service order and show it."""
        repair = self.action_create_repair()
        return {
            "type": "ir.actions.act_window",
            "res_model": "repair.order",
            "res_id": repair.id,
            "view_mode": "form",
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

    # Helpers -----------------------------------------------------------------------------

    def _state_label(self):
        return dict(self._fields["state"]._description_selection(self.env))[self.state]

    def _post_note(self, body):
        """Explicit chatter entry for a state change or decision, logged even when
        tracking is disabled (imports, tests): the audit trail must not depend on it.

        Logged as the host logs its own notes (``_message_log``: an internal note, nobody
        to notify), not posted: posting looked up the author's language, the thread's
        parent message and the followers to notify for a note that notifies no one
        (issue 17: 4 queries per step)."""
        self.ensure_one()
        self._message_log(body=body, message_type="notification")
