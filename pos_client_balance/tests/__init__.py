from . import test_pos_payment
