# Copyright 2026 aftersales_service authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Values a claim's decision hands to the host's return wizard (no model here: importing
this module from a model file does not change the order in which the claim's concern
classes are registered, on which their ``super()`` chain depends)."""

from contextlib import contextmanager
from contextvars import ContextVar

# Values a claim's decision gives the return it creates through the host's return wizard
# (claim, purpose, customer, origin). A ContextVar set only by server code in this thread
# (nothing an RPC client sends can set it, unlike a context key): the return is created with
# them instead of being written again after (issue 17).
_RETURN_VALS = ContextVar("aftersales_claim_return_vals", default=None)


@contextmanager
def return_picking_vals(vals):
    """Create the returns made by the return wizard inside the block with ``vals``."""
    token = _RETURN_VALS.set(dict(vals))
    try:
        yield
    finally:
        _RETURN_VALS.reset(token)


def claim_return_vals():
    """The values set by return_picking_vals, or None."""
    return _RETURN_VALS.get()
