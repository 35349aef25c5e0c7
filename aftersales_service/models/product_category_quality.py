# Copyright 2026 aftersales_service authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models
from odoo.exceptions import ValidationError


class ProductCategoryQuality(models.Model):
    """Systematic-defect detection settings per product category."""

    _inherit = "product.category"  # pylint: disable=consider-merging-classes-inherited

    aftersales_failure_threshold = fields.Float(
        string="Failure Rate Alert (%)",
        digits=(5, 2),
        help="Open a quality alert when a product's failures reach this percent of the units "
        "delivered in the window. 0: no alerts.",
    )
    aftersales_failure_window_days = fields.Integer(
        string="Failure Window (days)",
        default=365,
        help="Failures and deliveries of the last days counted by the alert.",
    )

    @api.constrains("aftersales_failure_threshold", "aftersales_failure_window_days")
    def _check_aftersales_failure_alert(self):
        for categ in self:
            if not 0.0 <= categ.aftersales_failure_threshold <= 100.0:
                raise ValidationError(
                    self.env._("The failure rate alert is a percentage between 0 and 100.")
                )
            if categ.aftersales_failure_window_days < 1:
                raise ValidationError(self.env._("The failure window is at least one day."))
