# Copyright 2026 aftersales_service authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models
from odoo.exceptions import ValidationError

CODE_TYPES = [
    ("symptom", "Symptom"),
    ("fault", "Fault"),
    ("cause", "Cause"),
    ("resolution", "Resolution"),
]


class AftersalesDefectCode(models.Model):
    """A code of the defect register: what the customer saw (symptom), what the technician
    found (fault), why it happened (cause) and what was done (resolution). Codes form a tree
    per type (e.g. Leak / Leak at the door seal), so reports can roll up by branch."""

    _name = "aftersales.defect.code"
    _description = "Defect Code"
    _parent_store = True
    _rec_names_search = ["name", "code"]  # noqa: RUF012
    _order = "type, parent_path, code, id"
    _check_company_auto = True

    name = fields.Char(required=True, translate=True)
    code = fields.Char(required=True, index=True)
    type = fields.Selection(CODE_TYPES, required=True, default="symptom", index=True)
    parent_id = fields.Many2one(
        "aftersales.defect.code",
        string="Parent Code",
        index=True,
        ondelete="restrict",
        check_company=True,
        domain="[('type', '=', type)]",
    )
    parent_path = fields.Char(index=True)
    child_ids = fields.One2many("aftersales.defect.code", "parent_id", string="Sub-Codes")
    # Not stored: the path follows the reader's language (names are translated).
    complete_name = fields.Char(compute="_compute_complete_name", recursive=True)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        "res.company", index=True, help="Empty: the code is shared by all companies."
    )
    description = fields.Text(translate=True)

    _sql_constraints = [  # noqa: RUF012
        ("code_type_unique", "UNIQUE(type, code)", "A defect code must be unique per type."),
    ]

    @api.depends("name", "code", "parent_id.complete_name")
    def _compute_complete_name(self):
        for code in self:
            own = f"[{code.code}] {code.name}" if code.code else code.name or ""
            if code.parent_id:
                code.complete_name = f"{code.parent_id.complete_name} / {own}"
            else:
                code.complete_name = own

    @api.depends("complete_name")
    def _compute_display_name(self):
        for code in self:
            code.display_name = code.complete_name

    @api.constrains("parent_id")
    def _check_parent(self):
        if self._has_cycle():
            raise ValidationError(self.env._("A defect code cannot be its own ancestor."))
        for code in self.filtered("parent_id"):
            if code.parent_id.type != code.type:
                raise ValidationError(
                    self.env._(
                        "Code %(code)s and its parent %(parent)s must be of the same type.",
                        code=code.code,
                        parent=code.parent_id.code,
                    )
                )
