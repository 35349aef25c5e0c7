from . import aftersales_parts_report
from . import aftersales_repair_cost_report
