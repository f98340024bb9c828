from . import test_pos_payment
from . import test_concurrency
from . import test_tours
from . import test_pos_allowance
from . import test_translations
