from odoo import fields, models


class AftersalesLoanerLend(models.TransientModel):
    """Collects the loaner serial and the due date; ``aftersales.loaner.action_lend``
    hands the unit over."""

    _name = "aftersales.loaner.lend"
    _description = "Lend a Loaner Unit"

    claim_id = fields.Many2one("aftersales.claim")
    repair_id = fields.Many2one("repair.order", string="Service Order")
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company
    )
    partner_id = fields.Many2one("res.partner", string="Customer", required=True)
    lot_id = fields.Many2one(
        "stock.lot",
        string="Loaner Serial",
        required=True,
        domain="[('quant_ids.location_id.aftersales_loaner', '=', True), "
        "('quant_ids.quantity', '>', 0), ('company_id', 'in', [company_id, False])]",
        help="A serial on hand in a Loaners location.",
    )
    date_due = fields.Date(string="Due Back", required=True)
    note = fields.Text()

    def action_lend(self):
        self.ensure_one()
        loan = self.env["aftersales.loaner"].create(
            {
                "lot_id": self.lot_id.id,
                "partner_id": self.partner_id.id,
                "claim_id": self.claim_id.id,
                "repair_id": self.repair_id.id,
                "company_id": (
                    self.claim_id.company_id or self.repair_id.company_id or self.company_id
                ).id,
                "date_due": self.date_due,
                "note": self.note,
            }
        )
        loan.action_lend()
        return {
            "type": "ir.actions.act_window",
            "res_model": "aftersales.loaner",
            "views": [[False, "form"]],
            "res_id": loan.id,
        }
