from odoo.tests import new_test_user, tagged

from odoo.addons.account.tests.common import AccountTestInvoicingCommon


@tagged("post_install", "-at_install")
class ClientBalanceCommon(AccountTestInvoicingCommon):
    """Base class of the client_balance tests: a company with a chart of
    accounts (from AccountTestInvoicingCommon) and one user per access level."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.group_user = cls.env.ref("client_balance.client_balance_group_user")
        cls.group_spend = cls.env.ref("client_balance.client_balance_group_spend")
        cls.group_manager = cls.env.ref("client_balance.client_balance_group_manager")
        company = cls.company_data["company"]
        common = {
            "company_id": company.id,
            "company_ids": company.ids,
        }
        cls.user_internal = new_test_user(
            cls.env,
            login="cb_internal",
            groups="base.group_user,account.group_account_invoice",
            **common,
        )
        cls.user_front_desk = new_test_user(
            cls.env,
            login="cb_front_desk",
            groups="account.group_account_invoice,client_balance.client_balance_group_user",
            **common,
        )
        cls.user_cashier = new_test_user(
            cls.env,
            login="cb_cashier",
            groups="account.group_account_invoice,client_balance.client_balance_group_spend",
            **common,
        )
        cls.user_manager = new_test_user(
            cls.env,
            login="cb_manager",
            groups="account.group_account_manager,client_balance.client_balance_group_manager",
            **common,
        )
