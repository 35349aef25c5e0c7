# Copyright 2026 aftersales_service authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import functools
from contextlib import contextmanager
from contextvars import ContextVar

from psycopg2.errors import LockNotAvailable

from odoo import api, models
from odoo.exceptions import UserError
from odoo.tools import SQL

# The models whose action runs now, in this thread. A ContextVar, not a context key: nothing
# an RPC client sends (context keys, values) can set it.
_IN_WORKFLOW = ContextVar("aftersales_workflow", default=frozenset())


@contextmanager
def workflow(model_name):
    """Let the code inside write the workflow fields of ``model_name`` (its actions, and the
    server-side flows of this addon that move such a record)."""
    token = _IN_WORKFLOW.set(_IN_WORKFLOW.get() | {model_name})
    try:
        yield
    finally:
        _IN_WORKFLOW.reset(token)


def in_workflow(model_name):
    return model_name in _IN_WORKFLOW.get()


def aftersales_workflow_action(method):
    """Decorate an action override whose body calls ``super()``: the records are
    deduplicated and locked first, then the body runs on them inside the workflow."""

    @functools.wraps(method)
    def action(self, *args, **kwargs):
        records = self._aftersales_lock()
        with records._aftersales_workflow():
            return method(records, *args, **kwargs)

    return action


class AftersalesWorkflowMixin(models.AbstractModel):
    """One write guard and row lock for the models whose workflow fields only their actions
    may write: over RPC, ``readonly=True`` guards the form only.

    Configured by the class attributes below; the messages stay the model's own (hooks)."""

    _name = "aftersales.workflow.mixin"
    _description = "After-sales Workflow Guard"

    # Fields only the actions write.
    _aftersales_workflow_fields = frozenset()
    # The values creation may carry anyway (e.g. ``{"state": "draft"}``), and whether empty
    # values of the workflow fields are let through at creation.
    _aftersales_workflow_initial = {}  # noqa: RUF012
    _aftersales_workflow_create_empty = True
    # Fields fixed once the record left ``_aftersales_frozen_open_states``.
    _aftersales_frozen_fields = frozenset()
    _aftersales_frozen_open_states = ("draft",)
    # The lock: in a savepoint (a refused lock leaves the transaction usable) or not (two
    # queries fewer: the names are read and the records flushed first); the fields dropped
    # from the cache after it (None: all).
    _aftersales_lock_savepoint = True
    _aftersales_lock_reread = None

    # Workflow context ----------------------------------------------------------------------

    def _aftersales_workflow(self):
        return workflow(self._name)

    def _aftersales_workflow_active(self):
        return in_workflow(self._name)

    def _aftersales_workflow_write(self, vals):
        """Write workflow fields from server-side code of this addon (not callable over
        RPC: private). Callers check their own rights and state first."""
        with self._aftersales_workflow():
            return self.write(vals)

    # Write guards ------------------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        if not self._aftersales_workflow_active():
            initial = self._aftersales_workflow_initial
            for vals in vals_list:
                forged = sorted(
                    fname
                    for fname in self._aftersales_workflow_fields.intersection(vals)
                    if (vals[fname] or not self._aftersales_workflow_create_empty)
                    and not (fname in initial and vals[fname] == initial[fname])
                )
                if forged:
                    self._raise_workflow_fields(forged)
        return super().create(vals_list)

    def write(self, vals):
        if not self._aftersales_workflow_active():
            forged = sorted(self._aftersales_workflow_fields.intersection(vals))
            if forged:
                self._raise_workflow_fields(forged)
            frozen = sorted(self._aftersales_frozen_fields.intersection(vals))
            if frozen and any(
                record.state not in self._aftersales_frozen_open_states for record in self
            ):
                self._raise_frozen_fields(frozen)
        return super().write(vals)

    def _raise_workflow_fields(self, fnames):
        raise UserError(
            self.env._(
                "Fields %(fields)s of %(model)s are set by its actions only.",
                fields=", ".join(fnames),
                model=self._description,
            )
        )

    def _raise_frozen_fields(self, fnames):
        raise UserError(
            self.env._(
                "Fields %(fields)s of %(model)s cannot change in its current state.",
                fields=", ".join(fnames),
                model=self._description,
            )
        )

    # Locking -------------------------------------------------------------------------------

    def _aftersales_lock_message(self, names):
        """The model's own words for a refused lock (``names``: the records' names)."""
        return self.env._(
            "%(records)s is being changed by someone else right now; try again in a moment.",
            records=names,
        )

    def _aftersales_lock(self):
        """Each record once, its row locked (``FOR UPDATE NOWAIT``), then the cached values
        dropped so the checks that follow read the state as committed.

        Repeated ids in one call act once; a second worker acting on the same record at
        the same time gets a clear error instead of a second set of documents. Returns the
        deduplicated, locked recordset."""
        records = self.browse(list(dict.fromkeys(self.ids)))
        if not records:
            return records
        query = SQL(
            "SELECT id FROM %s WHERE id IN %s FOR UPDATE NOWAIT",
            SQL.identifier(self._table),
            tuple(records.ids),
        )
        try:
            if self._aftersales_lock_savepoint:
                names = None
                with self.env.cr.savepoint(flush=False):
                    self.env.cr.execute(query)
            else:
                # A refused lock aborts the transaction: read the names now.
                names = ", ".join(records.mapped("name"))
                records.flush_recordset()
                self.env.cr.execute(query)
        except LockNotAvailable:
            if names is None:
                names = ", ".join(records.sudo().mapped("name"))
            raise UserError(records._aftersales_lock_message(names)) from None
        records.invalidate_recordset(self._aftersales_lock_reread)
        return records
