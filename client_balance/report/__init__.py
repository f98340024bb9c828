from . import client_balance_receipt
from . import client_balance_report_line
