from odoo import fields, models


class ResCompanyLogistics(models.Model):
    _inherit = "res.company"  # pylint: disable=consider-merging-classes-inherited

    aftersales_logistics_flat_rate = fields.Monetary(
        string="Logistics Flat Rate",
        currency_field="currency_id",
        help="Default cost of one transport of a unit (pickup, return, shipment to an expert, "
        "loaner hand-over) when no carrier price is entered on the transfer.",
    )

    _sql_constraints = [  # noqa: RUF012
        (
            "aftersales_logistics_flat_rate_positive",
            "CHECK(aftersales_logistics_flat_rate IS NULL OR aftersales_logistics_flat_rate >= 0)",
            "The logistics flat rate cannot be negative.",
        ),
    ]
