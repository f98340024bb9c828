from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, tagged

from .common import ClientBalanceCommon


@tagged("post_install", "-at_install")
class TestPaymentRegister(ClientBalanceCommon):
    """The client balance options of Odoo's Register Payment wizard."""

    def _register(self, invoices, user=None):
        return Form(
            self.env["account.payment.register"]
            .with_user(user or self.user_cashier)
            .with_context(active_model="account.move", active_ids=invoices.ids)
        )

    def _confirm(self, form):
        action = form.save().action_create_payments()
        return self.env["account.payment"].browse(action.get("res_id")) or self.env[
            "account.payment"
        ].search(action["domain"])

    def _pay(self, invoice, amount, **options):
        """Register ``amount`` on ``invoice`` as the cashier, with the wizard
        fields ``options`` set; return the payment."""
        form = self._register(invoice)
        form.amount = amount
        for name, value in options.items():
            setattr(form, name, value)
        return self._confirm(form)

    def _accounts(self, partner=None, currency=None):
        return self.env["client.balance.account"].search(
            [
                ("commercial_partner_id", "=", (partner or self.client).id),
                ("currency_id", "=", (currency or self.currency).id),
            ]
        )

    def assertLedgerMatches(self, account):
        """The general ledger of the liability account for the requisite
        equals the balance."""
        lines = self.env["account.move.line"].search(
            [
                ("account_id", "=", account.liability_account_id.id),
                ("partner_id", "=", account.partner_id.id),
                ("currency_id", "=", account.currency_id.id),
                ("parent_state", "=", "posted"),
            ]
        )
        self.assertAlmostEqual(-sum(lines.mapped("amount_currency")), account.balance)

    # ------------------------------------------------------------------
    # Overpayment
    # ------------------------------------------------------------------

    def test_overpayment_opens_an_account(self):
        """20 159 paid on an invoice of 20 000, the client has no account
        yet: one of the default type is opened and receives the 159."""
        invoice = self._invoice(20000.0)
        self.assertFalse(self._accounts())
        form = self._register(invoice)
        self.assertTrue(form.client_balance_enabled)
        self.assertFalse(form.client_balance_can_credit, "nothing to credit yet")
        form.amount = 20159.0
        self.assertTrue(form.client_balance_can_credit)
        self.assertFalse(form.client_balance_can_debit)
        self.assertEqual(form.client_balance_credit_amount, 159.0)
        form.client_balance_credit_difference = True
        self.assertEqual(form.client_balance_type_id, self.deposits)
        self.assertFalse(form.client_balance_account_id)
        payment = self._confirm(form)

        self.assertEqual(payment.amount, 20159.0)
        self.assertEqual(invoice.payment_state, "paid")
        self.assertEqual(invoice.amount_residual, 0.0)
        account = self._accounts()
        self.assertEqual(len(account), 1)
        self.assertEqual(account.type_id, self.deposits)
        self.assertEqual(account.partner_id, self.client_invoice_address)
        self.assertTrue(account.is_default)
        self.assertEqual(account.balance, 159.0)
        lines = self._liability_lines(account)
        self.assertEqual(lines.move_id, payment.move_id)
        self.assertEqual(lines.account_id, self.liability_account)
        self.assertEqual((lines.debit, lines.credit), (0.0, 159.0))
        operation = account.operation_ids
        self.assertEqual(operation.kind, "credit_difference")
        self.assertEqual(operation.amount, 159.0)
        self.assertEqual(operation.invoice_id, invoice)
        self.assertEqual(operation.payment_id, payment)
        self.assertEqual(operation.move_id, payment.move_id)
        self.assertEqual(payment.client_balance_account_id, account)
        self.assertLedgerMatches(account)

    def test_overpayment_with_a_closed_account(self):
        """A closed account of the type is not opened twice: the message says
        to reopen it or to choose another type."""
        closed = self._open()
        closed.action_close()
        invoice = self._invoice(100.0)
        form = self._register(invoice)
        form.amount = 120.0
        form.client_balance_credit_difference = True
        self.assertFalse(form.client_balance_account_id, "a closed account is not offered")
        wizard = form.save()
        self.assertRefused(UserError, "is closed: reopen it", wizard.action_create_payments)
        gift = self.env["client.balance.type"].create({"name": "Gift credit"})
        wizard.client_balance_type_id = gift
        wizard.action_create_payments()
        self.assertEqual(self._accounts().filtered("balance").type_id, gift)
        self.assertEqual(invoice.payment_state, "paid")

    def test_overpayment_goes_to_the_default_account(self):
        other_type = self.env["client.balance.type"].create({"name": "Gift credit"})
        gift = self._open(balance_type=other_type)
        default = self._open()
        gift.is_default = False
        default.is_default = True
        self._topup(gift, 50.0)
        invoice = self._invoice(100.0)
        payment = self._pay(invoice, 130.0, client_balance_credit_difference=True)
        self.assertEqual(payment.client_balance_account_id, default)
        self.assertEqual(default.balance, 30.0)
        self.assertEqual(gift.balance, 50.0)
        self.assertEqual(invoice.payment_state, "paid")

    def test_overpayment_kept_open_without_the_option(self):
        """Odoo's own behaviour when the option is off: the extra amount stays
        as an outstanding credit of the client and the balance is untouched."""
        account = self._open()
        self._topup(account, 10.0)
        invoice = self._invoice(20000.0)
        payment = self._pay(invoice, 20159.0)
        self.assertEqual(invoice.payment_state, "paid")
        self.assertEqual(account.balance, 10.0)
        self.assertEqual(len(account.operation_ids), 1)
        self.assertFalse(payment.client_balance_account_id)
        receivable = payment.move_id.line_ids.filtered(
            lambda line: line.account_id.account_type == "asset_receivable"
        )
        self.assertEqual(receivable.amount_residual, -159.0)

    def test_odoo_difference_handling_beside_the_option(self):
        """With an outstanding receipts account on the payment method Odoo
        offers Keep open / Mark as fully paid: it still works with the option
        off, and ticking the option replaces the write-off."""
        self.bank_journal.inbound_payment_method_line_ids[:1].payment_account_id = self.env[
            "account.account"
        ].create(
            {
                "name": "Outstanding Receipts",
                "code": "OUTREC1",
                "account_type": "asset_current",
                "reconcile": True,
            }
        )
        invoice = self._invoice(20000.0)
        form = self._register(invoice)
        form.amount = 20159.0
        self.assertTrue(form.show_payment_difference)
        form.payment_difference_handling = "reconcile"
        form.writeoff_account_id = self.income_account
        payment = self._confirm(form)
        write_off = payment.move_id.line_ids.filtered(
            lambda line: line.account_id == self.income_account
        )
        self.assertEqual(write_off.credit, 159.0, "Odoo's write-off, untouched")
        self.assertFalse(self._accounts())

        invoice = self._invoice(20000.0)
        form = self._register(invoice)
        form.amount = 20159.0
        form.payment_difference_handling = "reconcile"
        form.writeoff_account_id = self.income_account
        form.client_balance_credit_difference = True
        self.assertEqual(form.payment_difference_handling, "open")
        payment = self._confirm(form)
        self.assertFalse(
            payment.move_id.line_ids.filtered(lambda line: line.account_id == self.income_account)
        )
        self.assertEqual(invoice.payment_state, "paid")
        self.assertEqual(self._accounts().balance, 159.0)

    # ------------------------------------------------------------------
    # Underpayment
    # ------------------------------------------------------------------

    def test_underpayment_debits_the_balance(self):
        """8 500 paid on an invoice of 10 000 with 2 159 on the balance:
        1 500 comes from the balance, 659 stay."""
        account = self._open()
        self._topup(account, 2159.0)
        invoice = self._invoice(10000.0)
        form = self._register(invoice)
        self.assertEqual(form.client_balance_available, 2159.0, "shown from the start")
        self.assertFalse(form.client_balance_can_debit, "the full amount is paid")
        form.amount = 8500.0
        self.assertTrue(form.client_balance_can_debit)
        self.assertEqual(form.client_balance_left_due, 1500.0)
        self.assertFalse(form.client_balance_debit)
        form.client_balance_debit = True
        self.assertEqual(form.client_balance_account_id, account)
        self.assertEqual(form.client_balance_debit_amount, 1500.0)
        payment = self._confirm(form)

        self.assertEqual(payment.amount, 8500.0)
        self.assertEqual(invoice.payment_state, "paid")
        self.assertEqual(invoice.amount_residual, 0.0)
        self.assertEqual(account.balance, 659.0)
        self.assertEqual(account.available, 659.0)
        operation = account.operation_ids.filtered(lambda op: op.kind == "debit_difference")
        self.assertEqual(operation.amount, -1500.0)
        self.assertEqual(operation.invoice_id, invoice)
        self.assertEqual(operation.payment_id, payment)
        spend_line = self._liability_lines(account).filtered(lambda line: line.debit)
        self.assertEqual(spend_line.move_id, operation.move_id)
        self.assertEqual(spend_line.debit, 1500.0)
        self.assertEqual(
            invoice.line_ids.filtered(
                lambda line: line.display_type == "payment_term"
            ).matched_credit_ids.credit_move_id.move_id,
            payment.move_id | operation.move_id,
            "the payment and the spend are both reconciled with the invoice",
        )
        self.assertLedgerMatches(account)

    def _underpayment(self, balance):
        """8 500 paid on an invoice of 10 000 with Debit from the client
        balance ticked; the client has ``balance``."""
        account = self._open()
        self._topup(account, balance)
        invoice = self._invoice(10000.0)
        form = self._register(invoice)
        form.amount = 8500.0
        form.client_balance_debit = True
        return account, invoice, form

    def test_underpayment_partial_debit_keeps_the_rest_due(self):
        account, invoice, form = self._underpayment(2159.0)
        form.client_balance_debit_amount = 1000.0
        self._confirm(form)
        self.assertEqual(invoice.payment_state, "partial")
        self.assertEqual(invoice.amount_residual, 500.0)
        self.assertEqual(account.balance, 1159.0)

    def test_debit_limited_to_available(self):
        """The default takes what is available; more is refused."""
        _account, _invoice, form = self._underpayment(1000.0)
        self.assertEqual(form.client_balance_debit_amount, 1000.0)
        form.client_balance_debit_amount = 1200.0
        wizard = form.save()
        self.assertRefused(UserError, "1,000.00 available", wizard.action_create_payments)

    def test_debit_limited_to_what_is_due(self):
        account, invoice, form = self._underpayment(2159.0)
        form.client_balance_debit_amount = 1600.0
        wizard = form.save()
        self.assertRefused(UserError, "Only .*1,500.00 is left due", wizard.action_create_payments)
        wizard.client_balance_debit_amount = 0.0
        self.assertRefused(UserError, "must be positive", wizard.action_create_payments)
        with self.assertRaisesRegex(UserError, "more decimals"):
            wizard.client_balance_debit_amount = 10.005
        self.assertEqual(invoice.amount_residual, 10000.0)
        self.assertEqual(account.balance, 2159.0)

    def test_no_debit_without_available_balance(self):
        account = self._open()
        invoice = self._invoice(100.0)
        form = self._register(invoice)
        form.amount = 60.0
        self.assertEqual(form.client_balance_account_id, account)
        self.assertFalse(form.client_balance_can_debit)
        with self.assertRaises(AssertionError):
            form.client_balance_debit = True  # invisible: not offered

    def test_reverse_the_difference_operations(self):
        """Reversing a credited overpayment leaves the payment alone and turns
        the amount into an open credit of the client; reversing a debit gives
        the invoice its amount due back."""
        invoice = self._invoice(20000.0)
        payment = self._pay(invoice, 20159.0, client_balance_credit_difference=True)
        account = self._accounts()
        credit = account.operation_ids
        reversal = credit.browse(credit.with_user(self.user_manager).reverse())
        self.assertEqual(credit.state, "reversed")
        self.assertEqual(reversal.amount, -159.0)
        self.assertEqual(account.balance, 0.0)
        self.assertEqual(payment.state, "paid")
        self.assertEqual(invoice.payment_state, "paid")
        open_credit = reversal.move_id.line_ids.filtered(
            lambda line: line.account_id == payment.destination_account_id
        )
        self.assertEqual(open_credit.amount_residual, -159.0)
        self.assertEqual(open_credit.partner_id, self.client)

        self._topup(account, 2159.0)
        invoice = self._invoice(10000.0)
        self._pay(invoice, 8500.0, client_balance_debit=True)
        debit = account.operation_ids.filtered(lambda op: op.kind == "debit_difference")
        debit.with_user(self.user_manager).reverse()
        self.assertEqual(account.balance, 2159.0)
        self.assertEqual(invoice.amount_residual, 1500.0)
        self.assertEqual(invoice.payment_state, "partial")
        self.assertLedgerMatches(account)

    def test_operation_entries_stay_posted(self):
        """The payment that credited an overpayment, a top-up and a debit
        cannot be reset to draft or cancelled: the operation is reversed."""
        account = self._open()
        topup = self._topup(account, 2159.0)
        credited = self._pay(self._invoice(20000.0), 20159.0, client_balance_credit_difference=True)
        self._pay(self._invoice(10000.0), 8500.0, client_balance_debit=True)
        debit = account.operation_ids.filtered(lambda op: op.kind == "debit_difference")
        for action in (
            credited.action_draft,
            credited.action_cancel,
            topup.payment_id.action_draft,
            debit.move_id.button_draft,
            debit.move_id.button_cancel,
        ):
            self.assertRefused(UserError, "reverse the operation instead", action)
        self.assertEqual(credited.move_id.state, "posted")
        self.assertEqual(account.balance, 2159.0 + 159.0 - 1500.0)

    # ------------------------------------------------------------------
    # Several invoices, currencies, documents
    # ------------------------------------------------------------------

    def test_grouped_payment_of_one_client(self):
        first, second = self._invoice(600.0), self._invoice(400.0)
        form = self._register(first | second)
        self.assertFalse(form.client_balance_enabled, "two payments: no difference")
        form.group_payment = True
        self.assertTrue(form.client_balance_enabled)
        form.amount = 1100.0
        form.client_balance_credit_difference = True
        payment = self._confirm(form)
        self.assertEqual(len(payment), 1)
        self.assertEqual((first | second).mapped("payment_state"), ["paid", "paid"])
        account = self._accounts()
        self.assertEqual(account.balance, 100.0)
        operation = account.operation_ids
        self.assertFalse(operation.invoice_id)
        self.assertEqual(operation.payment_id, payment)
        self.assertEqual(operation.invoice_ids, first | second)

        third, fourth = self._invoice(300.0), self._invoice(200.0)
        form = self._register(third | fourth)
        form.group_payment = True
        form.amount = 420.0
        form.client_balance_debit = True
        self.assertEqual(form.client_balance_debit_amount, 80.0)
        self._confirm(form)
        self.assertEqual((third | fourth).mapped("payment_state"), ["paid", "paid"])
        self.assertEqual(account.balance, 20.0)
        self.assertLedgerMatches(account)

    def test_several_clients_hide_the_options(self):
        """One payment per client, each paying its invoices in full: there is
        no difference, so the options are neither offered nor accepted."""
        other = self.env["res.partner"].create({"name": "Other Client", "is_company": True})
        self._topup(self._open(), 100.0)
        invoices = self._invoice(100.0) | self._invoice(200.0, partner=other)
        form = self._register(invoices)
        self.assertFalse(form.client_balance_enabled)
        self.assertFalse(form.client_balance_can_credit)
        payments = self._confirm(form)
        self.assertEqual(len(payments), 2)
        self.assertEqual(invoices.mapped("payment_state"), ["paid", "paid"])
        self.assertEqual(self.env["client.balance.operation"].search_count([]), 1)

        more = self._invoice(100.0) | self._invoice(200.0, partner=other)
        wizard = (
            self.env["account.payment.register"]
            .with_user(self.user_cashier)
            .with_context(active_model="account.move", active_ids=more.ids)
            .create({"client_balance_credit_difference": True})
        )
        self.assertRefused(
            UserError, "one payment of customer invoices", wizard.action_create_payments
        )

    def test_foreign_currency(self):
        """A EUR invoice paid in EUR: the difference goes to the client's EUR
        account, at the rate of the payment date in company currency."""
        eur = self.setup_other_currency("EUR")
        usd_account = self._open()
        eur_account = self._open(currency=eur)
        self._topup(eur_account, 300.0)
        invoice = self._invoice(1000.0, currency=eur)
        form = self._register(invoice)
        self.assertEqual(form.currency_id, eur)
        form.amount = 1100.0
        form.client_balance_credit_difference = True
        self.assertEqual(form.client_balance_account_id, eur_account)
        self._confirm(form)
        self.assertEqual(invoice.payment_state, "paid")
        self.assertEqual(eur_account.balance, 400.0)
        self.assertEqual(usd_account.balance, 0.0)
        credit_line = self._liability_lines(eur_account).filtered(
            lambda line: line.move_id.origin_payment_id.amount == 1100.0
        )
        self.assertEqual(credit_line.amount_currency, -100.0)
        self.assertEqual(credit_line.credit, 50.0, "100 EUR at 2 EUR per USD")

        invoice = self._invoice(1000.0, currency=eur)
        form = self._register(invoice)
        form.amount = 800.0
        form.client_balance_debit = True
        self.assertEqual(form.client_balance_debit_amount, 200.0)
        self._confirm(form)
        self.assertEqual(invoice.payment_state, "paid")
        self.assertEqual(eur_account.balance, 200.0)
        self.assertLedgerMatches(eur_account)

    def test_accounts_of_the_invoice_company_only(self):
        company_2 = self.setup_other_company(name="Branch Two")["company"]
        account_1 = self._open()
        account_2 = self.env["client.balance.account"].browse(
            self.client.with_company(company_2).client_balance_open(
                self.deposits.id, currency_id=self.currency.id
            )
        )
        self.assertEqual(account_2.company_id, company_2)
        invoice = self._invoice(100.0)
        wizard = (
            self.env["account.payment.register"]
            .with_context(
                active_model="account.move",
                active_ids=invoice.ids,
                allowed_company_ids=(self.company | company_2).ids,
            )
            .create({"amount": 150.0})
        )
        self.assertEqual(wizard.client_balance_account_ids, account_1)
        wizard.write(
            {"client_balance_credit_difference": True, "client_balance_account_id": account_2.id}
        )
        self.assertRefused(UserError, "not an open account of", wizard.action_create_payments)

    def test_payment_in_another_currency_hides_the_options(self):
        eur = self.setup_other_currency("EUR")
        self._topup(self._open(), 100.0)
        invoice = self._invoice(100.0)
        form = self._register(invoice)
        form.currency_id = eur
        self.assertFalse(form.client_balance_enabled)

    def test_vendor_bills_and_refunds_have_no_options(self):
        self._topup(self._open(), 100.0)
        bill = self._invoice(100.0, move_type="in_invoice")
        self.assertFalse(self._register(bill).client_balance_enabled)
        draft = self._invoice(100.0)
        draft.button_draft()
        self.assertFalse(self._register(draft).client_balance_enabled)
        refund = self._invoice(100.0, move_type="out_refund")
        self.assertFalse(self._register(refund).client_balance_enabled)
        wizard = (
            self.env["account.payment.register"]
            .with_user(self.user_cashier)
            .with_context(active_model="account.move", active_ids=refund.ids)
            .create({"amount": 120.0, "client_balance_credit_difference": True})
        )
        self.assertRefused(
            UserError, "one payment of customer invoices", wizard.action_create_payments
        )

    def test_early_payment_discount_keeps_odoo_behaviour(self):
        self._topup(self._open(), 100.0)
        term = self.env["account.payment.term"].create(
            {
                "name": "2% 10 Net 30",
                "early_discount": True,
                "discount_days": 10,
                "discount_percentage": 2,
                "line_ids": [
                    Command.create({"value": "percent", "value_amount": 100, "nb_days": 30})
                ],
            }
        )
        invoice = self.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": self.client.id,
                "invoice_date": self.today,
                "invoice_payment_term_id": term.id,
                "invoice_line_ids": [
                    Command.create({"name": "Service", "price_unit": 1000.0, "tax_ids": []})
                ],
            }
        )
        invoice.action_post()
        form = self._register(invoice)
        self.assertTrue(form.early_payment_discount_mode)
        self.assertEqual(form.amount, 980.0)
        self.assertFalse(form.client_balance_enabled)
        self._confirm(form)
        self.assertEqual(invoice.payment_state, "paid")
        self.assertEqual(self.env["client.balance.operation"].search_count([]), 1)

    # ------------------------------------------------------------------
    # Rights and integrations
    # ------------------------------------------------------------------

    def test_spend_group_required(self):
        account = self._open()
        self._topup(account, 500.0)
        invoice = self._invoice(1000.0)
        for user in self.user_plain | self.user_front_desk:
            form = self._register(invoice, user=user)
            self.assertFalse(form.client_balance_enabled)
        form.amount = 800.0
        self.assertFalse(form.client_balance_can_debit)
        wizard = (
            self.env["account.payment.register"]
            .with_user(self.user_front_desk)
            .with_context(active_model="account.move", active_ids=invoice.ids)
            .create(
                {
                    "amount": 800.0,
                    "client_balance_debit": True,
                    "client_balance_account_id": account.id,
                    "client_balance_debit_amount": 200.0,
                }
            )
        )
        self.assertRefused(AccessError, "Pay from Balance", wizard.action_create_payments)
        self.assertEqual(account.balance, 500.0)

    def test_integration_contract(self):
        """What an integration does over XML-RPC: create the wizard with the
        invoices in context, set the fields, confirm."""
        account = self._open()
        self._topup(account, 2159.0)
        Wizard = self.env["account.payment.register"].with_user(self.user_cashier)
        invoice = self._invoice(10000.0)
        Wizard.with_context(active_model="account.move", active_ids=invoice.ids).create(
            {
                "amount": 8500.0,
                "client_balance_debit": True,
                "client_balance_account_id": account.id,
                "client_balance_debit_amount": 1500.0,
            }
        ).action_create_payments()
        self.assertEqual(invoice.payment_state, "paid")
        self.assertEqual(account.balance, 659.0)

        invoice = self._invoice(20000.0)
        Wizard.with_context(active_model="account.move", active_ids=invoice.ids).create(
            {"amount": 20159.0, "client_balance_credit_difference": True}
        ).action_create_payments()
        self.assertEqual(invoice.payment_state, "paid")
        self.assertEqual(account.balance, 818.0)

        invoice = self._invoice(100.0)
        exact = Wizard.with_context(active_model="account.move", active_ids=invoice.ids).create(
            {"client_balance_credit_difference": True}
        )
        self.assertRefused(UserError, "does not exceed", exact.action_create_payments)
        closed_type = self.env["client.balance.type"].create({"name": "Closed type"})
        other = self._open(balance_type=closed_type)
        foreign = Wizard.with_context(active_model="account.move", active_ids=invoice.ids).create(
            {
                "amount": 150.0,
                "client_balance_credit_difference": True,
                "client_balance_account_id": self._open(
                    partner=self.env["res.partner"].create({"name": "Stranger"})
                ).id,
            }
        )
        self.assertRefused(UserError, "not an open account of", foreign.action_create_payments)
        self.assertTrue(other.action_close(), "XML-RPC needs a return value")
        closed = Wizard.with_context(active_model="account.move", active_ids=invoice.ids).create(
            {
                "amount": 150.0,
                "client_balance_credit_difference": True,
                "client_balance_account_id": other.id,
            }
        )
        self.assertRefused(UserError, "not an open account of", closed.action_create_payments)
