from odoo import api, fields, models
from odoo.exceptions import UserError

from .repair_order_guard import check_amount

# Transfers of a whole unit between us and someone outside (customer, expert): each one is a
# transport that may cost something (a carrier's price or the company's flat rate).
TRANSPORT_PURPOSES = frozenset(
    {
        "intake",
        "unit_return",
        "replacement",
        "claim_return",
        "loaner_out",
        "loaner_in",
        "expertise_out",
        "expertise_in",
    }
)


class StockPickingPurpose(models.Model):
    """Loaner and expertise transfers, and the logistics cost of every transport of a unit.

    Loaner and expertise transfers carry their own purpose: warranty registration only runs
    on deliveries without an after-sales purpose or replacements (see
    ``aftersales_warranty_registration.REGISTERING_PURPOSES``), so lending a unit or sending
    one to an expert never starts a warranty.
    """

    _inherit = "stock.picking"  # pylint: disable=consider-merging-classes-inherited

    aftersales_purpose = fields.Selection(
        selection_add=[
            ("loaner_out", "Loaner Hand-over"),
            ("loaner_in", "Loaner Return"),
            ("expertise_out", "Unit to Expert"),
            ("expertise_in", "Unit back from Expert"),
        ],
        ondelete={
            "loaner_out": "set null",
            "loaner_in": "set null",
            "expertise_out": "set null",
            "expertise_in": "set null",
        },
    )
    aftersales_loaner_id = fields.Many2one(
        "aftersales.loaner",
        string="Loan",
        index="btree_not_null",
        copy=False,
        readonly=True,
    )
    aftersales_currency_id = fields.Many2one(
        related="company_id.currency_id", string="Company Currency"
    )
    aftersales_logistics_cost = fields.Monetary(
        string="Transport Cost",
        currency_field="aftersales_currency_id",
        copy=False,
        help="What moving the unit costs (the carrier's price, or the company's flat rate "
        "by default). It adds up into the logistics cost of the service order, whose "
        "logistics coverage decides who pays it.",
    )

    _sql_constraints = [  # noqa: RUF012
        (
            "aftersales_logistics_cost_positive",
            "CHECK(aftersales_logistics_cost IS NULL OR aftersales_logistics_cost >= 0)",
            "The transport cost of a transfer cannot be negative.",
        ),
    ]

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            self._aftersales_check_logistics_vals(vals)
            if (
                vals.get("aftersales_purpose") in TRANSPORT_PURPOSES
                and "aftersales_logistics_cost" not in vals
            ):
                company = self.env["res.company"].browse(
                    vals.get("company_id") or self.env.company.id
                )
                vals["aftersales_logistics_cost"] = company.aftersales_logistics_flat_rate
        return super().create(vals_list)

    def write(self, vals):
        self._aftersales_check_logistics_vals(vals)
        if "aftersales_logistics_cost" in vals:
            settled = self.aftersales_repair_id.filtered(
                lambda o: o.state == "done" and o.aftersales_invoiced
            )
            if settled:
                raise UserError(
                    self.env._(
                        "Service order %(orders)s is settled (done and invoiced): the cost of "
                        "its transports cannot change.",
                        orders=", ".join(settled.mapped("name")),
                    )
                )
        return super().write(vals)

    def _aftersales_check_logistics_vals(self, vals):
        if "aftersales_logistics_cost" in vals:
            check_amount(
                self.env,
                vals["aftersales_logistics_cost"],
                self._fields["aftersales_logistics_cost"].string,
            )
