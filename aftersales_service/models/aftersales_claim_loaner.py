from odoo import api, fields, models
from odoo.exceptions import UserError

from ..rules import legal_clock

# Set by the confirmation wizard (or an integration that knows): close with a loan still out.
CONFIRM_KEY = "aftersales_loaner_confirmed"
# Set by the form buttons: ask through the confirmation wizard instead of refusing.
ASK_KEY = "aftersales_loaner_ask"


class AftersalesClaimLoaner(models.Model):
    """Loaners and independent expertise on a claim: the statutory loaner duty (Law 2300-1
    art. 20 p. 2: a unit with the same basic properties lent within three days of the
    request, for the time of the repair), the loans made, and the expertise that settles a
    disputed cause (art. 18 p. 5)."""

    _inherit = "aftersales.claim"  # pylint: disable=consider-merging-classes-inherited

    loaner_ids = fields.One2many("aftersales.loaner", "claim_id", string="Loans")
    loaner_count = fields.Integer(compute="_compute_loaner_count")
    loaner_requested = fields.Boolean(
        tracking=True,
        help="The customer asked for a replacement unit while theirs is repaired "
        "(Law 2300-1 art. 20 p. 2).",
    )
    date_loaner_due = fields.Date(
        string="Loaner Due",
        compute="_compute_date_loaner_due",
        store=True,
        help="Date received + the legal rule's loaner days, when a loaner was requested.",
    )
    loaner_provided = fields.Boolean(
        compute="_compute_loaner_provided",
        store=True,
        help="A loaner was handed over: the statutory duty is met.",
    )
    loaner_late = fields.Boolean(
        compute="_compute_loaner_late",
        search="_search_loaner_late",
        help="Requested, not handed over, and past its legal due date.",
    )
    expertise_ids = fields.One2many("aftersales.expertise", "claim_id", string="Expertises")
    expertise_count = fields.Integer(compute="_compute_expertise_count")
    expertise_state = fields.Selection(
        [
            ("draft", "Draft"),
            ("sent", "At the Expert"),
            ("concluded", "Concluded"),
            ("cancel", "Cancelled"),
        ],
        string="Expertise Status",
        compute="_compute_expertise_count",
        help="Status of the latest expertise; the legal clock keeps running meanwhile.",
    )
    can_request_expertise = fields.Boolean(compute="_compute_can_request_expertise")

    @api.depends("loaner_ids")
    def _compute_loaner_count(self):
        for claim in self:
            claim.loaner_count = len(claim.loaner_ids)

    @api.depends("expertise_ids.state")
    def _compute_expertise_count(self):
        for claim in self:
            claim.expertise_count = len(claim.expertise_ids)
            latest = claim.expertise_ids.sorted("id")[-1:]
            claim.expertise_state = latest.state or False

    @api.depends("state", "expertise_ids.state")
    def _compute_can_request_expertise(self):
        for claim in self:
            claim.can_request_expertise = claim.state == "diagnosis" and not any(
                e.state in ("draft", "sent") for e in claim.expertise_ids
            )

    @api.depends("loaner_requested", "date_received", "legal_rule_id")
    def _compute_date_loaner_due(self):
        for claim in self:
            days = claim.legal_rule_id.loaner_within_days
            if not (claim.loaner_requested and days and claim.date_received):
                claim.date_loaner_due = False
                continue
            received = claim._local_date(claim.date_received)
            claim.date_loaner_due = legal_clock.due_date_from(received, days)

    @api.depends("loaner_ids.state")
    def _compute_loaner_provided(self):
        for claim in self:
            claim.loaner_provided = any(
                loan.state in ("lent", "returned") for loan in claim.loaner_ids
            )

    @api.depends("date_loaner_due", "loaner_provided", "state")
    def _compute_loaner_late(self):
        today = self._today()
        for claim in self:
            claim.loaner_late = bool(
                claim.date_loaner_due
                and not claim.loaner_provided
                and claim.state not in ("done", "rejected", "cancel")
                and claim.date_loaner_due < today
            )

    def _search_loaner_late(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            raise UserError(self.env._("Unsupported search on Loaner Late."))
        domain = [
            ("date_loaner_due", "<", self._today()),
            ("loaner_provided", "=", False),
            ("state", "not in", ("done", "rejected", "cancel")),
        ]
        if (operator == "=") == value:
            return domain
        return ["!", "&", "&", *domain]

    # Closing with a loan out ----------------------------------------------------------------

    def _aftersales_loans_out(self):
        return self.loaner_ids.filtered(lambda loan: loan.state == "lent")

    def _aftersales_check_loans_back(self, method):
        """Closing a claim while a loaner is still with the customer: refused with the list
        of loans unless the user confirmed (the unit must still come back)."""
        loans = self._aftersales_loans_out()
        if not loans or self.env.context.get(CONFIRM_KEY):
            return None
        if self.env.context.get(ASK_KEY):
            return self.env["aftersales.loaner.confirm"]._action_ask(self, method, loans)
        raise UserError(
            self.env._(
                "Loans still out: %(loans)s. Take the loaners back first, or confirm closing "
                "with them out.",
                loans=", ".join(
                    f"{loan.name} ({loan.lot_id.name}, {loan.partner_id.display_name})"
                    for loan in loans
                ),
            )
        )

    def action_done(self):
        ask = self._aftersales_check_loans_back("action_done")
        if ask:
            return ask
        return super().action_done()

    def action_cancel(self):
        ask = self._aftersales_check_loans_back("action_cancel")
        if ask:
            return ask
        return super().action_cancel()

    # Buttons ---------------------------------------------------------------------------------

    def _aftersales_default_loan_due(self):
        """Expected end of the repair: the open service order's scheduled date, else the
        claim's resolution due date."""
        self.ensure_one()
        orders = self.repair_ids.filtered(lambda r: r.state not in ("done", "cancel"))
        dates = [d.date() for d in orders.mapped("schedule_date") if d]
        today = fields.Date.context_today(self)
        due = max(dates) if dates else self.date_resolution_due
        return due if due and due >= today else self.date_resolution_due or today

    def action_open_lend(self):
        self.ensure_one()
        if self.state in ("done", "rejected", "cancel"):
            raise UserError(self.env._("A closed claim gets no loaner."))
        repair = self.repair_ids.filtered(lambda r: r.state not in ("done", "cancel"))[:1]
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Lend a Loaner"),
            "res_model": "aftersales.loaner.lend",
            "view_mode": "form",
            "target": "new",
            "context": {
                "default_claim_id": self.id,
                "default_repair_id": repair.id,
                "default_partner_id": self.partner_id.id,
                "default_date_due": self._aftersales_default_loan_due(),
            },
        }

    def action_view_loaners(self):
        self.ensure_one()
        return self._action_view("aftersales.loaner", self.loaner_ids, self.env._("Loans"))

    def action_new_expertise(self):
        """Open a draft expertise on a claim in diagnosis (the cause is disputed)."""
        self.ensure_one()
        if not self.can_request_expertise:
            raise UserError(
                self.env._(
                    "Claim %(claim)s cannot get an expertise now: it must be in diagnosis "
                    "with no expertise under way.",
                    claim=self.name,
                )
            )
        expertise = self.env["aftersales.expertise"].create(
            {"claim_id": self.id, "company_id": self.company_id.id}
        )
        return {
            "type": "ir.actions.act_window",
            "res_model": "aftersales.expertise",
            "views": [[False, "form"]],
            "res_id": expertise.id,
        }

    def action_view_expertises(self):
        self.ensure_one()
        return self._action_view(
            "aftersales.expertise", self.expertise_ids, self.env._("Expertises")
        )
