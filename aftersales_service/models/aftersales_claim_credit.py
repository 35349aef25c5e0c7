# Copyright 2026 aftersales_service authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import Command, fields, models
from odoo.exceptions import UserError
from odoo.tools import float_compare

from .aftersales_claim import DECISIONS


class AftersalesClaim(models.Model):
    """The money of a claim: what may still be credited for the unit, and the credit notes
    of refunds, price reductions and compensations — on which account, with which taxes,
    linked to which invoice, and why."""

    _inherit = "aftersales.claim"  # pylint: disable=consider-merging-classes-inherited

    # What may still be credited -----------------------------------------------------------

    def _unit_sale_lines(self):
        """The sale order lines that sold the claimed product (read through sudo: see
        _sale_line)."""
        self.ensure_one()
        return self.sale_order_id.sudo().order_line.filtered(
            lambda sol: sol.product_id == self.product_id and not sol.display_type
        )

    def _creditable_qty(self):
        """Quantity of the product still creditable to the customer: what was invoiced on
        the unit's sale lines (posted invoices) minus everything already credited for it
        (credit notes not cancelled, draft ones included: they are on their way), whether
        made by a claim or by hand with the host's reversal wizard, partial or full. A
        credit note counts when its line is linked to the sale line (the host's reversal
        keeps that link) or when it reverses one of those invoices on the same product.
        In the product's unit of measure."""
        self.ensure_one()
        sale_lines = self._unit_sale_lines()
        product = self.product_id
        lines = sale_lines.invoice_lines
        invoices = lines.move_id.filtered(
            lambda m: m.move_type == "out_invoice" and m.state == "posted"
        )
        if invoices:
            lines |= (
                self.env["account.move.line"]
                .sudo()
                .search(
                    [
                        ("move_id.reversed_entry_id", "in", invoices.ids),
                        ("move_id.move_type", "=", "out_refund"),
                        ("product_id", "=", product.id),
                        ("display_type", "=", "product"),
                    ]
                )
            )
        invoiced = credited = 0.0
        for line in lines.filtered(lambda aml: aml.product_id == product):
            qty = line.product_uom_id._compute_quantity(line.quantity, product.uom_id)
            move = line.move_id
            if move.move_type == "out_invoice" and move.state == "posted":
                invoiced += qty
            elif move.move_type == "out_refund" and move.state != "cancel":
                credited += qty
        return invoiced - credited

    def _check_creditable(self):
        """Refuse a refund or price reduction when the unit has no posted invoice or when
        all its invoiced quantity is already credited: no unit is credited twice."""
        self.ensure_one()
        self._find_invoice_line()  # raises when there is no invoice at all
        rounding = self.product_id.uom_id.rounding
        creditable = self._creditable_qty()
        if float_compare(creditable, 0.0, precision_rounding=rounding) <= 0:
            raise UserError(
                self.env._(
                    "Nothing is left to credit for %(product)s on sale order %(order)s: its "
                    "invoiced quantity is already fully credited (credit notes %(moves)s). "
                    "Nothing was created.",
                    product=self.product_id.display_name,
                    order=self.sale_order_id.name,
                    moves=", ".join(
                        self._unit_sale_lines()
                        .invoice_lines.move_id.filtered(lambda m: m.move_type == "out_refund")
                        .mapped("name")
                    )
                    or "-",
                )
            )
        return creditable

    def _check_decision_amount(self, decision, amount, exceed_reason=False):
        """Bound the money of a decision by the price the consumer paid (``unit_price``, tax
        included). A price reduction reduces that price: it can never exceed it. A
        compensation of damages may exceed it (Law 2300-1 art. 18 p. 1: losses in full), but
        only with an explicit reason, written in the chatter with the decision."""
        self.ensure_one()
        if decision == "compensation":
            self._compensation_account()  # raises before anything is created
        if decision not in ("price_reduction", "compensation"):
            return
        price = self.unit_price or 0.0
        if self.currency_id.compare_amounts(amount, price) <= 0:
            return
        if decision == "compensation" and (exceed_reason or "").strip():
            return
        if decision == "price_reduction":
            raise UserError(
                self.env._(
                    "A price reduction of %(amount)s exceeds the price paid for the unit "
                    "(%(price)s): decide a refund instead.",
                    amount=amount,
                    price=price,
                )
            )
        raise UserError(
            self.env._(
                "A compensation of %(amount)s exceeds the price paid for the unit (%(price)s): "
                "state the reason for exceeding it.",
                amount=amount,
                price=price,
            )
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
        vals = self._prepare_refund_vals(invoice_line)
        # Link the sale line as the host's reversal does, in the line's own values (one
        # write and one balance check less than linking it afterwards; issue 17). Through
        # sudo: the sale order may belong to another salesperson than the deciding
        # manager, and posting values the unit's cost through that sale line (anglo-saxon),
        # which the manager may not be allowed to read. The decision was checked.
        vals["invoice_line_ids"][0][2]["sale_line_ids"] = [
            Command.set(invoice_line.sale_line_ids.ids)
        ]
        # The deciding user must be one who may make customer credit notes at all.
        self.env["account.move"].check_access("create")
        move = self.env["account.move"].sudo().create(vals)
        move.action_post()
        return move.sudo(False)

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
        """Posted credit note of a price reduction or a compensation of ``amount``."""
        if self.decision == "price_reduction":
            vals = self._prepare_price_reduction_vals(amount)
        else:
            vals = self._prepare_credit_note_vals(amount)
        move = self.env["account.move"].create(vals)
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

    def _prepare_price_reduction_vals(self, amount):
        """Credit note of a price reduction of ``amount`` (tax included, what the consumer
        gets back) on the invoice of the unit.

        A price reduction lowers the price of a supply already invoiced, so it reduces the
        taxable base of that supply: EU VAT Directive 2006/112/EC art. 90 ("the taxable
        amount shall be reduced accordingly") and RU Tax Code art. 171 p. 13 (deduction of
        the VAT on a decrease of the price of goods shipped) require a corrective document
        that carries the supply's taxes and refers to its invoice. So the line takes the
        invoice line's taxes (its fiscal position already applied), its revenue account and
        analytic distribution, and the move is linked to the invoice (``reversed_entry_id``).
        It is not linked to the sale line: no unit comes back, the delivered and invoiced
        quantities stay."""
        self.ensure_one()
        invoice_line = self._find_invoice_line()
        invoice = invoice_line.move_id
        taxes = invoice_line.tax_ids
        date = invoice.invoice_date or fields.Date.today()
        amount_cur = self.currency_id._convert(amount, invoice.currency_id, self.company_id, date)
        base = taxes.with_context(force_price_include=True).compute_all(
            amount_cur,
            currency=invoice.currency_id,
            quantity=1.0,
            product=invoice_line.product_id,
            partner=invoice.partner_id,
            is_refund=True,
        )["total_excluded"]
        return {
            "move_type": "out_refund",
            "partner_id": invoice.partner_id.id,
            "journal_id": invoice.journal_id.id,
            "currency_id": invoice.currency_id.id,
            "fiscal_position_id": invoice.fiscal_position_id.id,
            "reversed_entry_id": invoice.id,
            "invoice_origin": invoice.invoice_origin or self.name,
            "ref": self.env._(
                "Claim %(claim)s: price reduction on %(invoice)s",
                claim=self.name,
                invoice=invoice.name,
            ),
            "company_id": invoice.company_id.id,
            "invoice_line_ids": [
                Command.create(
                    {
                        "product_id": self._credit_product().id,
                        "name": self.env._(
                            "Price reduction of %(product)s — claim %(claim)s",
                            product=invoice_line.product_id.display_name,
                            claim=self.name,
                        ),
                        "quantity": 1,
                        "price_unit": base,
                        "tax_ids": [Command.set(taxes.ids)],
                        "account_id": invoice_line.account_id.id,
                        "analytic_distribution": invoice_line.analytic_distribution,
                    }
                )
            ],
        }

    def _compensation_account(self):
        account = self.company_id.aftersales_compensation_account_id
        if not account:
            raise UserError(
                self.env._(
                    "Set the Compensation Expense account of %(company)s first (After-Sales → "
                    "Configuration → Settings → Claims): compensations are damages, booked "
                    "as an expense, not as a reduction of sales revenue.",
                    company=self.company_id.name,
                )
            )
        return account

    def _prepare_credit_note_vals(self, amount):
        """Credit note of a compensation (damages) of ``amount``.

        Damages pay for a loss; they are not the price of a supply, so they do not reduce
        the sale's revenue nor its VAT base (EU VAT Directive art. 2 and 73: only
        consideration for a supply is taxable; CJEU C-277/05 Société thermale). The line goes
        to the company's compensation expense account, without taxes, and refers to no
        invoice. Without that account the decision is refused before anything is created."""
        self.ensure_one()
        product = self._credit_product()
        account = self._compensation_account()
        partner = self.partner_id.commercial_partner_id
        return {
            "move_type": "out_refund",
            "partner_id": partner.id,
            "company_id": self.company_id.id,
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
                        "account_id": account.id,
                        "tax_ids": [Command.clear()],
                    }
                )
            ],
        }
