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
from . import bench_peer as test_bench_peer  # Odoo collects test_* names only
from . import test_role_flows
from . import test_documents
from . import test_portal
from . import test_loaner
from . import test_expertise
from . import test_logistics
from . import test_defect
from . import test_supplier_claim
from . import test_quality_alert
from . import bench_defect as test_bench_defect  # Odoo collects test_* names only
from . import test_query_budgets
from . import test_tours
from . import test_agreement
from . import test_service_plan
from . import test_expected_cost
from . import test_competitor
from . import test_team
from . import test_volume_report
from . import test_documents_notify
from . import test_documents_pdf
from . import test_demo_story
from . import test_supplier_claim_breach
from . import test_parts_missing
from . import test_parts_forecast
from . import test_board
from . import test_workflow_guards
