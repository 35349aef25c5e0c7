from odoo import fields, models
from odoo.exceptions import UserError


class ResCompany(models.Model):
    _inherit = "res.company"

    # Parts issuing
    aftersales_parts_issue = fields.Boolean(
        string="Issue Parts Through the Warehouse",
        help="Service orders take their parts through an issue picking to the workshop "
        "location instead of straight from stock.",
    )

    # Accounting
    aftersales_warranty_expense_account_id = fields.Many2one(
        "account.account",
        string="Warranty Expense Account",
        check_company=True,
        help="The company's share of service orders under warranty is booked here.",
    )

    # --- Claims ---
    aftersales_claim_credit_product_id = fields.Many2one(
        "product.product",
        string="Claim Credit Product",
        check_company=True,
        domain="[('type', '=', 'service')]",
        help="Service product of the credit notes for price reductions and compensations "
        "decided on claims (its income account and taxes apply). Empty: the shipped "
        "'Price reduction / compensation' product.",
    )
    aftersales_compensation_account_id = fields.Many2one(
        "account.account",
        string="Compensation Expense Account",
        check_company=True,
        domain="[('account_type', 'in', ('expense', 'expense_other'))]",
        help="Compensations (damages) decided on claims are booked here, not to sales "
        "revenue: they pay for a loss, they are not a reduction of a price. Required for "
        "compensation decisions.",
    )

    # --- Service orders: accounts of the warranty share ---
    aftersales_service_cost_account_id = fields.Many2one(
        "account.account",
        string="Covered Labor Absorption Account",
        check_company=True,
        help="Credited for the covered labor and logistics cost of service orders (the cost "
        "moves from here to the warranty expense account). Required to invoice an order "
        "with covered labor or logistics: a generic expense account would hide that cost.",
    )

    def _aftersales_get_warranty_expense_account(self):
        """The warranty expense account, created on first use when none is configured.

        A missing account would block every warranty settlement; an expense account named
        "Warranty Expense" next to the company's default expense account is the sensible
        default, and the manager can point the setting elsewhere at any time.
        """
        self.ensure_one()
        if self.aftersales_warranty_expense_account_id:
            return self.aftersales_warranty_expense_account_id
        Account = self.env["account.account"].sudo().with_company(self)
        account = Account.search(
            [
                *Account._check_company_domain(self),
                ("name", "=", "Warranty Expense"),
                ("account_type", "=", "expense"),
            ],
            limit=1,
        )
        if not account:
            category = self.env.ref("product.product_category_all", raise_if_not_found=False)
            base = category and category.with_company(self).property_account_expense_categ_id
            start = base.code if base else "600000"
            account = Account.create(
                {
                    "name": "Warranty Expense",
                    "code": Account._search_new_account_code(start),
                    "account_type": "expense",
                    "company_ids": [fields.Command.link(self.id)],
                }
            )
        self.sudo().aftersales_warranty_expense_account_id = account
        return account

    def _aftersales_get_warranty_journal(self):
        """Miscellaneous journal of the company for the warranty entries."""
        self.ensure_one()
        journal = self.env["account.journal"].search(
            [*self.env["account.journal"]._check_company_domain(self), ("type", "=", "general")],
            limit=1,
        )
        if not journal:
            raise UserError(
                self.env._("Company %(company)s has no miscellaneous journal.", company=self.name)
            )
        return journal
