# Copyright 2026 aftersales_service authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, models
from odoo.exceptions import AccessError

from .aftersales_rpc_input import check_ids, check_vals

MANAGER_GROUP = "aftersales_service.group_aftersales_manager"


class AftersalesSharedConfigMixin(models.AbstractModel):
    """Configuration that may be shared between companies (no ``company_id``): warranty terms,
    legal deadline rules.

    A shared record serves every company, so changing it changes what every company promises
    its customers and the legal clocks of every company's claims. Only who answers for all of
    them may create, change or delete it: a system administrator (``base.group_system``), or an
    after-sales manager who has access to every company of the database. A manager of one
    company works on records of his company (the multi-company record rules keep him there),
    and cannot turn one of them into a shared record either. Record rules cannot say this
    (a shared record is readable by everyone, on purpose), hence the check in the ORM methods.
    """

    _name = "aftersales.shared.config.mixin"
    _description = "After-Sales Configuration Shared Between Companies"

    @api.model
    def _can_change_shared_config(self):
        """Whether the current user answers for every company (see the class docstring)."""
        if self.env.su or self.env.user.has_group("base.group_system"):
            return True
        if not self.env.user.has_group(MANAGER_GROUP):
            return False
        return (
            not self.env["res.company"]
            .sudo()
            .search_count([("id", "not in", self.env.user.company_ids.ids)], limit=1)
        )

    def _check_shared_config_access(self, vals=None):
        """Refuse to change records of ``self`` that are shared, or to make them shared with
        ``vals``, unless the user answers for every company."""
        makes_shared = vals is not None and "company_id" in vals and not vals["company_id"]
        if not (makes_shared or any(not rec.company_id for rec in self)):
            return
        if self._can_change_shared_config():
            return
        raise AccessError(
            self.env._(
                "%(model)s without a company are shared by all companies: only an after-sales "
                "manager of every company (or a system administrator) may create, change or "
                "delete them. Set a company on the record to make it your company's own.",
                model=self._description,
            )
        )

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            check_vals(self, vals)
        records = super().create(vals_list)
        records._check_shared_config_access()
        return records

    def write(self, vals):
        check_ids(self)
        check_vals(self, vals)
        self._check_shared_config_access(vals)
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_shared_config(self):
        self._check_shared_config_access()
