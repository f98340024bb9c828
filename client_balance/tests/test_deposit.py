from contextlib import contextmanager

from odoo import Command
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, tagged

from .common import ClientBalanceCommon


@tagged("post_install", "-at_install")
class TestDeposit(ClientBalanceCommon):
    """Deposit (retainer) invoices: one "Initial deposit" line that credits
    the client account at posting, spendable as far as it is paid."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # Taxes booked on a tax account, as a chart of accounts makes them.
        sale_tax = cls.company_data["default_tax_sale"]
        cls.vat = sale_tax.copy(
            {"name": "VAT 20%", "amount": 20.0, "include_base_amount": True, "sequence": 1}
        )
        cls.local_tax = sale_tax.copy({"name": "Local tax 2%", "amount": 2.0, "sequence": 2})
        cls.deposits.deposit_tax_ids = cls.vat | cls.local_tax
        cls.account = cls._open_class_account()

    @classmethod
    def _open_class_account(cls):
        return cls.env["client.balance.account"].browse(
            cls.client.with_user(cls.user_front_desk).client_balance_open(
                cls.deposits.id, currency_id=cls.currency.id
            )
        )

    def _request(self, amount, **kwargs):
        return self.env["account.move"].browse(
            self.account.with_user(self.user_front_desk).request_deposit(amount, **kwargs)
        )

    def _pay(self, invoice, amount, memo, journal=None, date=None):
        wizard = (
            self.env["account.payment.register"]
            .with_context(active_model="account.move", active_ids=invoice.ids)
            .create(
                {
                    "amount": amount,
                    "journal_id": (journal or self.bank_journal).id,
                    "payment_date": date or self.today,
                    "communication": memo,
                }
            )
        )
        return wizard._create_payments()

    @contextmanager
    def _rolled_back(self, exception, pattern):
        """Refused, and the refused change is rolled back."""
        with self.assertRaises(exception) as caught:
            yield
        self.assertRegex(str(caught.exception), pattern)

    def test_retainer_story(self):
        """The practice's retainer: 3 000 with VAT ticked, paid in two parts
        (a cheque, then a bank transfer), then spent on the work done."""
        invoice = self._request(3000.0, tax_ids=self.vat.ids)
        self.assertEqual(invoice.state, "draft")
        self.assertEqual(invoice.client_balance_deposit_account_id, self.account)
        line = invoice.invoice_line_ids
        self.assertEqual(len(line), 1)
        self.assertEqual(line.name, "Initial deposit")
        self.assertEqual(line.product_id, self.env.ref("client_balance.product_initial_deposit"))
        self.assertEqual((line.quantity, line.price_unit), (1.0, 3000.0))
        self.assertEqual(line.account_id, self.liability_account)
        self.assertEqual(line.tax_ids, self.vat)
        self.assertAlmostEqual(invoice.amount_total, 3600.0)

        invoice.action_post()
        operation = self.account.operation_ids
        self.assertEqual(operation.kind, "deposit")
        self.assertEqual(operation.move_id, invoice)
        self.assertEqual(operation.invoice_ids, invoice)
        self.assertAlmostEqual(operation.amount, 3000.0)
        # In the balance at posting, available as far as paid.
        self.assertAlmostEqual(self.account.balance, 3000.0)
        self.assertAlmostEqual(self.account.pending_deposit, 3000.0)
        self.assertAlmostEqual(self.account.available, 0.0)
        self.assertAlmostEqual(-sum(self._liability_lines(self.account).mapped("balance")), 3000.0)

        visit = self._invoice(2500.0)
        self.assertRefused(
            UserError,
            "3,000.00 of its deposit invoices is not paid yet",
            self.account.with_user(self.user_cashier).spend,
            visit.id,
            100.0,
        )

        self._pay(invoice, 1600.0, "Cheque 118")
        self.assertEqual(invoice.payment_state, "partial")
        # A payment covers the VAT first: 2 000 is still due, all of it
        # deposit.
        self.assertAlmostEqual(self.account.pending_deposit, 2000.0)
        self.assertAlmostEqual(self.account.available, 1000.0)

        self._pay(invoice, 2000.0, "Statement 2026/11")
        self.assertIn(invoice.payment_state, ("paid", "in_payment"))
        self.assertEqual(
            sorted(invoice._get_reconciled_payments().mapped("memo")),
            ["Cheque 118", "Statement 2026/11"],
        )
        self.assertAlmostEqual(self.account.pending_deposit, 0.0)
        self.assertAlmostEqual(self.account.available, 3000.0)

        spend = self.env["client.balance.operation"].browse(
            self.account.with_user(self.user_cashier).spend(visit.id)
        )
        self.assertAlmostEqual(spend.amount, -2500.0)
        self.assertIn(visit.payment_state, ("paid", "in_payment"))
        self.assertAlmostEqual(self.account.balance, 500.0)
        self.assertAlmostEqual(self.account.available, 500.0)
        self.assertEqual(self.account.deposit_invoice_ids, invoice)

        # Reset to draft is refused once a payment is reconciled.
        with self.assertRaisesRegex(UserError, "cannot be reset to draft"):
            invoice.button_draft()
        self.assertFalse(
            self.env["client.balance.account"].check_integrity(self.company.ids),
            "the books agree with the balances",
        )

    def test_second_tax_on_the_first(self):
        """The second tax is computed on the amount with the first when the
        first affects the base of subsequent taxes; the balance gets the
        deposit without taxes."""
        invoice = self._request(1000.0, tax_ids=(self.vat | self.local_tax).ids)
        # 1 000 + 200 VAT + 2% of 1 200
        self.assertAlmostEqual(invoice.amount_total, 1224.0)
        invoice.action_post()
        self.assertAlmostEqual(self.account.balance, 1000.0)

    def test_discount(self):
        invoice = self.account._request_deposit(3000.0, discount_type="percent", discount=10.0)
        invoice.action_post()
        self.assertAlmostEqual(invoice.amount_total, 2700.0)
        self.assertAlmostEqual(self.account.balance, 2700.0)
        fixed = self.account._request_deposit(1000.0, discount_type="fixed", discount=150.0)
        self.assertAlmostEqual(fixed.amount_total, 850.0)
        self.assertIn("less a discount", fixed.invoice_line_ids.name)
        with self.assertRaisesRegex(UserError, "smaller than the deposit"):
            self.account._request_deposit(100.0, discount_type="fixed", discount=100.0)

    def test_wizard_opens_the_account(self):
        """From the partner form: type and currency, the account is opened."""
        other = self.env["res.partner"].create({"name": "Law Client", "is_company": True})
        action = other.action_client_balance_request_deposit()
        wizard_form = Form(
            self.env["client.balance.deposit"]
            .with_user(self.user_front_desk)
            .with_context(**action["context"])
        )
        wizard_form.amount = 500.0
        self.assertEqual(wizard_form.type_id, self.deposits)
        wizard_form.invoice_date_due = self.today
        result = wizard_form.save().action_confirm()
        invoice = self.env["account.move"].browse(result["res_id"])
        account = invoice.client_balance_deposit_account_id
        self.assertEqual(account.commercial_partner_id, other)
        self.assertEqual(invoice.invoice_date_due, self.today)
        invoice.action_post()
        self.assertAlmostEqual(account.balance, 500.0)

    def test_document(self):
        """Sent with its own template, printed as a deposit request."""
        invoice = self._request(300.0)
        invoice.action_post()
        self.assertEqual(
            invoice._get_mail_template(),
            self.env.ref("client_balance.email_template_deposit_request"),
        )
        html = (
            self.env["ir.actions.report"]
            ._render_qweb_html("account.account_invoices", invoice.ids)[0]
            .decode()
        )
        self.assertIn("Deposit Request", html)
        plain = self._invoice(10.0)
        self.assertNotEqual(
            plain._get_mail_template(),
            self.env.ref("client_balance.email_template_deposit_request"),
        )

    def test_unpaid_deposit_cancelled(self):
        """The salon cancels an unpaid deposit with a credit note: the
        balance comes back, nothing was available, nothing is left due."""
        self._topup(self.account, 50.0)
        invoice = self._request(200.0)
        invoice.action_post()
        self.assertAlmostEqual(self.account.balance, 250.0)
        self.assertAlmostEqual(self.account.available, 50.0)
        credit_note = invoice._reverse_moves(cancel=True)
        self.assertEqual(credit_note.state, "posted")
        self.assertEqual(invoice.payment_state, "reversed")
        self.assertAlmostEqual(self.account.balance, 50.0)
        self.assertAlmostEqual(self.account.pending_deposit, 0.0)
        self.assertAlmostEqual(self.account.available, 50.0)
        cancel = self.account.operation_ids.filtered(lambda op: op.move_id == credit_note)
        self.assertEqual(cancel.kind, "deposit")
        self.assertAlmostEqual(cancel.amount, -200.0)
        self.assertFalse(self.env["client.balance.account"].check_integrity(self.company.ids))

    def test_paid_deposit_is_not_cancelled_with_its_payments(self):
        invoice = self._request(100.0)
        invoice.action_post()
        self._pay(invoice, 100.0, "Cash")
        with self.assertRaisesRegex(UserError, "is paid: cancelling it"):
            invoice._reverse_moves(cancel=True)
        self.assertAlmostEqual(self.account.available, 100.0)

    def test_deposit_in_another_currency_cancelled(self):
        """A credit note at another rate than its deposit: the balance's
        items stay open, no exchange difference lands on the balance."""
        eur = self.setup_other_currency("EUR", rates=[("2026-01-01", 2.0), (str(self.today), 3.0)])
        account = self._open(currency=eur)
        invoice = self.env["account.move"].browse(
            account.with_user(self.user_front_desk).request_deposit(300.0, date="2026-02-01")
        )
        invoice.action_post()
        self.assertAlmostEqual(account.balance, 300.0)
        credit_note = invoice._reverse_moves(
            [{"date": self.today, "invoice_date": self.today}], cancel=True
        )
        self.assertEqual(credit_note.state, "posted")
        self.assertAlmostEqual(account.balance, 0.0)
        self.assertEqual(invoice.payment_state, "reversed")
        self.assertFalse(self._liability_lines(account).filtered("reconciled"))
        self.assertFalse(self.env["client.balance.account"].check_integrity(self.company.ids))

    def test_odoo_reversal_of_an_operation_entry_is_refused(self):
        """Reversing an operation's entry with Odoo's own Reverse would move
        the balance with no operation: only the operation's reversal may."""
        topup = self._topup(self.account, 40.0)
        spend = self.env["client.balance.operation"].browse(
            self.account.with_user(self.user_cashier).spend(self._invoice(30.0).id)
        )
        for operation in (topup, spend):
            with self._rolled_back(UserError, "cannot post on it directly"):
                operation.move_id._reverse_moves(cancel=True)
        self.assertAlmostEqual(self.account.balance, 10.0)

    def test_reset_unpaid_deposit_to_draft(self):
        invoice = self._request(200.0)
        # A draft moves nothing, whatever its line says.
        invoice.invoice_line_ids.price_unit = 250.0
        self.env.flush_all()
        self.assertAlmostEqual(self.account.balance, 0.0)
        invoice.invoice_line_ids.price_unit = 200.0
        invoice.action_post()
        self.assertAlmostEqual(self.account.balance, 200.0)
        invoice.button_draft()
        self.assertAlmostEqual(self.account.balance, 0.0)
        self.assertFalse(self.account.operation_ids)
        invoice.action_post()
        self.assertAlmostEqual(self.account.balance, 200.0)
        self.assertEqual(len(self.account.operation_ids), 1)
        invoice.button_cancel()
        self.assertEqual(invoice.state, "cancel")
        self.assertAlmostEqual(self.account.balance, 0.0)

    def test_salon_cancels_a_top_up(self):
        """A top-up taken by mistake is cancelled by a manager: the balance
        is back where it was, both entries stay posted."""
        topup = self._topup(self.account, 1000.0, journal=self.cash_journal)
        self.assertAlmostEqual(self.account.balance, 1000.0)
        reversal = self.env["client.balance.operation"].browse(
            topup.with_user(self.user_manager).reverse()
        )
        self.assertEqual(topup.state, "reversed")
        self.assertEqual(reversal.move_id.state, "posted")
        self.assertEqual(topup.move_id.state, "posted")
        self.assertAlmostEqual(self.account.balance, 0.0)

    def test_bad_input(self):
        request = self.account.with_user(self.user_front_desk).request_deposit
        self.assertRefused(UserError, "must be positive", request, 0.0)
        self.assertRefused(UserError, "more decimals", request, 10.001)
        other_tax = self.company_data["default_tax_sale"]
        self.assertRefused(UserError, "does not allow", request, 100.0, tax_ids=other_tax.ids)
        self.assertRefused(
            AccessError,
            "Only members",
            self.account.with_user(self.user_plain).request_deposit,
            100.0,
        )

        invoice = self._request(100.0)
        line = invoice.invoice_line_ids
        with self._rolled_back(UserError, "cannot be removed"):
            line.unlink()
        with self._rolled_back(UserError, "cannot be removed"):
            invoice.write({"invoice_line_ids": [Command.delete(line.id)]})
        with self._rolled_back(ValidationError, "its only line"):
            invoice.write(
                {"invoice_line_ids": [Command.create({"name": "Extra", "price_unit": 5.0})]}
            )
        with self._rolled_back(ValidationError, "quantity 1"):
            line.quantity = 2
        line.tax_ids = other_tax
        with self.assertRaisesRegex(UserError, "does not allow"):
            invoice.action_post()
        self.assertEqual(invoice.state, "draft")
        line.tax_ids = False
        invoice.action_post()

        operation = self.account.operation_ids
        with self.assertRaisesRegex(UserError, "cancel it with a credit note"):
            operation.with_user(self.user_manager).reverse()

        # A draft deposit request is deleted like any draft invoice.
        draft = self._request(40.0)
        draft.unlink()
        self.assertFalse(draft.exists())

        # A closed account takes no deposit.
        other = self._open(partner=self.env["res.partner"].create({"name": "Closed Client"}))
        other.action_close()
        self.assertRefused(
            UserError, "is closed", other.with_user(self.user_front_desk).request_deposit, 10.0
        )

    def test_listed_on_the_partner(self):
        invoice = self._request(120.0)
        invoice.action_post()
        action = self.client.action_client_balance_deposit_invoices()
        listed = self.env["account.move"].search(action["domain"])
        self.assertEqual(listed, invoice)
        self.assertEqual(listed.payment_state, "not_paid")
        self.assertEqual(self.account.deposit_invoice_count, 1)
