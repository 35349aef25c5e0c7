# Copyright 2026 aftersales_service authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models
from odoo.exceptions import ValidationError

REQUESTS = [
    ("repair", "Repair"),
    ("replacement", "Replacement"),
    ("refund", "Refund"),
    ("price_reduction", "Price Reduction"),
    ("compensation", "Compensation"),
]


#: Longest legal deadline a rule may set, in days (ten years).
MAX_DAYS = 3650
#: Highest penalty rate, in percent of the price per day of delay.
MAX_PENALTY_RATE = 100.0


class AftersalesLegalRule(models.Model):
    """A statutory clock: how long the seller has to answer and to resolve one kind of
    consumer request in one jurisdiction, and what a late resolution costs.

    Rules without a country are the default, used when no rule exists for the customer's
    country. Editing a rule changes the clocks of claims received afterwards only: a claim's
    due dates are fixed when it is received (that is what the law counts from).
    """

    _name = "aftersales.legal.rule"
    _inherit = "aftersales.shared.config.mixin"
    _description = "Consumer Law Deadline Rule"
    _order = "country_id, request, company_id"

    # Identification
    name = fields.Char(required=True, translate=True)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        "res.company",
        index="btree_not_null",
        help="Leave empty to apply the rule in every company.",
    )
    country_id = fields.Many2one(
        "res.country",
        index="btree_not_null",
        help="Country of the customer. Leave empty for the default rule.",
    )
    request = fields.Selection(REQUESTS, required=True, index=True)

    # Clocks
    response_days = fields.Integer(
        help="Days from the date received to answer the customer.",
    )
    resolution_days = fields.Integer(
        help="Days from the date received to carry out the remedy.",
    )
    penalty_rate = fields.Float(
        string="Penalty Rate (%/day)",
        digits=(16, 4),
        help="Percent of the unit's price owed to the customer per whole day of delay "
        "past the resolution due date.",
    )
    loaner_within_days = fields.Integer(
        string="Loaner Within (days)",
        help="Days within which a replacement unit must be lent on the customer's request "
        "while the repair lasts (0: no statutory loaner).",
    )
    law_reference = fields.Char(translate=True)
    note = fields.Text(translate=True)

    _sql_constraints = [  # noqa: RUF012
        (
            "days_positive",
            "CHECK(response_days >= 0 AND resolution_days >= 0 AND loaner_within_days >= 0)",
            "Legal rule days cannot be negative.",
        ),
        ("penalty_positive", "CHECK(penalty_rate >= 0)", "The penalty rate cannot be negative."),
        (
            "days_bounded",
            (
                f"CHECK(response_days <= {MAX_DAYS} AND resolution_days <= {MAX_DAYS} "
                f"AND loaner_within_days <= {MAX_DAYS})"
            ),
            "Legal rule days are at most 3650 (ten years).",
        ),
        ("penalty_bounded", "CHECK(penalty_rate <= 100)", "The penalty rate is at most 100%."),
    ]

    @api.constrains("response_days", "resolution_days", "loaner_within_days", "penalty_rate")
    def _check_positive(self):
        for rule in self:
            rule._check_values(
                {
                    "name": rule.name,
                    "response_days": rule.response_days,
                    "resolution_days": rule.resolution_days,
                    "loaner_within_days": rule.loaner_within_days,
                    "penalty_rate": rule.penalty_rate,
                }
            )

    def _check_values(self, vals):
        """Refuse days outside 0..3650 and rates outside 0..100 % a day with a clear message
        before the database's CHECK constraints would (they stay as the last line of
        defence). No consumer law counts deadlines in decades, and a rate above 100 % a day
        is a typing error; either would break the clocks of every claim received after."""
        rule_name = vals.get("name") or self[:1].name or ""
        for field in ("response_days", "resolution_days", "loaner_within_days"):
            value = vals.get(field) or 0
            if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_DAYS:
                raise ValidationError(
                    self.env._(
                        "Legal rule %(rule)s: %(field)s must be a whole number of days between "
                        "0 and %(max)s; got %(value)s.",
                        rule=rule_name,
                        field=self._fields[field].get_description(self.env)["string"],
                        max=MAX_DAYS,
                        value=vals.get(field),
                    )
                )
        rate = vals.get("penalty_rate") or 0.0
        if (
            isinstance(rate, bool)
            or not isinstance(rate, int | float)
            or not 0.0 <= rate <= MAX_PENALTY_RATE
        ):
            raise ValidationError(
                self.env._(
                    "Legal rule %(rule)s: the penalty rate must be between 0 and 100 (%% of the "
                    "price per day); got %(value)s.",
                    rule=rule_name,
                    value=vals.get("penalty_rate"),
                )
            )

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            self._check_values(vals)
        return super().create(vals_list)

    def write(self, vals):
        self._check_values(vals)
        return super().write(vals)

    # Lookup ------------------------------------------------------------------------------

    @api.model
    def _find_rule(self, country, request, company=None):
        """The rule for a customer's ``country`` and ``request``: the country's own rule,
        else the default (no country); a company-specific rule wins over a shared one."""
        return self._find_rules([(country.id, request, (company or self.env.company).id)])[0]

    @api.model
    def _find_rules(self, keys):
        """Batch lookup for ``keys`` = [(country_id, request, company_id)]: one query for any
        number of claims (rules are few), returns the rules in the order of ``keys``."""
        requests = {key[1] for key in keys if key[1]}
        if not requests:
            return [self.browse()] * len(keys)
        rules = self.sudo().search([("request", "in", list(requests))], order="id")
        index = {}
        for rule in rules:
            # Several active rules for one jurisdiction: the oldest one applies.
            index.setdefault((rule.country_id.id, rule.request, rule.company_id.id), rule)
        result = []
        for country_id, request, company_id in keys:
            rule = self.browse()
            for key in (
                (country_id or False, request, company_id),
                (country_id or False, request, False),
                (False, request, company_id),
                (False, request, False),
            ):
                if key in index:
                    rule = index[key]
                    break
            result.append(rule.sudo(False))
        return result
