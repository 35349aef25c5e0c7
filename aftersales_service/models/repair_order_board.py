from odoo import api, fields, models


class RepairOrder(models.Model):
    """The technician's board: one column per workflow stage, in the workflow's order."""

    _inherit = "repair.order"  # pylint: disable=consider-merging-classes-inherited

    state = fields.Selection(group_expand="_aftersales_expand_states")

    @api.model
    def _aftersales_expand_states(self, states, domain):
        """Every open stage is a column, even when empty, so a card moves along a fixed board;
        the values come in the selection's order (New, Confirmed, Under Repair, Repaired)
        instead of the alphabetical order of their keys. Cancelled shows only when present."""
        return [
            value
            for value in self._fields["state"].get_values(self.env)
            if value != "cancel" or value in states
        ]
