from odoo.tests import TransactionCase, tagged

from odoo.addons.client_balance.tests.test_translations import TranslationChecks


@tagged("post_install", "-at_install")
class TestTranslations(TranslationChecks, TransactionCase):
    addon = "pos_client_balance"
