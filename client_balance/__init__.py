from . import models
from . import wizards


def post_init_hook(env):
    env["res.company"]._client_balance_setup_all()
