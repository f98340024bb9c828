from . import client_balance_amount_mixin
from . import client_balance_open
from . import client_balance_topup
from . import client_balance_spend
from . import client_balance_adjust
from . import client_balance_payout
from . import client_balance_refund
from . import account_payment_register
