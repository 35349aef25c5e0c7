from . import aftersales_warranty_golive
from . import aftersales_warranty_transfer
from . import aftersales_claim_decision
from . import stock_return_picking
