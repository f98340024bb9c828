from odoo.tests import tagged

from .tour_common import ClientBalanceTourCase

INVOICES = "/odoo/action-account.action_move_out_invoice_type"


@tagged("post_install", "-at_install", "client_balance_tours")
class TestAccountingTours(ClientBalanceTourCase):
    def setUp(self):
        super().setUp()
        self.deposits = self.env.ref("client_balance.client_balance_type_deposits")
        self.bank = self._bank_journal()

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

    def assertLedger(self, account):
        """The balance is the general ledger: minus the posted items of the
        liability account for the requisite, all linked to the account."""
        lines = self.env["account.move.line"].search(
            [
                ("account_id", "=", account.liability_account_id.id),
                ("partner_id", "=", account.partner_id.id),
                ("parent_state", "=", "posted"),
            ]
        )
        self.assertEqual(lines.client_balance_account_id, account)
        self.assertAlmostEqual(-sum(lines.mapped("amount_currency")), account.balance)

    def assertPaid(self, invoice):
        self.assertEqual(invoice.amount_residual, 0.0)
        self.assertEqual(invoice.payment_state, "paid")

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
        self.assertLedger(account)

    def test_distributor_payment_differences(self):
        """A distributor's accountant credits an overpayment to the client's
        balance and debits an underpayment from it, in Register Payment.

        Groups: Invoicing / Billing (Register Payment) and Client Balances /
        Pay from Balance (the group the wizard's balance options need)."""
        self._user(
            "distributor_accountant",
            ["account.group_account_invoice", "client_balance.client_balance_group_spend"],
        )
        client = self._client("Perfect Trade", is_company=True)
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
        self.assertLedger(account)
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

    def test_manager_adjust_and_reverse(self):
        """A balance manager records a mutual settlement and reverses a top-up
        entered twice.

        Groups: Client Balances / Manager only (adjustments and reversals are
        the Manager's; it needs no accounting group to choose the counterpart
        account or to reverse)."""
        self._user("balance_manager", ["client_balance.client_balance_group_manager"])
        client = self._client("Perfect Trade", is_company=True)
        account = self._account(client, topup=1000.0)
        wrong = self.env["client.balance.operation"].browse(
            account.topup(500.0, self.bank.id, memo="Bank transfer entered twice")
        )
        payable = self.env["account.account"].search(
            [("code", "=", "211000"), ("company_ids", "in", account.company_id.ids)]
        )
        self.start_workflow_tour(
            f"/odoo/res.partner/{client.id}",
            "client_balance_manager_adjust_reverse",
            "balance_manager",
        )
        self.assertEqual(account.balance, 1300.0)
        self.assertLedger(account)
        adjustment = account.operation_ids.filtered(lambda op: op.kind == "adjustment")
        self.assertEqual(len(adjustment), 1, "the refused counterpart wrote nothing")
        self.assertEqual(adjustment.amount, 300.0)
        self.assertEqual(
            adjustment.description,
            "mutual settlement: our debt for the client's supply of 12 October",
        )
        self.assertEqual(adjustment.counterpart_account_id, payable)
        self.assertEqual(adjustment.user_id.login, "balance_manager")
        self.assertEntry(adjustment, 0.0, 300.0)
        counterpart = adjustment.move_id.line_ids.filtered(lambda line: line.account_id == payable)
        self.assertEqual((counterpart.debit, counterpart.credit), (300.0, 0.0))

        self.assertEqual(wrong.state, "reversed")
        reversal = wrong.reversal_operation_id
        self.assertEqual(reversal.kind, "reversal")
        self.assertEqual(reversal.reversed_operation_id, wrong)
        self.assertEqual(reversal.amount, -500.0)
        self.assertEqual(reversal.user_id.login, "balance_manager")
        self.assertEntry(reversal, 500.0, 0.0)
        self.assertEqual(reversal.move_id.reversed_entry_id, wrong.move_id)
        self.assertEqual(wrong.move_id.state, "posted", "posted entries are never deleted")
        # The reversing entry gives back exactly what the top-up booked.
        for line in wrong.move_id.line_ids:
            mirror = reversal.move_id.line_ids.filtered(
                lambda other, line=line: other.account_id == line.account_id
            )
            self.assertEqual((mirror.debit, mirror.credit), (line.credit, line.debit))
        self.assertEqual(len(account.operation_ids.filtered(lambda op: op.state == "posted")), 3)

    def test_retainer_deposit(self):
        """A law firm requests a retainer, sends it, receives it in two parts
        and spends it on a later invoice.

        Groups: Invoicing / Billing (deposit invoices: post, send, register
        payments) and Client Balances / Pay from Balance (requesting a deposit
        needs Client Balances / User; spending it, Pay from Balance)."""
        self._user(
            "law_assistant",
            ["account.group_account_invoice", "client_balance.client_balance_group_spend"],
        )
        client = self._client("Andrey Petrov", email="andrey.petrov@example.com")
        later = self._invoice(client, 2500.0, "Representation at the court hearing")
        template = self.env.ref("client_balance.email_template_deposit_request")
        self.start_workflow_tour(
            f"/odoo/res.partner/{client.id}", "client_balance_retainer_deposit", "law_assistant"
        )
        account = client.client_balance_account_ids
        self.assertEqual(len(account), 1)
        self.assertEqual(account.type_id, self.deposits)
        deposit = account.deposit_invoice_ids
        self.assertEqual(len(deposit), 1)
        self.assertEqual(deposit.state, "posted")
        self.assertEqual(deposit.amount_total, 3000.0)
        self.assertEqual(deposit.invoice_line_ids.name, "Initial deposit")
        self.assertPaid(deposit)
        payments = deposit._get_reconciled_payments()
        self.assertEqual(sorted(payments.mapped("amount")), [1000.0, 2000.0])
        # Posting the deposit credited the liability account, on the account.
        credit = self._liability(deposit, account)
        self.assertEqual((credit.debit, credit.credit), (0.0, 3000.0))
        self.assertEqual(credit.client_balance_account_id, account)
        self.assertEqual(self._receivable(deposit).debit, 3000.0)
        # Sent with the deposit request template.
        subject = template._render_field("subject", deposit.ids)[deposit.id]
        self.assertIn("Deposit Request", subject)
        message = deposit.message_ids.filtered(lambda message: message.subject == subject)
        self.assertEqual(len(message), 1)
        self.assertIn(client, message.partner_ids, "sent to the client")
        self.assertTrue(deposit.is_move_sent)

        self.assertPaid(later)
        spend = account.operation_ids.filtered(lambda op: op.kind == "spend")
        self.assertEqual(spend.amount, -2500.0)
        self.assertEqual(spend.invoice_ids, later)
        self.assertEntry(spend, 2500.0, 0.0)
        self.assertTrue(self._receivable(spend.move_id).reconciled)
        self.assertEqual(account.balance, 500.0)
        self.assertEqual(account.available, 500.0)
        self.assertEqual(account.pending_deposit, 0.0)
        self.assertLedger(account)
