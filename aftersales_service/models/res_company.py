from odoo import fields, models


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
