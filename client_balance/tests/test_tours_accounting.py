from odoo.tests import tagged

from .tour_common import ClientBalanceTourCase

INVOICES = "/odoo/action-account.action_move_out_invoice_type"


@tagged("post_install", "-at_install", "client_balance_tours")
class TestAccountingTours(ClientBalanceTourCase):
    def setUp(self):
        super().setUp()
        self.deposits = self.env.ref("client_balance.client_balance_type_deposits")
        self.bank = self._bank_journal()

    def _account(self, client, topup=0.0):
        """The client's Deposits account, topped up by ``topup`` at the bank."""
        account = self.env["client.balance.account"].browse(
            client.client_balance_open(self.deposits.id)
        )
        if topup:
            account.topup(topup, self.bank.id)
        return account

    def _liability(self, move, account):
        return move.line_ids.filtered(lambda line: line.account_id == account.liability_account_id)

    def _receivable(self, move):
        return move.line_ids.filtered(
            lambda line: line.account_id.account_type == "asset_receivable"
        )

    def assertEntry(self, operation, debit, credit):
        """The operation's posted entry moves the liability account of its
        client account by ``debit`` / ``credit``, on that account."""
        self.assertEqual(operation.move_id.state, "posted")
        line = self._liability(operation.move_id, operation.account_id)
        self.assertEqual(len(line), 1)
        self.assertEqual((line.debit, line.credit), (debit, credit))
        self.assertEqual(line.client_balance_account_id, operation.account_id)

    def assertPaid(self, invoice):
        self.assertEqual(invoice.amount_residual, 0.0)
        self.assertIn(invoice.payment_state, ("paid", "in_payment"))

    def test_salon_pay_from_balance(self):
        """A salon's cashier pays part of an invoice from the client's deposit.

        Groups: Invoicing / Billing (to open and pay customer invoices) and
        Client Balances / Pay from Balance (the lowest group that spends a
        balance on an invoice)."""
        self._user(
            "salon_cashier",
            ["account.group_account_invoice", "client_balance.client_balance_group_spend"],
        )
        client = self._client("Salon Client Iryna")
        account = self._account(client, topup=100.0)
        invoice = self._invoice(client, 150.0, "Haircut and colouring")
        self.start_workflow_tour(
            f"{INVOICES}/{invoice.id}", "client_balance_salon_pay_from_balance", "salon_cashier"
        )
        self.assertEqual(account.balance, 0.0)
        self.assertEqual(invoice.payment_state, "partial")
        self.assertEqual(invoice.amount_residual, 50.0)
        spend = account.operation_ids.filtered(lambda operation: operation.kind == "spend")
        self.assertEqual(len(spend), 1, "the refused 120.00 wrote nothing")
        self.assertEqual(spend.amount, -100.0, "a debit of the balance")
        self.assertEqual(spend.invoice_ids, invoice)
        self.assertEqual(spend.user_id.login, "salon_cashier")
        self.assertEqual(spend.balance_after, 0.0)
        self.assertEntry(spend, 100.0, 0.0)
        receivable = self._receivable(spend.move_id)
        self.assertEqual((receivable.debit, receivable.credit), (0.0, 100.0))
        self.assertTrue(receivable.reconciled)
        self.assertIn(self._receivable(invoice), receivable.matched_debit_ids.debit_move_id)
        self.assertEqual(invoice.client_balance_paid, 100.0)

    def test_distributor_payment_differences(self):
        """A distributor's accountant credits an overpayment to the client's
        balance and debits an underpayment from it, in Register Payment.

        Groups: Invoicing / Billing (Register Payment) and Client Balances /
        Pay from Balance (the group the wizard's balance options need)."""
        self._user(
            "distributor_accountant",
            ["account.group_account_invoice", "client_balance.client_balance_group_spend"],
        )
        client = self._client("Distributor Client Perfect Trade", is_company=True)
        # What the client held before: enough for the underpayment.
        account = self._account(client, topup=2000.0)
        first = self._invoice(client, 20000.0, "Perfume, wholesale lot 1")
        second = self._invoice(client, 10000.0, "Perfume, wholesale lot 2")
        self.start_workflow_tour(
            f"{INVOICES}/{first.id}",
            "client_balance_distributor_payment_differences",
            "distributor_accountant",
        )
        self.assertPaid(first)
        self.assertPaid(second)
        self.assertEqual(account.balance, 659.0)
        operations = account.operation_ids
        self.assertEqual(
            sorted(operations.mapped("kind")),
            ["credit_difference", "debit_difference", "topup"],
            "the refused 1 600.00 wrote nothing",
        )

        credit = operations.filtered(lambda operation: operation.kind == "credit_difference")
        payment = credit.payment_id
        self.assertEqual(payment.amount, 20159.0)
        self.assertEqual(credit.amount, 159.0, "a credit of the balance")
        self.assertEqual(credit.invoice_ids, first)
        self.assertEqual(credit.move_id, payment.move_id)
        self.assertEntry(credit, 0.0, 159.0)
        self.assertEqual(payment.client_balance_account_id, account)
        self.assertTrue(self._receivable(first).reconciled)

        debit = operations.filtered(lambda operation: operation.kind == "debit_difference")
        self.assertEqual(debit.amount, -1500.0, "a debit of the balance")
        self.assertEqual(debit.invoice_ids, second)
        self.assertEqual(debit.payment_id.amount, 8500.0)
        self.assertEqual(debit.user_id.login, "distributor_accountant")
        self.assertEntry(debit, 1500.0, 0.0)
        receivable = self._receivable(debit.move_id)
        self.assertEqual((receivable.debit, receivable.credit), (0.0, 1500.0))
        self.assertTrue(receivable.reconciled)
        self.assertIn(self._receivable(second), receivable.matched_debit_ids.debit_move_id)
        self.assertIn(
            self._receivable(second),
            self._receivable(debit.payment_id.move_id).matched_debit_ids.debit_move_id,
        )
