from odoo import Command
from odoo.tests import Form, tagged

from .common import ClientBalanceCommon


@tagged("post_install", "-at_install")
class TestLedger(ClientBalanceCommon):
    def test_company_defaults(self):
        """A company with a chart gets a liability account, a journal, an
        opening counterpart and the Deposits type with no configuration."""
        self.assertEqual(self.liability_account.account_type, "liability_current")
        self.assertTrue(self.liability_account.reconcile)
        self.assertEqual(self.company.client_balance_journal_id.type, "general")
        self.assertTrue(self.company.client_balance_opening_account_id)
        accounting = self.deposits._get_accounting(self.company)
        self.assertEqual(accounting["liability_account"], self.liability_account)
        new_type = (
            self.env["client.balance.type"]
            .with_user(self.user_manager)
            .create({"name": "Gift credit"})
        )
        self.assertEqual(
            new_type._get_accounting(self.company)["journal"],
            self.company.client_balance_journal_id,
        )

    def test_open_defaults(self):
        account = self._open()
        self.assertEqual(account.partner_id, self.client_invoice_address)
        self.assertEqual(account.commercial_partner_id, self.client)
        self.assertEqual(account.currency_id, self.currency)
        self.assertEqual(account.company_id, self.company)
        self.assertEqual(account.user_id, self.user_front_desk)
        self.assertEqual(account.state, "open")
        self.assertTrue(account.is_default)
        self.assertEqual(account.balance, 0.0)
        self.assertEqual(account.liability_account_id, self.liability_account)
        second = self._open(requisite=self.client)
        self.assertFalse(second.is_default, "one default account per client and currency")

    def test_topup_is_a_customer_payment(self):
        account = self._open()
        operation = self._topup(account, 250.0)
        self.assertEqual(operation.kind, "topup")
        self.assertEqual(operation.amount, 250.0)
        self.assertEqual(operation.state, "posted")
        self.assertEqual(operation.user_id, self.user_front_desk)
        payment = operation.payment_id
        self.assertEqual(payment.payment_type, "inbound")
        self.assertEqual(payment.partner_id, self.client_invoice_address)
        self.assertEqual(payment.journal_id, self.bank_journal)
        self.assertEqual(operation.move_id, payment.move_id)
        self.assertEqual(payment.move_id.state, "posted")
        self.assertRecordValues(
            payment.move_id.line_ids.sorted("balance"),
            [
                {
                    "account_id": self.liability_account.id,
                    "balance": -250.0,
                    "client_balance_account_id": account.id,
                },
                {
                    "account_id": payment.outstanding_account_id.id,
                    "balance": 250.0,
                    "client_balance_account_id": False,
                },
            ],
        )
        self.assertEqual(account.balance, 250.0)
        self.assertEqual(account.available, 250.0)

    def test_spend_partial_then_full(self):
        account = self._open()
        self._topup(account, 100.0)
        invoice = self._invoice(150.0)
        operation = self.env["client.balance.operation"].browse(
            account.with_user(self.user_cashier).spend(invoice.id)
        )
        self.assertEqual(operation.amount, -100.0, "defaults to min(amount due, available)")
        self.assertEqual(operation.invoice_id, invoice)
        self.assertEqual(invoice.payment_state, "partial")
        self.assertEqual(invoice.amount_residual, 50.0)
        self.assertEqual(account.balance, 0.0)
        self.assertRecordValues(
            operation.move_id.line_ids.sorted("balance"),
            [
                {
                    "account_id": invoice.line_ids.filtered(
                        lambda line: line.display_type == "payment_term"
                    ).account_id.id,
                    "balance": -100.0,
                    "reconciled": True,
                    "client_balance_account_id": False,
                },
                {
                    "account_id": self.liability_account.id,
                    "balance": 100.0,
                    "reconciled": False,
                    "client_balance_account_id": account.id,
                },
            ],
        )
        self._topup(account, 80.0)
        account.with_user(self.user_cashier).spend(invoice.id, 50.0)
        self.assertEqual(invoice.payment_state, "paid")
        self.assertEqual(invoice.amount_residual, 0.0)
        self.assertEqual(account.balance, 30.0)

    def test_adjustment_and_opening(self):
        account = self._open()
        operation = self.env["client.balance.operation"].browse(
            account.with_user(self.user_manager).adjust(
                40.0, self.income_account.id, "Goodwill credit"
            )
        )
        self.assertEqual(operation.kind, "adjustment")
        self.assertEqual(operation.description, "Goodwill credit")
        self.assertEqual(account.balance, 40.0)
        self.assertRecordValues(
            operation.move_id.line_ids.sorted("balance"),
            [
                {"account_id": self.liability_account.id, "balance": -40.0},
                {"account_id": self.income_account.id, "balance": 40.0},
            ],
        )
        account.with_user(self.user_manager).adjust(-15.0, self.income_account.id, "Correction")
        self.assertEqual(account.balance, 25.0)

        other = self.env["res.partner"].create({"name": "Migrated Client"})
        migrated = self.env["client.balance.account"].browse(
            other.with_user(self.user_manager).client_balance_open(
                self.deposits.id, initial_amount=500.0
            )
        )
        opening = migrated.operation_ids
        self.assertEqual(opening.kind, "opening")
        self.assertEqual(migrated.balance, 500.0)
        self.assertEqual(
            opening.move_id.line_ids.filtered(lambda line: line.balance > 0).account_id,
            self.company.client_balance_opening_account_id,
        )

    def test_reverse_restores_balances(self):
        account = self._open()
        topup = self._topup(account, 100.0)
        invoice = self._invoice(60.0)
        spend = self.env["client.balance.operation"].browse(
            account.with_user(self.user_cashier).spend(invoice.id)
        )
        self.assertEqual(account.balance, 40.0)
        self.assertEqual(invoice.payment_state, "paid")

        reversal = self.env["client.balance.operation"].browse(
            spend.with_user(self.user_manager).reverse()
        )
        self.assertEqual(reversal.kind, "reversal")
        self.assertEqual(reversal.amount, 60.0)
        self.assertEqual(reversal.reversed_operation_id, spend)
        self.assertEqual(spend.reversal_operation_id, reversal)
        self.assertEqual(spend.state, "reversed")
        self.assertEqual(spend.move_id.state, "posted", "posted entries are never deleted")
        self.assertEqual(account.balance, 100.0)
        self.assertEqual(invoice.payment_state, "not_paid")
        self.assertEqual(invoice.amount_residual, 60.0)

        topup.with_user(self.user_manager).reverse()
        self.assertEqual(account.balance, 0.0)
        self.assertEqual(topup.state, "reversed")
        self.assertEqual(len(account.operation_ids), 4)

    def test_ledger_equals_balances(self):
        """Invariant: per partner and liability account, the general ledger is
        minus the sum of the client accounts' balances."""
        first = self._open()
        second = self._open(requisite=self.client)
        other_client = self.env["res.partner"].create({"name": "Distributor"})
        third = self._open(partner=other_client)
        self._topup(first, 300.0)
        self._topup(second, 70.0, journal=self.cash_journal)
        self._topup(third, 45.5)
        first.with_user(self.user_cashier).spend(self._invoice(120.0).id)
        third.with_user(self.user_manager).adjust(-5.5, self.income_account.id, "Fee")
        last = self._topup(second, 10.0)
        last.with_user(self.user_manager).reverse()

        ledger = {
            (account.id, partner.id): amount
            for account, partner, amount in self.env["account.move.line"]._read_group(
                [
                    ("account_id", "=", self.liability_account.id),
                    ("parent_state", "=", "posted"),
                ],
                ["account_id", "partner_id"],
                ["balance:sum"],
            )
        }
        accounts = first | second | third
        balances = {}
        for account in accounts:
            key = (account.liability_account_id.id, account.partner_id.id)
            balances[key] = balances.get(key, 0.0) - account.balance
        self.assertEqual(ledger, balances)
        self.assertEqual([first.balance, second.balance, third.balance], [180.0, 70.0, 40.0])

    def test_hand_made_entry_refused(self):
        move = self.env["account.move"].create(
            {
                "move_type": "entry",
                "journal_id": self.company_data["default_journal_misc"].id,
                "line_ids": [
                    Command.create({"account_id": self.liability_account.id, "credit": 10.0}),
                    Command.create({"account_id": self.income_account.id, "debit": 10.0}),
                ],
            }
        )
        with self.assertRaisesRegex(Exception, "holds client balances"):
            move.action_post()
        self.assertEqual(move.state, "draft")

    def test_wizards_as_a_user_would(self):
        wizard = Form(
            self.env["client.balance.open"]
            .with_user(self.user_front_desk)
            .with_context(default_partner_id=self.client.id)
        )
        self.assertEqual(wizard.requisite_id, self.client_invoice_address)
        action = wizard.save().action_open()
        account = self.env["client.balance.account"].browse(action["res_id"])
        self.assertEqual(account.type_id, self.deposits)

        topup = Form(
            self.env["client.balance.topup"]
            .with_user(self.user_front_desk)
            .with_context(default_partner_id=self.client.id)
        )
        self.assertEqual(topup.account_id, account)
        topup.amount = 90.0
        topup.journal_id = self.cash_journal
        topup.print_receipt = False
        topup.save().action_confirm()
        self.assertEqual(account.balance, 90.0)

        invoice = self._invoice(200.0)
        self.assertEqual(invoice.with_user(self.user_cashier).client_balance_available, 90.0)
        spend = Form(
            self.env["client.balance.spend"]
            .with_user(self.user_cashier)
            .with_context(default_invoice_id=invoice.id)
        )
        self.assertEqual(spend.account_id, account)
        self.assertEqual(spend.amount, 90.0)
        spend.amount = 30.0
        spend.save().action_confirm()
        self.assertEqual(invoice.amount_residual, 170.0)
        self.assertEqual(account.balance, 60.0)

        from_account = Form(
            self.env["client.balance.spend"]
            .with_user(self.user_cashier)
            .with_context(**account.action_spend()["context"])
        )
        from_account.invoice_id = invoice
        self.assertEqual(from_account.amount, 60.0, "the rest of the balance")
        from_account.amount = 10.0
        from_account.save().action_confirm()
        self.assertEqual(invoice.amount_residual, 160.0)
        self.assertEqual(account.balance, 50.0)

        adjust = Form(
            self.env["client.balance.adjust"]
            .with_user(self.user_manager)
            .with_context(default_account_id=account.id)
        )
        adjust.direction = "debit"
        adjust.amount = 10.0
        adjust.counterpart_account_id = self.income_account
        adjust.description = "Broken product"
        adjust.save().action_confirm()
        self.assertEqual(account.balance, 40.0)

    def test_advance_receipt_report(self):
        account = self._open()
        operation = self._topup(account, 123.45)
        html, _format = self.env["ir.actions.report"]._render_qweb_html(
            "client_balance.report_advance_receipt", operation.ids
        )
        html = html.decode()
        self.assertIn("Advance Receipt", html)
        self.assertIn(operation.name, html)
        self.assertIn("123.45", html)
        self.assertIn(self.client.name, html)

    def test_summary(self):
        account = self._open()
        self._topup(account, 75.0)
        summary = self.client.with_user(self.user_front_desk).client_balance_summary()
        self.assertEqual(
            summary,
            [
                {
                    "account_id": account.id,
                    "type_id": self.deposits.id,
                    "requisite_id": self.client_invoice_address.id,
                    "currency": self.currency.name,
                    "balance": 75.0,
                    "available": 75.0,
                }
            ],
        )
        self.assertEqual(
            self.client_invoice_address.with_user(self.user_front_desk).client_balance_summary(),
            summary,
        )
        self.assertEqual(self.client.client_balance_account_count, 1)
        self.assertIn("75.00", self.client.client_balance_summary_html)

    def test_invoice_available_in_batch(self):
        """The invoice form's available amount is read per client, currency
        and company, for many invoices at once."""
        account = self._open()
        self._topup(account, 40.0)
        other_client = self.env["res.partner"].create({"name": "Distributor"})
        self._topup(self._open(partner=other_client), 15.0)
        eur = self.setup_other_currency("EUR")
        invoices = (
            self._invoice(100.0)
            | self._invoice(100.0, partner=other_client)
            | self._invoice(100.0, currency=eur)
        )
        self.assertEqual(
            invoices.with_user(self.user_cashier).mapped("client_balance_available"),
            [40.0, 15.0, 0.0],
        )
