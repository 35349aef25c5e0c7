"""Helpers of the benchmarks (not a test module)."""

import logging
from collections import Counter

from odoo.tools.profiler import Profiler

_logger = logging.getLogger(__name__)


class QueryProfileMixin:
    """Count a step's queries by call site: ``--log-sql`` with the caller of each query."""

    @staticmethod
    def _caller(stack, inside):
        """The innermost frame of ``stack`` whose file path contains one of ``inside``."""
        for filename, lineno, function, _line in reversed(stack):
            if any(part in filename for part in inside):
                short = filename.split("/addons/")[-1]
                return f"{short}:{lineno} {function}"
        return "?"

    def _profile(self, label, func):
        """Run ``func`` with an SQL collector and log its queries grouped by the innermost
        frame of this addon and by the innermost frame of any addon (``--log-sql`` with
        the call site)."""
        self.env.flush_all()
        self.env.invalidate_all()
        with Profiler(collectors=["sql"], db=None) as profiler:
            func()
            self.env.flush_all()
        entries = profiler.collectors[0].entries
        ours = Counter(self._caller(e["stack"], ("aftersales_service/",)) for e in entries)
        addons = Counter(
            self._caller(e["stack"], ("/addons/",))
            for e in entries
            if "aftersales_service/tests/" not in self._caller(e["stack"], ("/addons/",))
        )
        _logger.info("BENCH profile %s: %s queries", label, len(entries))
        for title, counter in (("our frame", ours), ("addon frame", addons)):
            for caller, count in counter.most_common(25):
                _logger.info("BENCH profile %s by %s: %4d  %s", label, title, count, caller)
