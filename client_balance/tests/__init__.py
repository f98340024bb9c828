from . import test_install
from . import test_ledger
from . import test_errors
from . import test_concurrency
from . import test_payment_register
from . import test_integrity
from . import test_web_client
from . import test_migration
