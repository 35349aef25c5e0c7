from . import aftersales_warranty_golive
from . import aftersales_warranty_transfer
from . import aftersales_claim_decision
from . import stock_return_picking
from . import aftersales_loaner_lend
from . import aftersales_loaner_return
from . import aftersales_loaner_confirm
from . import aftersales_expertise_conclude
