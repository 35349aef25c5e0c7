# Copyright 2026 aftersales_service authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models


class ResCompanyDesk(models.Model):
    """The manager's pricing settings: the history window of the expected after-sales cost
    (also the history of the parts forecast), the margin targeted on extended warranties
    and the horizon of the parts forecast."""

    _inherit = "res.company"  # pylint: disable=consider-merging-classes-inherited

    aftersales_expected_cost_days = fields.Integer(
        string="Expected Cost Window (days)",
        default=365,
        help="History the expected after-sales cost of a product is measured over: warranty "
        "cost of the service orders and units registered in the last N days.",
    )
    aftersales_extended_margin = fields.Float(
        string="Extended Warranty Target Margin (%)",
        default=30.0,
        help="Margin over the expected cost in the suggested price of extended warranties.",
    )
    aftersales_forecast_months = fields.Integer(
        string="Parts Forecast Horizon (months)",
        default=3,
        help="Months ahead the spare-part need is forecast for (units under warranty x "
        "failure rate of each part over the expected cost window).",
    )

    _sql_constraints = [  # noqa: RUF012
        (
            "aftersales_expected_cost_days_positive",
            "CHECK(aftersales_expected_cost_days IS NULL OR aftersales_expected_cost_days > 0)",
            "The expected cost window must be at least one day.",
        ),
        (
            "aftersales_extended_margin_bounds",
            "CHECK(aftersales_extended_margin IS NULL OR aftersales_extended_margin >= -100)",
            "The target margin cannot be below -100 %.",
        ),
        (
            "aftersales_forecast_months_bounds",
            (
                "CHECK(aftersales_forecast_months IS NULL OR "
                "(aftersales_forecast_months > 0 AND aftersales_forecast_months <= 60))"
            ),
            "The parts forecast horizon is between 1 and 60 months.",
        ),
    ]
