# Copyright 2026 aftersales_service authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import Command, api, fields, models
from odoo.exceptions import AccessError, UserError

from .repair_order_guard import _ACTION_KEY, _ACTION_TOKEN

DEALER_FIELDS = frozenset({"aftersales_dealer_bill_id"})


class RepairOrderDealer(models.Model):
    """A dealer's warranty work recorded on our service order and reimbursed to the dealer
    by a vendor bill at its agreement's rates (the order's warranty cost is that bill)."""

    _inherit = "repair.order"  # pylint: disable=consider-merging-classes-inherited

    aftersales_dealer_id = fields.Many2one(
        related="aftersales_claim_id.dealer_id", string="Dealer", store=True, index="btree_not_null"
    )
    aftersales_dealer_bill_id = fields.Many2one(
        "account.move",
        string="Dealer Bill",
        copy=False,
        readonly=True,
        index="btree_not_null",
        check_company=True,
        help="Vendor bill reimbursing the dealer's warranty work on this order.",
    )
    aftersales_can_bill_dealer = fields.Boolean(compute="_compute_aftersales_can_bill_dealer")

    @api.depends(
        "state",
        "aftersales_dealer_id",
        "aftersales_dealer_bill_id.state",
        "aftersales_warranty_move_id",
    )
    def _compute_aftersales_can_bill_dealer(self):
        for order in self:
            order.aftersales_can_bill_dealer = (
                order.state == "done"
                and bool(order.aftersales_dealer_id)
                and not order.aftersales_warranty_move_id
                and not order._aftersales_dealer_billed()
            )

    def _aftersales_dealer_billed(self):
        self.ensure_one()
        return bool(self.aftersales_dealer_bill_id) and self.aftersales_dealer_bill_id.state != (
            "cancel"
        )

    # ------------------------------------------------------------------------------------
    # The warranty cost of a dealer's order is what we pay the dealer
    # ------------------------------------------------------------------------------------

    @api.depends(
        "state",
        "move_ids.state",
        "move_ids.quantity",
        "move_ids.product_uom_qty",
        "move_ids.aftersales_coverage",
        "move_ids.stock_valuation_layer_ids",
        "aftersales_labor_ids.hours",
        "aftersales_labor_ids.cost_amount",
        "aftersales_labor_ids.billable_amount",
        "aftersales_labor_ids.warranty_amount",
        "aftersales_cost_logistics",
        "aftersales_logistics_coverage",
        "aftersales_dealer_bill_id.state",
        "aftersales_dealer_bill_id.amount_untaxed_signed",
    )
    def _compute_aftersales_costs(self):
        """Once the dealer's bill exists (and is not cancelled), the order's warranty share is
        that bill's untaxed amount: the company's cost of the repair is what it reimburses
        the dealer, not our own cost of the parts and hours."""
        result = super()._compute_aftersales_costs()
        for order in self:
            if order._aftersales_dealer_billed():
                order.aftersales_amount_warranty = order.company_id.currency_id.round(
                    abs(order.aftersales_dealer_bill_id.amount_untaxed_signed)
                )
        return result

    # ------------------------------------------------------------------------------------
    # One booking of the warranty share: the dealer bill or our warranty entry, never both
    # ------------------------------------------------------------------------------------

    def _prepare_aftersales_warranty_move_vals(self):
        """No warranty entry for a dealer's order: its warranty share is booked by the
        dealer bill (debit: warranty expense), whenever that bill is made. Our entry
        reclassifies our own cost of the repair into warranty expense (credit: the parts'
        consumption account, the covered labor absorption account); the dealer did the
        work, so booking both would count the same warranty remedy twice (EU Directive
        2019/771 art. 13-14, RF Consumer Protection Law art. 18: one remedy, one cost).
        *Invoice Service* on such an order bills only the customer's share, if any."""
        # A bill already made counts even if the claim's dealer was changed since.
        if self.aftersales_dealer_id or self._aftersales_dealer_billed():
            return None
        return super()._prepare_aftersales_warranty_move_vals()

    # ------------------------------------------------------------------------------------
    # Guards
    # ------------------------------------------------------------------------------------

    def _aftersales_guard(self, vals):
        if self.env.context.get(_ACTION_KEY) is not _ACTION_TOKEN and DEALER_FIELDS.intersection(
            vals
        ):
            raise AccessError(
                self.env._(
                    "The dealer bill of a service order is set by its Bill Dealer action, not "
                    "written directly."
                )
            )
        return super()._aftersales_guard(vals)

    def _aftersales_check_can_bill_dealer(self):
        if not (
            self.env.su
            or self.env.user.has_group("aftersales_service.group_aftersales_manager")
            or self.env.user.has_group("account.group_account_invoice")
        ):
            raise AccessError(
                self.env._("Only an after-sales manager or an accountant bills a dealer.")
            )
        for order in self:
            if order.state != "done":
                raise UserError(
                    self.env._(
                        "Order %(order)s is not done: the dealer is billed for finished work.",
                        order=order.name,
                    )
                )
            if not order.aftersales_dealer_id:
                raise UserError(
                    self.env._(
                        "Order %(order)s does not come from a dealer's claim.", order=order.name
                    )
                )
            if order.aftersales_warranty_move_id:
                raise UserError(
                    self.env._(
                        "The warranty share of order %(order)s is already booked by entry "
                        "%(entry)s: billing the dealer too would book it twice. Reverse that "
                        "entry with your accountant first.",
                        order=order.name,
                        entry=order.aftersales_warranty_move_id.display_name,
                    )
                )
            if order._aftersales_dealer_billed():
                raise UserError(
                    self.env._(
                        "Order %(order)s is already billed by dealer %(dealer)s (%(bill)s).",
                        order=order.name,
                        dealer=order.aftersales_dealer_id.display_name,
                        bill=order.aftersales_dealer_bill_id.display_name,
                    )
                )

    def _aftersales_dealer_agreement(self):
        """The dealer agreement in force on the day the claim was received."""
        self.ensure_one()
        claim = self.aftersales_claim_id
        on_date = fields.Date.to_date(claim.date_received) if claim.date_received else None
        agreement = self.env["aftersales.agreement"]._aftersales_find_agreement(
            self.aftersales_dealer_id,
            self.product_id,
            "dealer",
            on_date or fields.Date.context_today(self),
            company=self.company_id,
        )
        if not agreement:
            raise UserError(
                self.env._(
                    "No active dealer agreement with %(dealer)s covers %(product)s on "
                    "%(date)s: record the agreement first.",
                    dealer=self.aftersales_dealer_id.display_name,
                    product=self.product_id.display_name,
                    date=on_date or fields.Date.context_today(self),
                )
            )
        return agreement

    def _prepare_aftersales_dealer_bill_vals(self, agreement):
        """Draft vendor bill reimbursing the dealer's work, at the agreement's rates.

        One labor line: the hours recorded on the order × the agreement's labor rate. One
        line per consumed part: its stock valuation (``stock.move._aftersales_cost``, the
        same figure as the order's parts cost) × (1 + markup / 100). Every line goes to the
        company's warranty expense account: the dealer performed the seller's warranty
        remedy for us (EU Directive 2019/771 art. 13-14, RF Consumer Protection Law art. 18
        "Zakon o zashchite prav potrebiteley": the seller bears the repair), so its
        reimbursement is warranty cost, not a purchase of goods. No taxes are guessed: the
        accountant checks the bill against the dealer's invoice before posting."""
        self.ensure_one()
        company = self.company_id
        currency = company.currency_id
        expense = company._aftersales_get_warranty_expense_account()
        markup = 1.0 + (agreement.parts_markup or 0.0) / 100.0
        lines = []
        hours = self.aftersales_labor_hours
        if hours > 0:
            lines.append(
                {
                    "name": self.env._(
                        "%(order)s - dealer labor: %(hours)s h at %(rate)s",
                        order=self.name,
                        hours=hours,
                        rate=agreement.labor_rate,
                    ),
                    "quantity": hours,
                    "price_unit": agreement.labor_rate,
                    "account_id": expense.id,
                    "tax_ids": [Command.clear()],
                }
            )
        for move in self.move_ids._aftersales_part_moves().filtered(lambda m: m.state == "done"):
            if not move.quantity:
                continue
            amount = currency.round(move._aftersales_cost() * markup)
            lines.append(
                {
                    "name": self.env._(
                        "%(order)s - dealer part: %(part)s",
                        order=self.name,
                        part=move.product_id.display_name,
                    ),
                    "product_id": move.product_id.id,
                    "quantity": move.quantity,
                    "product_uom_id": move.product_uom.id,
                    "price_unit": amount / move.quantity,
                    "account_id": expense.id,
                    "tax_ids": [Command.clear()],
                }
            )
        if not lines:
            raise UserError(
                self.env._(
                    "Order %(order)s records no labor and no parts: nothing to reimburse.",
                    order=self.name,
                )
            )
        for vals in lines:
            if self.analytic_distribution:
                vals["analytic_distribution"] = self.analytic_distribution
        return {
            "move_type": "in_invoice",
            "partner_id": self.aftersales_dealer_id.id,
            "company_id": company.id,
            "currency_id": currency.id,
            "invoice_origin": self.name,
            "ref": self.aftersales_claim_id.name,
            "invoice_line_ids": [Command.create(vals) for vals in lines],
        }

    def action_aftersales_bill_dealer(self):
        """Draft vendor bill to the dealer for its warranty work on each done order, once:
        repeated ids count once, the rows are locked and re-checked, so a second call (or a
        second worker) finds the order billed and is refused."""
        orders = self._aftersales_lock()
        orders.invalidate_recordset(["aftersales_dealer_bill_id", "aftersales_warranty_move_id"])
        orders._aftersales_check_can_bill_dealer()
        bills = self.env["account.move"]
        for order in orders:
            order = order.with_company(order.company_id)
            agreement = order._aftersales_dealer_agreement()
            bill = (
                self.env["account.move"]
                .with_company(order.company_id)
                .with_context(default_move_type="in_invoice")
                .create(order._prepare_aftersales_dealer_bill_vals(agreement))
            )
            order._aftersales_action_env().write({"aftersales_dealer_bill_id": bill.id})
            order.message_post(
                body=self.env._(
                    "Dealer bill %(bill)s made under agreement %(agreement)s.",
                    bill=bill.display_name,
                    agreement=agreement.display_name,
                )
            )
            bills |= bill
        if len(bills) == 1:
            return orders._aftersales_open_record(bills)
        return True

    def action_aftersales_view_dealer_bill(self):
        self.ensure_one()
        return self._aftersales_open_record(self.aftersales_dealer_bill_id)
