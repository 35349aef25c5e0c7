# Copyright 2026 aftersales_service authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import math

from odoo import api, models
from odoo.exceptions import AccessError, UserError, ValidationError

from ..rules import warranty_dates
from .aftersales_rpc_input import check_ids, check_vals

MANAGER_GROUP = "aftersales_service.group_aftersales_manager"
COVERAGE_FIELDS = ("parts_coverage", "labor_coverage", "logistics_coverage")
_MAX = warranty_dates.MAX_DURATION


def _is_number(value):
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


class AftersalesWarrantyGuard(models.Model):
    """What no one may do to a layer, whatever the client: values out of bounds (they would
    break the end-date arithmetic or promise more than the whole cost), voiding without being
    an after-sales manager, and bringing a voided layer back to life.

    The checks run on the values before anything is written (a clear, translated message);
    the SQL CHECKs below guarantee the same in the database.
    """

    _inherit = "aftersales.warranty"  # pylint: disable=consider-merging-classes-inherited

    _sql_constraints = [  # noqa: RUF012
        (
            "coverage_range",
            (
                "CHECK(parts_coverage BETWEEN 0 AND 100 AND labor_coverage BETWEEN 0 AND 100 "
                "AND logistics_coverage BETWEEN 0 AND 100)"
            ),
            "Warranty coverage is a percentage between 0 and 100.",
        ),
        (
            "downtime_range",
            f"CHECK(downtime_days BETWEEN 0 AND {warranty_dates.MAX_DOWNTIME_DAYS})",
            "Warranty downtime days cannot be negative.",
        ),
        (
            "duration_range",
            (
                "CHECK(duration > 0 AND duration <= CASE duration_unit "
                f"WHEN 'day' THEN {_MAX['day']} WHEN 'month' THEN {_MAX['month']} "
                f"WHEN 'year' THEN {_MAX['year']} END)"
            ),
            "The duration of a warranty is positive and at most 100 years.",
        ),
        (
            "date_end_after_start",
            "CHECK(date_end IS NULL OR date_end >= date_start)",
            "A warranty cannot end before it starts.",
        ),
    ]

    # Who -----------------------------------------------------------------------------------

    @api.model
    def _check_aftersales_manager(self, action_label):
        """Refuse ``action_label`` (a translated phrase) to anyone but after-sales managers.

        Code running as superuser (a return voiding the layers it ends) is not refused.
        """
        if self.env.su or self.env.user.has_group(MANAGER_GROUP):
            return
        raise AccessError(
            self.env._(
                "Only after-sales managers may %(action)s (user: %(user)s).",
                action=action_label,
                user=self.env.user.name,
            )
        )

    # Values --------------------------------------------------------------------------------

    @api.model
    def _check_layer_values(self, vals, layer=None):
        """Duration, coverage and downtime of ``vals`` (merged on ``layer`` when written)."""
        if {"duration", "duration_unit"} & set(vals):
            duration = vals.get("duration", layer.duration if layer else None)
            unit = vals.get("duration_unit", layer.duration_unit if layer else None)
            if unit is None and vals.get("term_id"):
                unit = self.env["aftersales.warranty.term"].browse(vals["term_id"]).duration_unit
            if not warranty_dates.duration_in_bounds(duration, unit):
                raise ValidationError(
                    self.env._(
                        "The duration of a warranty must be a whole number above 0 and at most "
                        "100 years (%(days)s days, %(months)s months); got %(value)s %(unit)s.",
                        days=_MAX["day"],
                        months=_MAX["month"],
                        value=duration,
                        unit=unit,
                    )
                )
        for fname in COVERAGE_FIELDS:
            if fname in vals and not (_is_number(vals[fname]) and 0 <= vals[fname] <= 100):
                raise ValidationError(
                    self.env._(
                        "%(field)s of a warranty must be a percentage between 0 and 100; "
                        "got %(value)s.",
                        field=self._fields[fname].get_description(self.env)["string"],
                        value=vals[fname],
                    )
                )
        if "downtime_days" in vals:
            days = vals["downtime_days"] or 0
            if (
                isinstance(days, bool)
                or not isinstance(days, int)
                or not 0 <= days <= warranty_dates.MAX_DOWNTIME_DAYS
            ):
                raise ValidationError(
                    self.env._(
                        "Downtime days must be a whole number between 0 and %(max)s; "
                        "got %(value)s.",
                        max=warranty_dates.MAX_DOWNTIME_DAYS,
                        value=vals["downtime_days"],
                    )
                )

    @api.constrains(
        "duration",
        "duration_unit",
        "parts_coverage",
        "labor_coverage",
        "logistics_coverage",
        "date_start",
        "date_end",
    )
    def _check_layer_bounds(self):
        for layer in self:
            self._check_layer_values(
                {
                    "duration": layer.duration,
                    "duration_unit": layer.duration_unit,
                    **{fname: layer[fname] for fname in COVERAGE_FIELDS},
                },
                layer,
            )
            if layer.date_end and layer.date_start and layer.date_end < layer.date_start:
                raise ValidationError(
                    self.env._(
                        "The warranty %(layer)s cannot end (%(end)s) before it starts (%(start)s).",
                        layer=layer.display_name,
                        end=layer.date_end,
                        start=layer.date_start,
                    )
                )

    # CRUD ----------------------------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            check_vals(self, vals)
            self._check_layer_values(vals)
        return super().create(vals_list)

    def write(self, vals):
        check_ids(self)
        check_vals(self, vals)
        if "state" in vals:
            if vals["state"] != "void" and any(w.state == "void" for w in self):
                raise UserError(
                    self.env._(
                        "A voided warranty is never brought back: it stays as history. "
                        "Register a new layer for the serial instead."
                    )
                )
            if vals["state"] == "void":
                self._check_aftersales_manager(self.env._("void warranties"))
        if {"duration", "duration_unit", "downtime_days", *COVERAGE_FIELDS} & set(vals):
            for layer in self:
                self._check_layer_values(vals, layer)
        return super().write(vals)
