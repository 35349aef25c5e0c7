from odoo import fields, models

from ..models.aftersales_loaner import CONDITIONS


class AftersalesLoanerReturn(models.TransientModel):
    """Collects the condition and the damage; ``aftersales.loaner.action_return`` takes the
    unit back."""

    _name = "aftersales.loaner.return"
    _description = "Return a Loaner Unit"

    loaner_id = fields.Many2one("aftersales.loaner", string="Loan", required=True)
    currency_id = fields.Many2one(related="loaner_id.currency_id")
    condition = fields.Selection(CONDITIONS, required=True, default="ok")
    damage_amount = fields.Monetary(
        help="Charged to the customer on a draft invoice (damaged or missing unit)."
    )

    def action_return(self):
        self.ensure_one()
        self.loaner_id.action_return(
            condition=self.condition, damage_amount=self.damage_amount or 0.0
        )
        return {"type": "ir.actions.act_window_close"}
