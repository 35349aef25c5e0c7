from odoo import fields, models


class AftersalesClaimDecision(models.TransientModel):
    _name = "aftersales.claim.decision"
    _description = "Decide a Claim"

    claim_id = fields.Many2one("aftersales.claim", required=True, ondelete="cascade")
    reason = fields.Text()
