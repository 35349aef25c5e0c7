from odoo import Command, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import float_compare

from ..rules import shares
from .aftersales_claim_loaner import ASK_KEY, CONFIRM_KEY


class RepairOrderLoaner(models.Model):
    """Loaners lent during a service order, and the logistics cost of its transports.

    Each transport of the unit (intake, return, loaner hand-over and return) may carry a
    cost on its transfer (``stock.picking.aftersales_logistics_cost``: a carrier's price or
    the company's flat rate). Their sum is the order's logistics cost, which the logistics
    coverage splits between the customer and the warranty (``rules.shares``).
    """

    _inherit = "repair.order"  # pylint: disable=consider-merging-classes-inherited

    aftersales_loaner_ids = fields.One2many("aftersales.loaner", "repair_id", string="Loans")
    aftersales_loaner_count = fields.Integer(
        string="Loan Count", compute="_compute_aftersales_loaner_count"
    )
    aftersales_transport_picking_ids = fields.One2many(
        "stock.picking", "aftersales_repair_id", string="After-Sales Transfers"
    )
    # The host field (repair_order_billing.py) becomes the sum of the transports' costs
    # whenever one of them carries a cost; otherwise it keeps what was entered by hand.
    aftersales_cost_logistics = fields.Monetary(
        compute="_compute_aftersales_cost_logistics", store=True, readonly=False
    )

    @api.depends("aftersales_loaner_ids")
    def _compute_aftersales_loaner_count(self):
        for order in self:
            order.aftersales_loaner_count = len(order.aftersales_loaner_ids)

    @api.depends(
        "aftersales_transport_picking_ids.aftersales_logistics_cost",
        "aftersales_transport_picking_ids.state",
    )
    def _compute_aftersales_cost_logistics(self):
        for order in self:
            # The cost first: a transport without one is skipped without computing its
            # state (which reads its moves), the usual case without a flat rate.
            pickings = order.aftersales_transport_picking_ids.filtered(
                lambda p: p.aftersales_logistics_cost and p.state != "cancel"
            )
            if pickings:
                order.aftersales_cost_logistics = sum(pickings.mapped("aftersales_logistics_cost"))
            else:
                order.aftersales_cost_logistics = order.aftersales_cost_logistics or 0.0

    def _compute_aftersales_costs(self):
        """The customer's share includes the logistics the warranty does not cover (at
        cost: a transport has no sale price); the warranty share already has the covered
        part (``rules.shares.order_split``)."""
        res = super()._compute_aftersales_costs()
        for order in self:
            cost = order.aftersales_cost_logistics or 0.0
            if not cost:
                continue
            uncovered = cost - shares.warranty_share(cost, order.aftersales_logistics_coverage)
            order.aftersales_amount_billable = order.company_id.currency_id.round(
                order.aftersales_amount_billable + uncovered
            )
        return res

    # Finishing with a loan out ---------------------------------------------------------------

    def action_repair_end(self):
        loans = self.aftersales_loaner_ids.filtered(lambda loan: loan.state == "lent")
        if loans and not self.env.context.get(CONFIRM_KEY):
            if self.env.context.get(ASK_KEY):
                return self.env["aftersales.loaner.confirm"]._action_ask(
                    self, "action_repair_end", loans
                )
            raise UserError(
                self.env._(
                    "Loans still out: %(loans)s. Take the loaners back first, or confirm "
                    "finishing the order with them out.",
                    loans=", ".join(
                        f"{loan.name} ({loan.lot_id.name}, {loan.partner_id.display_name})"
                        for loan in loans
                    ),
                )
            )
        return super().action_repair_end()

    # Buttons ---------------------------------------------------------------------------------

    def action_aftersales_open_lend(self):
        self.ensure_one()
        if self.state in ("done", "cancel"):
            raise UserError(self.env._("A finished or cancelled order gets no loaner."))
        today = fields.Date.context_today(self)
        due = self.schedule_date and fields.Date.context_today(self, self.schedule_date)
        if not due or due < today:
            due = self.aftersales_claim_id.date_resolution_due or today
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Lend a Loaner"),
            "res_model": "aftersales.loaner.lend",
            "view_mode": "form",
            "target": "new",
            "context": {
                "default_repair_id": self.id,
                "default_claim_id": self.aftersales_claim_id.id,
                "default_partner_id": self.partner_id.id,
                "default_date_due": due,
            },
        }

    def action_aftersales_view_loaners(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "aftersales_service.aftersales_loaner_action"
        )
        action["domain"] = [("repair_id", "=", self.id)]
        action["context"] = {"default_repair_id": self.id}
        return action

    # Invoice: the customer's share of the logistics ---------------------------------------

    def _prepare_aftersales_invoice_vals(self):
        """Add the uncovered logistics to the customer invoice: the logistics product at
        cost, the coverage as the discount (the share the warranty bears)."""
        vals = super()._prepare_aftersales_invoice_vals()
        currency = self.company_id.currency_id
        cost = self.aftersales_cost_logistics
        coverage = self.aftersales_logistics_coverage
        if currency.is_zero(cost or 0.0) or float_compare(coverage, 100.0, precision_digits=2) >= 0:
            return vals
        product = self.env.ref(
            "aftersales_service.product_aftersales_logistics", raise_if_not_found=False
        )
        if not product:
            return vals
        pricing = self.aftersales_pricing_currency_id or currency
        price = currency._convert(cost, pricing, self.company_id, fields.Date.context_today(self))
        line = self._prepare_aftersales_invoice_line_vals(
            product, 1.0, product.uom_id, price, coverage, name=self.env._("Logistics")
        )
        if vals is None:
            if self._aftersales_billable_is_zero():
                return None
            vals = {
                "move_type": "out_invoice",
                "partner_id": (self.aftersales_partner_invoice_id or self.partner_id).id,
                "company_id": self.company_id.id,
                "invoice_origin": self.name,
                "ref": self.name,
                "currency_id": pricing.id,
                "invoice_line_ids": [],
            }
        vals["invoice_line_ids"] = [*vals["invoice_line_ids"], Command.create(line)]
        return vals
