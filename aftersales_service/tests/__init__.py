from . import test_security
from . import test_warranty
from . import bench_warranty as test_bench_warranty  # Odoo collects test_* modules only
from . import test_claim
from . import test_claim_access
from . import test_claim_decisions
from . import test_claim_intake
from . import test_repair
from . import test_parts
from . import test_repair_procurement
from . import bench_claim as test_bench_claim  # Odoo collects test_* names only
from . import test_parts_report
from . import bench_parts as test_bench_parts  # Odoo collects test_* names only
from . import bench_repair as test_bench_repair  # Odoo collects test_* names only
from . import test_access_matrix
from . import test_repair_books
from . import test_stock_units
from . import test_claim_books
from . import test_claim_hardening
from . import test_warranty_hardening
from . import test_races
