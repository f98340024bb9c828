from odoo.exceptions import UserError
from odoo.tests import new_test_user, tagged

from .common import ClientBalanceCommon


@tagged("post_install", "-at_install")
class TestHistory(ClientBalanceCommon):
    """A front desk without invoicing rights reads and searches the history of
    its clients by the numbers of the invoices paid from their balances."""

    def test_invoice_numbers_without_invoicing_rights(self):
        account = self._open()
        self._topup(account, 100.0)
        invoice = self._invoice(60.0)
        account.with_user(self.user_cashier).spend(invoice.id)
        desk = new_test_user(
            self.env,
            login="cb_desk_only",
            groups="base.group_user,client_balance.client_balance_group_user",
            company_id=self.company.id,
            company_ids=[self.company.id],
        )
        Operation = self.env["client.balance.operation"].with_user(desk)
        self.assertFalse(self.env["account.move"].with_user(desk).has_access("read"))
        history = Operation.search([("account_id", "=", account.id)], order="id")
        self.assertEqual(history.mapped("kind"), ["topup", "spend"])
        self.assertEqual(history.mapped("invoice_names"), ["", invoice.name])
        found = Operation.search(
            [("account_id", "=", account.id), ("invoice_names", "ilike", invoice.name)]
        )
        self.assertEqual(found.mapped("kind"), ["spend"])
        others = Operation.search(
            [("account_id", "=", account.id), ("invoice_names", "not ilike", invoice.name)]
        )
        self.assertEqual(others.mapped("kind"), ["topup"])
        self.assertFalse(
            Operation.search([("account_id", "=", account.id), ("invoice_names", "=", "NONE/1")])
        )
        with self.assertRaisesRegex(UserError, "invoice number"):
            Operation.search([("invoice_names", ">", "INV")])

    def test_operations_with_and_without_invoices(self):
        account = self._open()
        self._topup(account, 50.0)
        account.with_user(self.user_cashier).spend(self._invoice(20.0).id)
        Operation = self.env["client.balance.operation"]
        mine = [("account_id", "=", account.id)]
        with_invoice = Operation.search([*mine, ("invoice_names", "!=", False)])
        without = Operation.search([*mine, ("invoice_names", "=", False)])
        self.assertEqual(with_invoice.mapped("kind"), ["spend"])
        self.assertEqual(without.mapped("kind"), ["topup"])
