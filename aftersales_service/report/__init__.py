from . import aftersales_parts_report
from . import aftersales_repair_cost_report
from . import aftersales_defect_report
from . import aftersales_competitor_comparison
from . import aftersales_volume_report
from . import aftersales_parts_demand_report
from . import aftersales_parts_forecast
