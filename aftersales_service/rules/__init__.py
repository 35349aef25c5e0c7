"""Pure after-sales rules: plain Python, no ORM, no database.

The models are adapters: they read records, call these functions with plain values
(dates, numbers) and write the results back. Each module cites the law or the accounting
convention it implements, and has fast unit tests that need no database (``tests/`` at the
repository's root).
"""

from . import legal_clock
from . import numbers
from . import recovery
from . import shares
from . import warranty_dates
