from . import pos_payment_method
from . import pos_payment
from . import pos_order
from . import pos_session
from . import pos_config
from . import pos_order_line
from . import barcode_rule
from . import client_balance_allowance_charge
