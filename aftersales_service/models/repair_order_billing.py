from collections import defaultdict

from odoo import Command, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import float_compare, float_is_zero

from ..rules import shares


class RepairOrderBilling(models.Model):
    """Costs and shares of a service order, the customer invoice of the billable share and
    the journal entry booking the warranty share at cost (see ``rules.shares`` for the
    split)."""

    _inherit = "repair.order"  # pylint: disable=consider-merging-classes-inherited

    # Labor
    aftersales_labor_ids = fields.One2many(
        "aftersales.labor.line", "repair_id", string="Labor", copy=True
    )
    aftersales_labor_hours = fields.Float(
        string="Labor Hours", compute="_compute_aftersales_costs", store=True
    )

    # Costs and shares (company currency)
    aftersales_currency_id = fields.Many2one(related="company_id.currency_id", string="Currency")
    aftersales_cost_parts = fields.Monetary(
        string="Parts Cost",
        currency_field="aftersales_currency_id",
        compute="_compute_aftersales_costs",
        store=True,
        help="Stock valuation of the consumed parts (estimated at product cost until done).",
    )
    aftersales_cost_labor = fields.Monetary(
        string="Labor Cost",
        currency_field="aftersales_currency_id",
        compute="_compute_aftersales_costs",
        store=True,
    )
    aftersales_cost_logistics = fields.Monetary(
        string="Logistics Cost",
        currency_field="aftersales_currency_id",
        copy=False,
        help="Transport of the unit (carrier, courier) for this order.",
    )
    aftersales_cost_total = fields.Monetary(
        string="Total Cost",
        currency_field="aftersales_currency_id",
        compute="_compute_aftersales_costs",
        store=True,
    )
    aftersales_amount_billable = fields.Monetary(
        string="Customer Share",
        currency_field="aftersales_currency_id",
        compute="_compute_aftersales_costs",
        store=True,
        help="What the customer pays, at sale prices, before taxes.",
    )
    aftersales_amount_warranty = fields.Monetary(
        string="Warranty Share",
        currency_field="aftersales_currency_id",
        compute="_compute_aftersales_costs",
        store=True,
        help="What the company bears under warranty, at cost.",
    )

    # Invoicing and warranty entry
    aftersales_invoice_id = fields.Many2one(
        "account.move",
        string="Customer Invoice",
        copy=False,
        readonly=True,
        index="btree_not_null",
        check_company=True,
    )
    aftersales_warranty_move_id = fields.Many2one(
        "account.move",
        string="Warranty Entry",
        copy=False,
        readonly=True,
        index="btree_not_null",
        check_company=True,
    )
    aftersales_invoiced = fields.Boolean(
        string="Settled",
        copy=False,
        readonly=True,
        tracking=True,
        help="The customer share was invoiced and the warranty share booked.",
    )

    # ------------------------------------------------------------------------------------
    # Costs and shares
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
    )
    def _compute_aftersales_costs(self):
        """Costs and the customer/warranty split (``rules.shares.order_split``): the customer
        pays the uncovered share at sale prices, the company bears the covered share at cost;
        each figure rounded in the company currency."""
        for order in self:
            currency = order.company_id.currency_id
            labor = order.aftersales_labor_ids
            split = shares.order_split(
                parts=[
                    (move._aftersales_price(), move._aftersales_cost(), move.aftersales_coverage)
                    for move in order.move_ids._aftersales_part_moves()
                ],
                labor=[
                    (line.cost_amount, line.billable_amount, line.warranty_amount) for line in labor
                ],
                logistics_cost=order.aftersales_cost_logistics,
                logistics_coverage=order.aftersales_logistics_coverage,
            )
            order.aftersales_labor_hours = sum(labor.mapped("hours"))
            order.aftersales_cost_parts = currency.round(split.cost_parts)
            order.aftersales_cost_labor = currency.round(split.cost_labor)
            order.aftersales_cost_total = currency.round(split.cost_total)
            order.aftersales_amount_billable = currency.round(split.billable)
            order.aftersales_amount_warranty = currency.round(split.warranty)

    # ------------------------------------------------------------------------------------
    # Invoicing and warranty entry
    # ------------------------------------------------------------------------------------

    def _aftersales_check_can_invoice(self):
        for order in self:
            if order.state != "done":
                raise UserError(
                    self.env._(
                        "Order %(order)s is not done: only finished orders are invoiced.",
                        order=order.name,
                    )
                )
            if order.aftersales_invoiced:
                raise UserError(
                    self.env._("Order %(order)s is already invoiced.", order=order.name)
                )
            if order.sale_order_id:
                raise UserError(
                    self.env._(
                        "Order %(order)s is billed through sale order %(so)s.",
                        order=order.name,
                        so=order.sale_order_id.name,
                    )
                )
            if not order.partner_id and not order._aftersales_billable_is_zero():
                raise UserError(
                    self.env._("Order %(order)s has no customer to invoice.", order=order.name)
                )

    def _aftersales_billable_is_zero(self):
        self.ensure_one()
        return self.company_id.currency_id.is_zero(self.aftersales_amount_billable)

    def _prepare_aftersales_invoice_line_vals(
        self, product, quantity, uom, price_unit, coverage, name=None, stock_move=None
    ):
        """One customer invoice line: sale price, coverage as the discount, product taxes.

        A part line is linked to the move that consumed the part: its cost of goods sold is
        that move's valuation (see ``account.move.line._stock_account_get_anglo_saxon_price_unit``
        in ``account_move_line_service.py``), as a sale's invoice line takes its deliveries'.
        """
        vals = {
            "product_id": product.id,
            "quantity": quantity,
            "product_uom_id": uom.id,
            "price_unit": price_unit,
            "discount": coverage,
        }
        if name:
            vals["name"] = name
        if stock_move:
            vals["aftersales_stock_move_id"] = stock_move.id
        if self.analytic_distribution:
            vals["analytic_distribution"] = self.analytic_distribution
        return vals

    def _prepare_aftersales_invoice_vals(self):
        """Customer invoice of the billable share; None when the customer owes nothing.

        Fully covered parts and labor get no line at all: a warranty order never shows a
        priced line, and a partly covered one shows the coverage as the line's discount.
        """
        self.ensure_one()
        lines = []
        for move in self.move_ids._aftersales_part_moves().filtered(lambda m: m.state == "done"):
            if float_compare(move.aftersales_coverage, 100.0, precision_digits=2) >= 0:
                continue
            lines.append(
                self._prepare_aftersales_invoice_line_vals(
                    move.product_id,
                    move.quantity,
                    move.product_uom,
                    move._aftersales_price_unit(),
                    move.aftersales_coverage,
                    stock_move=move,
                )
            )
        for labor in self.aftersales_labor_ids:
            if float_compare(labor.coverage, 100.0, precision_digits=2) >= 0 or float_is_zero(
                labor.hours, precision_digits=4
            ):
                continue
            lines.append(
                self._prepare_aftersales_invoice_line_vals(
                    labor.product_id,
                    labor.hours,
                    labor.product_id.uom_id,
                    labor.price_unit,
                    labor.coverage,
                    name=labor._aftersales_invoice_label(),
                )
            )
        if not lines or self._aftersales_billable_is_zero():
            return None
        # Invoiced to the customer's invoice address, in the pricelist's currency, as the
        # host's quotation from a repair order would be.
        return {
            "move_type": "out_invoice",
            "partner_id": (self.aftersales_partner_invoice_id or self.partner_id).id,
            "company_id": self.company_id.id,
            "invoice_origin": self.name,
            "ref": self.name,
            "currency_id": self.aftersales_pricing_currency_id.id,
            "invoice_line_ids": [Command.create(vals) for vals in lines],
        }

    def _aftersales_part_credit_account(self, move, billed):
        """Account the covered share of a consumed part is taken from.

        The host's stock valuation booked the consumption (debit: stock output or the
        production location's account; credit: stock valuation). Under anglo-saxon
        accounting, posting the invoice moves the cost of every billed part from stock output
        to the product's expense account (COGS); so a billed part is reclassified from that
        expense account, and a part that is not billed at all from the consumption account.
        """
        company = self.company_id
        accounts = move.product_id.product_tmpl_id.with_company(company).get_product_accounts()
        if billed and company.anglo_saxon_accounting and accounts.get("expense"):
            return accounts["expense"]
        valuation = accounts.get("stock_valuation")
        consumption = (
            move.sudo()
            .stock_valuation_layer_ids.account_move_id.line_ids.filtered(
                lambda line: line.debit and line.account_id != valuation
            )
            .account_id[:1]
        )
        account = consumption or accounts.get("expense")
        if not account:
            raise UserError(
                self.env._(
                    "No expense account for %(product)s in %(company)s.",
                    product=move.product_id.display_name,
                    company=company.name,
                )
            )
        return account

    def _aftersales_service_credit_account(self, product=None):
        """Account the covered labor and logistics cost is absorbed into.

        That cost was never booked through stock (a technician's hour has no valuation
        layer): the warranty entry moves it to the warranty expense account from a dedicated
        absorption account the company sets (the counterpart of the payroll or workshop cost
        it absorbs). A generic expense account would hide it among other costs, so none
        configured stops the settlement with what to set.
        """
        company = self.company_id
        account = company.aftersales_service_cost_account_id
        if not account:
            raise UserError(
                self.env._(
                    "Order %(order)s has covered labor or logistics: set the Covered Labor "
                    "Absorption Account of %(company)s in Settings > After-Sales > Accounting "
                    "before invoicing it.",
                    order=self.name,
                    company=company.name,
                )
            )
        return account

    def _prepare_aftersales_warranty_move_vals(self):
        """Journal entry booking the warranty share at cost; None when nothing is covered.

        Debit: the company's warranty expense account, one line per covered part, labor line
        and logistics, with the order's analytic distribution. Credit: the accounts the cost
        is already in (see ``_aftersales_part_credit_account`` and
        ``_aftersales_service_credit_account``), so nothing is counted twice.
        """
        self.ensure_one()
        company = self.company_id
        currency = company.currency_id
        expense = company._aftersales_get_warranty_expense_account()
        debits = []
        credits = defaultdict(float)
        for move in self.move_ids._aftersales_part_moves().filtered(lambda m: m.state == "done"):
            amount = currency.round(
                shares.warranty_share(move._aftersales_cost(), move.aftersales_coverage)
            )
            if currency.is_zero(amount):
                continue
            billed = float_compare(move.aftersales_coverage, 100.0, precision_digits=2) < 0
            debits.append(
                (
                    move.product_id,
                    self.env._("Warranty parts: %s", move.product_id.display_name),
                    amount,
                )
            )
            credits[self._aftersales_part_credit_account(move, billed)] += amount
        for labor in self.aftersales_labor_ids:
            amount = currency.round(labor.warranty_amount)
            if currency.is_zero(amount):
                continue
            debits.append(
                (
                    labor.product_id,
                    self.env._("Warranty labor: %s", labor._aftersales_invoice_label()),
                    amount,
                )
            )
            credits[self._aftersales_service_credit_account(labor.product_id)] += amount
        logistics = currency.round(
            shares.warranty_share(
                self.aftersales_cost_logistics, self.aftersales_logistics_coverage
            )
        )
        if not currency.is_zero(logistics):
            debits.append(
                (self.env["product.product"], self.env._("Warranty logistics"), logistics)
            )
            credits[self._aftersales_service_credit_account()] += logistics
        if not debits:
            return None
        journal = company._aftersales_get_warranty_journal()
        line_vals = [
            Command.create(
                {
                    "name": f"{self.name} - {label}",
                    "account_id": expense.id,
                    "product_id": product.id,
                    "partner_id": self.partner_id.id,
                    "debit": amount,
                    "credit": 0.0,
                    "analytic_distribution": self.analytic_distribution or False,
                }
            )
            for product, label, amount in debits
        ]
        line_vals += [
            Command.create(
                {
                    "name": self.env._("%s - warranty share absorbed", self.name),
                    "account_id": account.id,
                    "partner_id": self.partner_id.id,
                    "debit": 0.0,
                    "credit": currency.round(amount),
                    # Same distribution as the debits: an analytic account sees the cost
                    # once (the debit), not the debit plus the credit's reversal of a cost
                    # it never saw, nor a one-sided debit doubling the consumption's cost.
                    "analytic_distribution": self.analytic_distribution or False,
                }
            )
            for account, amount in credits.items()
        ]
        return {
            "move_type": "entry",
            "journal_id": journal.id,
            "company_id": company.id,
            "date": fields.Date.context_today(self),
            "ref": self.env._("Warranty cost of %s", self.name),
            "line_ids": line_vals,
        }

    def action_aftersales_invoice(self):
        """Invoice the customer's share and book the company's warranty share.

        The customer invoice is created in draft (the accountant checks and posts it, as for
        any invoice from a sale); the warranty entry is posted at once. Runs once per order:
        repeated ids count once and the rows are locked, then re-checked, so a second call
        (or a second worker) finds the order settled. A warranty entry already posted (the
        customer's invoice was cancelled and is made again) is kept, not posted twice.
        """
        orders = self._aftersales_lock()
        orders._aftersales_check_can_invoice()
        invoices = self.env["account.move"]
        for order in orders:
            order = order.with_company(order.company_id)
            invoice_vals = order._prepare_aftersales_invoice_vals()
            entry = order.aftersales_warranty_move_id
            if not entry:
                warranty_vals = order._prepare_aftersales_warranty_move_vals()
                entry = warranty_vals and self.env["account.move"].with_company(
                    order.company_id
                ).create(warranty_vals)
                if entry:
                    entry.action_post()
            invoice = invoice_vals and self.env["account.move"].with_company(
                order.company_id
            ).with_context(default_move_type="out_invoice").create(invoice_vals)
            order._aftersales_action_env().write(
                {
                    "aftersales_invoice_id": invoice.id if invoice else False,
                    "aftersales_warranty_move_id": entry.id if entry else False,
                    "aftersales_invoiced": True,
                }
            )
            invoices |= invoice or self.env["account.move"]
        if len(orders) == 1 and invoices:
            return orders.action_aftersales_view_invoice()
        return True

    def _aftersales_reopen_billing(self, invoices):
        """The customer's invoice was cancelled, deleted or fully credited: billing of the
        customer's share opens again (the warranty entry stays, it is not posted twice)."""
        orders = self.filtered(lambda o: o.aftersales_invoice_id in invoices)
        for order in orders:
            order.message_post(
                body=self.env._(
                    "Invoice %(invoice)s cancelled: the customer's share can be invoiced again.",
                    invoice=order.aftersales_invoice_id.display_name,
                )
            )
        orders._aftersales_action_env().write(
            {"aftersales_invoice_id": False, "aftersales_invoiced": False}
        )
        return orders

    # ------------------------------------------------------------------------------------
    # Smart buttons
    # ------------------------------------------------------------------------------------

    def action_aftersales_view_invoice(self):
        self.ensure_one()
        return self._aftersales_open_record(self.aftersales_invoice_id)

    def action_aftersales_view_warranty_move(self):
        self.ensure_one()
        return self._aftersales_open_record(self.aftersales_warranty_move_id)
