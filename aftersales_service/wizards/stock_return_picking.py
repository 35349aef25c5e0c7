from odoo import models

from ..models.aftersales_claim_context import claim_return_vals


class StockReturnPicking(models.TransientModel):
    """The host's generic *Return* on a parts issue is a parts return of the same order:
    counted as such (the order's returnable quantity, the parts report) and refused at
    validation beyond what was issued and not consumed, like the order's own returns."""

    _inherit = "stock.return.picking"

    def _prepare_picking_default_values(self):
        vals = super()._prepare_picking_default_values()
        if claim_return_vals():
            # A claim's decision returns the unit: created with the claim's values.
            vals.update(claim_return_vals())
            return vals
        picking = self.picking_id
        if picking.aftersales_purpose == "parts_issue":
            vals.update(
                aftersales_repair_id=picking.aftersales_repair_id.id,
                aftersales_claim_id=picking.aftersales_claim_id.id,
                aftersales_purpose="parts_return",
            )
        return vals

    def _create_return(self):
        new_picking = super()._create_return()
        returns = new_picking.move_ids.filtered(
            lambda m: m.origin_returned_move_id.aftersales_parts_role == "issue"
        )
        for repair, moves in returns.grouped(
            lambda m: m.origin_returned_move_id.aftersales_parts_repair_id
        ).items():
            moves.write(
                {"aftersales_parts_repair_id": repair.id, "aftersales_parts_role": "return"}
            )
        return new_picking
