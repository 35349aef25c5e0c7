from odoo import fields, models


class StockQuantLoaner(models.Model):
    """The loaner pool: where each loaner serial is, who has it and until when."""

    _inherit = "stock.quant"  # pylint: disable=consider-merging-classes-inherited

    aftersales_loan_id = fields.Many2one(
        "aftersales.loaner", string="Current Loan", compute="_compute_aftersales_loan"
    )
    aftersales_loan_partner_id = fields.Many2one(
        "res.partner", string="Lent To", compute="_compute_aftersales_loan"
    )
    aftersales_loan_date_due = fields.Date(string="Due Back", compute="_compute_aftersales_loan")
    aftersales_loan_overdue = fields.Boolean(string="Overdue", compute="_compute_aftersales_loan")

    def _compute_aftersales_loan(self):
        lots = self.lot_id
        loans = self.env["aftersales.loaner"]
        if lots:
            # Whoever sees the quant sees who holds the unit (a warehouse user too).
            loans = loans.sudo().search([("lot_id", "in", lots.ids), ("state", "=", "lent")])
        by_lot = {loan.lot_id.id: loan for loan in loans}
        for quant in self:
            loan = by_lot.get(quant.lot_id.id) if quant.location_id.usage != "internal" else None
            quant.aftersales_loan_id = loan
            quant.aftersales_loan_partner_id = loan.partner_id if loan else False
            quant.aftersales_loan_date_due = loan.date_due if loan else False
            quant.aftersales_loan_overdue = bool(loan and loan.is_overdue)
