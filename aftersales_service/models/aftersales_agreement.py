# Copyright 2026 aftersales_service authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

KINDS = [
    ("dealer", "Dealer"),
    ("service_partner", "Service Partner"),
    ("supplier", "Supplier"),
]
STATES = [("draft", "Draft"), ("active", "Active"), ("expired", "Expired")]
# Days before the end of an agreement its responsible gets the renewal activity.
REMINDER_DAYS = 30
# Written only by the agreement's actions and its daily job (aftersales.workflow.mixin).
WORKFLOW_FIELDS = frozenset({"state", "reminder_done"})


class AftersalesAgreement(models.Model):
    """Terms agreed with a dealer, a service partner or a supplier: the products it covers,
    the labor rate and parts markup paid or claimed, the answer time, its validity.

    Dealers repair units under our warranty and are reimbursed at these rates
    (``repair.order.action_aftersales_bill_dealer``); supplier agreements give the labor
    rate and answer days of the claims we make up the chain (EU Directive 2019/771 art. 18,
    RF Civil Code art. 475)."""

    _name = "aftersales.agreement"
    _description = "After-Sales Agreement"
    _inherit = ["mail.thread", "mail.activity.mixin", "aftersales.workflow.mixin"]  # noqa: RUF012
    _order = "date_start desc, id desc"
    _check_company_auto = True
    _aftersales_workflow_fields = WORKFLOW_FIELDS
    # Not even empty values at creation; the lock without a savepoint, re-reading the
    # workflow fields only.
    _aftersales_workflow_create_empty = False
    _aftersales_lock_savepoint = False
    _aftersales_lock_reread = ("state", "reminder_done")

    name = fields.Char(
        string="Reference", required=True, copy=False, readonly=True, default="New", index=True
    )
    title = fields.Char(tracking=True, help="What the agreement is about, in a few words.")
    partner_id = fields.Many2one("res.partner", required=True, index=True, tracking=True)
    kind = fields.Selection(KINDS, required=True, default="dealer", index=True, tracking=True)
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    currency_id = fields.Many2one(related="company_id.currency_id", string="Currency")
    user_id = fields.Many2one(
        "res.users",
        string="Responsible",
        default=lambda self: self.env.user,
        tracking=True,
        help="Gets the renewal activity before the agreement ends.",
    )
    date_start = fields.Date(
        string="Valid From", required=True, default=fields.Date.context_today, tracking=True
    )
    date_end = fields.Date(string="Valid Until", tracking=True, help="Empty: open-ended.")
    state = fields.Selection(
        STATES, default="draft", required=True, readonly=True, index=True, tracking=True
    )
    product_tmpl_ids = fields.Many2many(
        "product.template",
        string="Products",
        check_company=True,
        help="Products covered. None here and no category: every product.",
    )
    categ_ids = fields.Many2many(
        "product.category",
        string="Product Categories",
        help="Categories covered (with their subcategories).",
    )
    labor_rate = fields.Monetary(
        currency_field="currency_id",
        tracking=True,
        help="Per hour of labor, in the company currency.",
    )
    parts_markup = fields.Float(
        string="Parts Markup (%)", digits=(5, 2), tracking=True, help="Added to the parts' cost."
    )
    response_days = fields.Integer(
        tracking=True, help="Days the partner has to answer a claim or to start a repair."
    )
    warranty_months = fields.Integer(
        string="Supplier Warranty (months)",
        help="Warranty the supplier gives us on what it supplies (supplier agreements).",
    )
    terms = fields.Html(help="The agreed terms in full.")
    reminder_done = fields.Boolean(copy=False, readonly=True)
    active = fields.Boolean(default=True)

    _sql_constraints = [  # noqa: RUF012
        (
            "dates_ordered",
            "CHECK(date_end IS NULL OR date_end >= date_start)",
            "An agreement cannot end before it starts.",
        ),
        ("labor_rate_positive", "CHECK(labor_rate >= 0)", "The labor rate cannot be negative."),
        (
            "parts_markup_bounds",
            "CHECK(parts_markup >= 0 AND parts_markup <= 1000)",
            "The parts markup must be between 0 and 1000 %.",
        ),
        (
            "response_days_positive",
            "CHECK(response_days >= 0)",
            "The response days cannot be negative.",
        ),
        (
            "warranty_months_positive",
            "CHECK(warranty_months >= 0)",
            "The supplier warranty cannot be negative.",
        ),
    ]

    # ------------------------------------------------------------------------------------
    # CRUD and guards
    # ------------------------------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("name", "New") == "New":
                vals["name"] = self.env["ir.sequence"].next_by_code(
                    "aftersales.agreement"
                ) or self.env._("New")
        return super().create(vals_list)

    def _raise_workflow_fields(self, fnames):
        raise UserError(
            self.env._(
                "The state of an agreement changes through its buttons (activate, "
                "expire, reset) and its daily job, not by writing it."
            )
        )

    @api.ondelete(at_uninstall=False)
    def _unlink_except_used(self):
        if any(agreement.state != "draft" for agreement in self):
            raise UserError(self.env._("Only draft agreements can be deleted: archive the others."))

    # ------------------------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------------------------

    def _aftersales_lock_message(self, names):
        return self.env._(
            "Agreement %(names)s is being changed by another user: try again.", names=names
        )

    def _aftersales_check_state(self, states, action):
        wrong = self.filtered(lambda a: a.state not in states)
        if wrong:
            raise UserError(
                self.env._(
                    "Agreement %(names)s cannot be %(action)s in its current state.",
                    names=", ".join(wrong.mapped("name")),
                    action=action,
                )
            )

    def action_activate(self):
        """Draft -> active; an agreement already past its end date cannot start."""
        agreements = self._aftersales_lock()
        agreements._aftersales_check_state(("draft",), self.env._("activated"))
        today = fields.Date.context_today(self)
        ended = agreements.filtered(lambda a: a.date_end and a.date_end < today)
        if ended:
            raise UserError(
                self.env._(
                    "Agreement %(names)s ended already: set a later end date first.",
                    names=", ".join(ended.mapped("name")),
                )
            )
        agreements._aftersales_workflow_write({"state": "active"})
        return True

    def action_expire(self):
        agreements = self._aftersales_lock()
        agreements._aftersales_check_state(("active",), self.env._("expired"))
        agreements._aftersales_workflow_write({"state": "expired"})
        return True

    def action_reset_draft(self):
        agreements = self._aftersales_lock()
        agreements._aftersales_check_state(("active", "expired"), self.env._("reset to draft"))
        agreements._aftersales_workflow_write({"state": "draft", "reminder_done": False})
        return True

    @api.model
    def _cron_aftersales_agreement_expiry(self):
        """Daily: active agreements past their end date expire; those ending within
        ``REMINDER_DAYS`` give their responsible a renewal activity, once."""
        today = fields.Date.context_today(self)
        ended = self.search([("state", "=", "active"), ("date_end", "<", today)])
        ended._aftersales_workflow_write({"state": "expired"})
        ending = self.search(
            [
                ("state", "=", "active"),
                ("reminder_done", "=", False),
                ("date_end", "!=", False),
                ("date_end", "<=", today + timedelta(days=REMINDER_DAYS)),
            ]
        )
        for agreement in ending:
            agreement.activity_schedule(
                "mail.mail_activity_data_todo",
                date_deadline=max(today, agreement.date_end - timedelta(days=REMINDER_DAYS)),
                summary=self.env._("Agreement ends on %s: renew it?", agreement.date_end),
                user_id=(agreement.user_id or self.env.user).id,
            )
        ending._aftersales_workflow_write({"reminder_done": True})
        return len(ended), len(ending)

    # ------------------------------------------------------------------------------------
    # Lookup
    # ------------------------------------------------------------------------------------

    @api.model
    def _aftersales_find_agreement(self, partner, product, kind, date=None, company=None):
        """The agreement of ``kind`` with ``partner`` (or its commercial entity) in force on
        ``date`` (today by default) covering ``product``: the one naming the product first,
        then one naming its category (or a parent category), then a general one (no
        products, no categories); the latest start wins a tie. Empty when none."""
        if kind not in dict(KINDS):
            raise ValidationError(self.env._("Unknown agreement kind %s.", kind))
        if not partner:
            return self.browse()
        date = fields.Date.to_date(date) or fields.Date.context_today(self)
        company = company or (product and product.company_id) or self.env.company
        partners = partner | partner.commercial_partner_id
        candidates = self.search(
            [
                ("partner_id", "in", partners.ids),
                ("kind", "=", kind),
                ("state", "in", ("active", "expired")),
                ("company_id", "=", company.id),
                ("date_start", "<=", date),
                "|",
                ("date_end", "=", False),
                ("date_end", ">=", date),
            ]
        )
        template = product.product_tmpl_id if product else self.env["product.template"]
        category_ids = set()
        if product and product.categ_id.parent_path:
            category_ids = {int(c) for c in product.categ_id.parent_path.split("/") if c}
        by_product = candidates.filtered(lambda a: template and template in a.product_tmpl_ids)
        by_category = candidates.filtered(lambda a: category_ids & set(a.categ_ids.ids))
        general = candidates.filtered(lambda a: not a.product_tmpl_ids and not a.categ_ids)
        return (by_product or by_category or general)[:1]
