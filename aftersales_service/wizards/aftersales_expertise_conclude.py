from odoo import fields, models

from ..models.aftersales_expertise import CONCLUSIONS


class AftersalesExpertiseConclude(models.TransientModel):
    """Collects the expert's conclusion, cost, note and report;
    ``aftersales.expertise.action_conclude`` routes the claim and makes the invoices."""

    _name = "aftersales.expertise.conclude"
    _description = "Conclude an Expertise"

    expertise_id = fields.Many2one("aftersales.expertise", required=True)
    currency_id = fields.Many2one(related="expertise_id.currency_id")
    conclusion = fields.Selection(CONCLUSIONS, required=True)
    cost = fields.Monetary(help="The expert's fee (billed by the expert).")
    note = fields.Text(string="Conclusion Note")
    report = fields.Binary(string="Expert Report")
    report_name = fields.Char()

    def action_conclude(self):
        self.ensure_one()
        report = (self.report_name, self.report) if self.report else None
        self.expertise_id.action_conclude(
            self.conclusion, cost=self.cost or 0.0, note=self.note or False, report=report
        )
        return {"type": "ir.actions.act_window_close"}
