# Copyright 2026 aftersales_service authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models

# Which article a decision rests on when the claim's legal rule does not say more
# (Law 2300-1 arts. 18-23; Directive (EU) 2019/771 arts. 13-16).
DECISION_BASIS = {
    "repair": "Law 2300-1 art. 18 p. 1, art. 20; Directive (EU) 2019/771 art. 13 p. 2, art. 14",
    "replace": "Law 2300-1 art. 18 p. 1, art. 21; Directive (EU) 2019/771 art. 13 p. 2, art. 14",
    "refund": "Law 2300-1 art. 18 p. 1, art. 22; Directive (EU) 2019/771 art. 13 p. 4, art. 16",
    "price_reduction": "Law 2300-1 art. 18 p. 1, art. 22; Directive (EU) 2019/771 art. 15",
    "compensation": "Law 2300-1 art. 18 p. 1, art. 22",
    "reject": "Law 2300-1 art. 18 p. 5, art. 19; Directive (EU) 2019/771 art. 10",
}


class AftersalesClaim(models.Model):
    """What the claim's printed documents need: the unit as received (acceptance act), the
    technician's diagnosis (technical conclusion) and the legal basis of the decision
    (response letter)."""

    _inherit = "aftersales.claim"  # pylint: disable=consider-merging-classes-inherited

    intake_condition = fields.Text(
        string="Visible Condition",
        help="State of the unit as handed over: scratches, dents, traces of use (acceptance act).",
    )
    intake_completeness = fields.Text(
        string="Completeness",
        help="What came with the unit: accessories, cables, packaging, documents.",
    )
    diagnosis_note = fields.Html(
        string="Diagnosis", help="The technician's findings (technical conclusion)."
    )

    def _aftersales_report_defects(self):
        """Defect records of the claim for the technical conclusion, when the defects
        concern is installed (``aftersales.defect``); empty otherwise."""
        self.ensure_one()
        if "aftersales.defect" not in self.env or "defect_ids" not in self._fields:
            return []
        return self.sudo().defect_ids

    def _aftersales_decision_basis(self):
        """The legal basis printed in the response letter: the claim's rule (its article
        reference) and the article the decision itself rests on."""
        self.ensure_one()
        parts = [
            self.sudo().legal_rule_id.law_reference or "",
            DECISION_BASIS.get(self.decision, ""),
        ]
        return "; ".join(p for p in parts if p)

    def _aftersales_report_lang(self):
        return self.partner_id.lang or self.env.lang
