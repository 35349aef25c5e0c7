# Copyright 2026 aftersales_service authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, models


class AftersalesSupplierClaimTerms(models.Model):
    """Supplier claims take their labor rate and answer days from the supplier's
    agreement, when one covers the component on the claim's date."""

    _inherit = "aftersales.supplier.claim"  # pylint: disable=consider-merging-classes-inherited

    @api.model
    def _aftersales_supplier_terms(self, partner, company, product=None, on_date=None):
        """The ``supplier`` agreement in force with ``partner`` covering ``product``
        replaces the defaults: its labor rate, its response days and its warranty on
        components when it sets them (zero keeps the default)."""
        terms = super()._aftersales_supplier_terms(
            partner, company, product=product, on_date=on_date
        )
        agreement = self.env["aftersales.agreement"]._aftersales_find_agreement(
            partner, product, "supplier", on_date, company=company
        )
        if agreement:
            terms = dict(terms, labor_rate=agreement.labor_rate)
            if agreement.response_days:
                terms["response_days"] = agreement.response_days
            if agreement.warranty_months:
                terms["warranty_months"] = agreement.warranty_months
        return terms
