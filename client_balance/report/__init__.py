from . import client_balance_receipt
