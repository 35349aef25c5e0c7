# Copyright 2026 aftersales_service authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import logging

from dateutil.relativedelta import relativedelta

from odoo import Command, api, fields, models
from odoo.exceptions import UserError, ValidationError

_logger = logging.getLogger(__name__)

INTERVAL_UNITS = [("days", "Days"), ("months", "Months")]
# A plan overdue for years opens one visit, not one per missed period (see the job).
MAX_CATCH_UP = 1000


class AftersalesServicePlan(models.Model):
    """Preventive maintenance of one serial: a visit every ``interval`` days or months.

    The daily job opens the service order of each plan that falls due (one per plan and due
    date, guaranteed by a unique index on the orders) and moves ``date_next`` on; a plan
    with a fixed fee bills it per period by a draft customer invoice."""

    _name = "aftersales.service.plan"
    _description = "Service Plan"
    _inherit = ["mail.thread", "mail.activity.mixin"]  # noqa: RUF012
    _order = "date_next, id"
    _check_company_auto = True

    name = fields.Char(
        string="Reference", required=True, copy=False, readonly=True, default="New", index=True
    )
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    currency_id = fields.Many2one(related="company_id.currency_id", string="Currency")
    active = fields.Boolean(default=True, tracking=True)
    lot_id = fields.Many2one(
        "stock.lot",
        string="Serial Number",
        required=True,
        index=True,
        check_company=True,
        tracking=True,
    )
    unit_product_id = fields.Many2one(
        related="lot_id.product_id", string="Unit", store=True, index=True
    )
    partner_id = fields.Many2one(
        "res.partner", string="Customer", required=True, index=True, tracking=True
    )
    user_id = fields.Many2one(
        "res.users",
        string="Technician",
        domain="[('share', '=', False)]",
        tracking=True,
        help="Assigned to the orders the plan opens.",
    )
    product_id = fields.Many2one(
        "product.product",
        string="Service",
        required=True,
        check_company=True,
        domain="[('type', '=', 'service')]",
        help="The maintenance service: the labor line of each visit, and the product of the "
        "fee invoice.",
    )
    hours = fields.Float(string="Planned Hours", default=1.0, help="Labor of one visit.")
    interval = fields.Integer(required=True, default=12, tracking=True)
    interval_unit = fields.Selection(INTERVAL_UNITS, required=True, default="months", tracking=True)
    date_start = fields.Date(required=True, default=fields.Date.context_today)
    date_end = fields.Date(help="End of the contract: no visit falls due after it.")
    date_next = fields.Date(
        string="Next Visit",
        required=True,
        index=True,
        tracking=True,
        default=fields.Date.context_today,
    )
    fee = fields.Monetary(
        string="Fee per Period",
        currency_field="currency_id",
        help="Fixed fee billed (draft customer invoice) when each visit falls due. Zero: "
        "the visits are billed as ordinary service orders.",
    )
    repair_ids = fields.One2many("repair.order", "aftersales_plan_id", string="Visits")
    repair_count = fields.Integer(compute="_compute_repair_count", string="Visits Count")
    note = fields.Html()

    _sql_constraints = [  # noqa: RUF012
        ("interval_positive", "CHECK(interval > 0)", "The interval must be at least 1."),
        ("fee_positive", "CHECK(fee IS NULL OR fee >= 0)", "The fee cannot be negative."),
        ("hours_positive", "CHECK(hours IS NULL OR hours >= 0)", "Hours cannot be negative."),
        (
            "dates_ordered",
            "CHECK(date_end IS NULL OR date_end >= date_start)",
            "A plan cannot end before it starts.",
        ),
    ]

    @api.depends("repair_ids")
    def _compute_repair_count(self):
        counts = {
            plan.id: count
            for plan, count in self.env["repair.order"]._read_group(
                [("aftersales_plan_id", "in", self.ids)], ["aftersales_plan_id"], ["__count"]
            )
        }
        for plan in self:
            plan.repair_count = counts.get(plan.id, 0)

    @api.constrains("lot_id", "product_id")
    def _check_products(self):
        for plan in self:
            if plan.product_id.type != "service":
                raise ValidationError(
                    self.env._(
                        "The service of plan %(plan)s must be a service product.", plan=plan.name
                    )
                )

    @api.constrains("interval", "interval_unit")
    def _check_interval(self):
        for plan in self:
            top = 3650 if plan.interval_unit == "days" else 120
            if plan.interval > top:
                raise ValidationError(
                    self.env._(
                        "The interval of plan %(plan)s is too long (at most %(top)s).",
                        plan=plan.name,
                        top=top,
                    )
                )

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("name", "New") == "New":
                vals["name"] = self.env["ir.sequence"].next_by_code(
                    "aftersales.service.plan"
                ) or self.env._("New")
        return super().create(vals_list)

    # ------------------------------------------------------------------------------------
    # Schedule
    # ------------------------------------------------------------------------------------

    def _aftersales_step(self):
        self.ensure_one()
        return relativedelta(**{self.interval_unit: self.interval})

    def _aftersales_next_after(self, date, today):
        """The first due date after ``today`` following ``date``."""
        self.ensure_one()
        step = self._aftersales_step()
        for _i in range(MAX_CATCH_UP):
            date = date + step
            if date > today:
                break
        return date

    def _prepare_aftersales_plan_repair_vals(self, due):
        """Service order of the visit due on ``due``: the unit and customer of the plan,
        its technician, the service as the planned labor."""
        self.ensure_one()
        return {
            "product_id": self.lot_id.product_id.id,
            "lot_id": self.lot_id.id,
            "partner_id": self.partner_id.id,
            "company_id": self.company_id.id,
            "user_id": self.user_id.id,
            "schedule_date": fields.Datetime.to_datetime(due),
            "aftersales_plan_id": self.id,
            "aftersales_plan_date": due,
            "internal_notes": self.env._("Preventive maintenance of plan %s", self.name),
            "aftersales_labor_ids": [
                Command.create(
                    {
                        "product_id": self.product_id.id,
                        "hours": self.hours,
                        "user_id": self.user_id.id,
                        "date": due,
                    }
                )
            ],
        }

    def _prepare_aftersales_plan_invoice_vals(self, due):
        """Draft customer invoice of the fixed fee of the period starting on ``due``."""
        self.ensure_one()
        period_end = due + self._aftersales_step() - relativedelta(days=1)
        return {
            "move_type": "out_invoice",
            "partner_id": self.partner_id.id,
            "company_id": self.company_id.id,
            "invoice_origin": self.name,
            "ref": self.name,
            "invoice_line_ids": [
                Command.create(
                    {
                        "product_id": self.product_id.id,
                        "name": self.env._(
                            "%(service)s - %(serial)s, period %(start)s to %(end)s",
                            service=self.product_id.display_name,
                            serial=self.lot_id.name,
                            start=due,
                            end=period_end,
                        ),
                        "quantity": 1.0,
                        "price_unit": self.fee,
                    }
                )
            ],
        }

    def action_aftersales_open_due(self):
        """Open the due visits of these plans now (what the daily job does)."""
        if not self.env.user.has_group("aftersales_service.group_aftersales_manager"):
            raise UserError(self.env._("Only an after-sales manager opens plan visits by hand."))
        return self._aftersales_open_due(fields.Date.context_today(self))

    @api.model
    def _cron_aftersales_service_plans(self):
        plans = self.search(
            [("date_next", "<=", fields.Date.context_today(self))], order="date_next, id"
        )
        return plans._aftersales_open_due(fields.Date.context_today(self))

    def _aftersales_open_due(self, today):
        """Open one service order per plan due on or before ``today`` and move its
        ``date_next`` past today (a plan overdue for several periods opens one visit).

        Orders already opened for the same plan and due date (a second run, a manual run)
        are not opened again: the existing ones are read in one query first, and the unique
        index on (plan, due date) refuses a concurrent duplicate."""
        plans = self.browse(list(dict.fromkeys(self.ids))).filtered(
            lambda p: (
                p.active and p.date_next <= today and (not p.date_end or p.date_next <= p.date_end)
            )
        )
        if not plans:
            return self.env["repair.order"]
        existing = {
            (plan.id, fields.Date.to_date(date))
            for plan, date in self.env["repair.order"]
            .with_context(active_test=False)
            ._read_group(
                [("aftersales_plan_id", "in", plans.ids)],
                ["aftersales_plan_id", "aftersales_plan_date:day"],
            )
        }
        Repair = self.env["repair.order"]._aftersales_action_env()
        orders = self.env["repair.order"]
        for plan in plans:
            plan = plan.with_company(plan.company_id)
            due = plan.date_next
            if (plan.id, due) not in existing:
                order = Repair.with_company(plan.company_id).create(
                    plan._prepare_aftersales_plan_repair_vals(due)
                )
                if plan.fee:
                    invoice = (
                        self.env["account.move"]
                        .with_company(plan.company_id)
                        .with_context(default_move_type="out_invoice")
                        .create(plan._prepare_aftersales_plan_invoice_vals(due))
                    )
                    order._aftersales_action_env().write({"aftersales_plan_invoice_id": invoice.id})
                orders |= order
            plan.date_next = plan._aftersales_next_after(due, today)
        _logger.info("Service plans: %s visits opened", len(orders))
        return orders

    def action_view_repairs(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("repair.action_repair_order_tree")
        action["domain"] = [("aftersales_plan_id", "=", self.id)]
        action["context"] = {"create": False}
        return action
