# Copyright 2026 aftersales_service authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError

# Figures only the supplier claims' acceptance changes (computed; refused over RPC).
RECOVERY_FIELDS = frozenset({"aftersales_amount_recovered", "aftersales_amount_warranty_net"})


class RepairOrderDefect(models.Model):
    """Defects recorded on the service order, the rule that a claim's order is not finished
    without one, and the warranty cost recovered from suppliers (gross, recovered, net)."""

    _inherit = "repair.order"  # pylint: disable=consider-merging-classes-inherited

    aftersales_defect_ids = fields.One2many(
        "aftersales.defect", "repair_id", string="Defects", copy=False
    )
    aftersales_defect_count = fields.Integer(
        string="Defect Count", compute="_compute_aftersales_defect_count"
    )
    aftersales_supplier_claim_line_ids = fields.One2many(
        "aftersales.supplier.claim.line", "repair_id", string="Supplier Claim Lines"
    )
    aftersales_amount_recovered = fields.Monetary(
        string="Recovered from Suppliers",
        currency_field="aftersales_currency_id",
        compute="_compute_aftersales_amount_recovered",
        store=True,
        help="This order's share of what suppliers accepted to pay back on their claims.",
    )
    aftersales_amount_warranty_net = fields.Monetary(
        string="Net Warranty Cost",
        currency_field="aftersales_currency_id",
        compute="_compute_aftersales_amount_recovered",
        store=True,
        help="Warranty share less what was recovered from suppliers.",
    )

    @api.depends("aftersales_defect_ids")
    def _compute_aftersales_defect_count(self):
        groups = self.env["aftersales.defect"]._read_group(
            [("repair_id", "in", self.ids)], ["repair_id"], ["__count"]
        )
        counts = {order.id: count for order, count in groups}
        for order in self:
            order.aftersales_defect_count = counts.get(order.id, 0)

    @api.depends(
        "aftersales_amount_warranty",
        "aftersales_supplier_claim_line_ids.amount_recovered",
        "aftersales_supplier_claim_line_ids.claim_id.state",
    )
    def _compute_aftersales_amount_recovered(self):
        for order in self:
            lines = order.aftersales_supplier_claim_line_ids.filtered(
                lambda ln: ln.claim_id.state in ("accepted", "paid", "done")
            )
            recovered = sum(lines.mapped("amount_recovered"))
            order.aftersales_amount_recovered = recovered
            order.aftersales_amount_warranty_net = (order.aftersales_amount_warranty or 0.0) - (
                recovered
            )

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            self._aftersales_check_recovery_fields(vals)
        return super().create(vals_list)

    def write(self, vals):
        self._aftersales_check_recovery_fields(vals)
        return super().write(vals)

    def _aftersales_check_recovery_fields(self, vals):
        forged = RECOVERY_FIELDS.intersection(vals)
        if forged:
            raise AccessError(
                self.env._(
                    "%(fields)s of a service order come from the supplier claims, not from "
                    "a direct write.",
                    fields=", ".join(sorted(self._fields[f].string for f in forged)),
                )
            )

    def _aftersales_missing_defect(self):
        """Orders of a claim, in a company requiring it, with no defect recorded (on the
        order or on its claim)."""
        return self.filtered(
            lambda o: (
                o.aftersales_claim_id
                and o.company_id.aftersales_defect_required
                and not o.aftersales_defect_ids
                and not o.aftersales_claim_id.defect_ids
            )
        )

    def action_repair_done(self):
        """A claim's service order ends with its defect recorded (the register would miss
        the failure otherwise: supplier recovery and quality alerts depend on it)."""
        missing = self._aftersales_missing_defect()
        if missing:
            raise UserError(
                self.env._(
                    "Record the defect found on service order %(orders)s (Defects tab) "
                    "before ending the repair: the company requires a defect for claims.",
                    orders=", ".join(missing.mapped("name")),
                )
            )
        return super().action_repair_done()

    def action_aftersales_view_defects(self):
        self.ensure_one()
        action = self.aftersales_defect_ids._aftersales_open_defects()
        action["context"] = {"default_repair_id": self.id}
        return action
