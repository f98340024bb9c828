import re

from odoo import Command, fields
from odoo.exceptions import UserError
from odoo.tests import Form, tagged

from .common import ClientBalanceCommon


@tagged("post_install", "-at_install")
class TestLedgerCore(ClientBalanceCommon):
    """The guarded path every movement goes through, and what operations
    carry for receipts and reports."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.eur = cls.setup_other_currency("EUR", rounding=0.01)

    def _receipt(self, report, operation):
        html, _format = self.env["ir.actions.report"]._render_qweb_html(report, operation.ids)
        return html.decode()

    def _receipt_balance(self, html):
        """The figure printed as the balance after the operation."""
        match = re.search(r'class="o_cb_balance"[^>]*>(.*?)</p>', html, re.S)
        self.assertTrue(match, "the receipt prints the balance after the operation")
        return " ".join(re.sub(r"<[^>]+>", " ", match.group(1)).split())

    def test_spend_refuses_zero_and_negative_amounts(self):
        account = self._open()
        self._topup(account, 100.0)
        invoice = self._invoice(60.0)
        cashier_account = account.with_user(self.user_cashier)
        self.assertRefused(UserError, "must be positive", cashier_account.spend, invoice.id, 0)
        self.assertRefused(UserError, "must be positive", cashier_account.spend, invoice.id, -5.0)
        self.assertRefused(UserError, "must be positive", cashier_account.spend, invoice.id, 0.0)
        # Only a missing amount means "as much as possible": None, or False
        # over XML-RPC, which has no None.
        operation = self.env["client.balance.operation"].browse(cashier_account.spend(invoice.id))
        self.assertEqual(operation.amount, -60.0)
        operation = self.env["client.balance.operation"].browse(
            cashier_account.spend(self._invoice(70.0).id, False)
        )
        self.assertEqual(operation.amount, -40.0)
        self.assertEqual(account.balance, 0.0)

    def test_signed_amounts_must_be_numbers(self):
        account = self._open()
        self._topup(account, 10.0)
        manager_account = account.with_user(self.user_manager)
        for amount in (True, "5", None):
            self.assertRefused(
                UserError,
                "must be a number",
                manager_account.adjust,
                amount,
                self.income_account.id,
                "Gift",
            )

    def test_balance_after_and_receipt_of_its_day(self):
        account = self._open()
        first = self._topup(account, 100.0)
        second = self._topup(account, 50.0)
        invoice = self._invoice(30.0)
        spend = self.env["client.balance.operation"].browse(
            account.with_user(self.user_cashier).spend(invoice.id, 30.0)
        )
        self.assertEqual((first | second | spend).mapped("balance_after"), [100.0, 150.0, 120.0])
        # Printed after the later movements, the first receipt still shows
        # the balance of its own day.
        html = self._receipt("client_balance.report_advance_receipt", first)
        self.assertIn("Advance Receipt", html)
        self.assertEqual(self._receipt_balance(html), "$ 100.00")
        html = self._receipt("client_balance.report_settlement_receipt", spend)
        self.assertIn("Settlement Receipt", html)
        self.assertNotIn("Advance", html)
        self.assertIn(invoice.name, html)
        self.assertEqual(self._receipt_balance(html), "$ 120.00")

    def test_receipts_only_for_their_kinds(self):
        self.company.external_report_layout_id = self.env.ref("web.external_layout_standard")
        account = self._open()
        topup = self._topup(account, 100.0)
        invoice = self._invoice(30.0)
        spend = self.env["client.balance.operation"].browse(
            account.with_user(self.user_cashier).spend(invoice.id)
        )
        adjustment = self.env["client.balance.operation"].browse(
            account.with_user(self.user_manager).adjust(5.0, self.income_account.id, "Gift")
        )
        self.assertEqual((topup | spend | adjustment).mapped("has_receipt"), [True, True, False])
        self.assertEqual(
            topup.action_print_receipt()["report_name"], "client_balance.report_advance_receipt"
        )
        self.assertEqual(
            spend.action_print_receipt()["report_name"],
            "client_balance.report_settlement_receipt",
        )
        with self.assertRaisesRegex(UserError, "only top-ups and payments from the balance"):
            adjustment.action_print_receipt()
        with self.assertRaisesRegex(UserError, "it is for Top-up only"):
            self._receipt("client_balance.report_advance_receipt", spend)
        with self.assertRaisesRegex(UserError, "it is for Spend, Debit of a Payment Difference"):
            self._receipt("client_balance.report_settlement_receipt", topup)

    def test_minimum_balance_per_currency(self):
        """-500 in EUR lets a EUR account owe 500 euros; the same type's USD
        accounts, without a minimum of their own, owe nothing."""
        allowance = self.env["client.balance.type"].create(
            {
                "name": "Staff allowance",
                "minimum_ids": [Command.create({"currency_id": self.eur.id, "min_balance": -500})],
            }
        )
        eur_account = self._open(balance_type=allowance, currency=self.eur)
        usd_account = self._open(balance_type=allowance)
        self.assertRecordValues(
            eur_account | usd_account,
            [
                {"min_balance": -500.0, "balance": 0.0, "available": 500.0, "debt": 0.0},
                {"min_balance": 0.0, "balance": 0.0, "available": 0.0, "debt": 0.0},
            ],
        )
        self.assertRefused(
            UserError,
            "has .*0.00.* available",
            usd_account.with_user(self.user_cashier).spend,
            self._invoice(50.0).id,
            50.0,
        )
        eur_invoice = self._invoice(300.0, currency=self.eur)
        eur_account.with_user(self.user_cashier).spend(eur_invoice.id, 300.0)
        self.assertRecordValues(
            eur_account, [{"balance": -300.0, "available": 200.0, "debt": 300.0}]
        )
        self.assertRefused(
            UserError,
            "has .*200.00.* available",
            eur_account.with_user(self.user_cashier).spend,
            self._invoice(250.0, currency=self.eur).id,
            250.0,
        )
        allowance.minimum_ids.min_balance = -1000
        self.assertEqual(eur_account.available, 700.0)

    def test_entry_must_move_the_balance_by_the_amount(self):
        """An entry built for an operation that does not move its account by
        the operation's amount is refused."""
        account = self._open()
        self._topup(account, 100.0)
        other = self._topup(self._open(partner=self.partner_a), 40.0)
        with self.assertRaisesRegex(UserError, "does not move .* by"):
            self.env["client.balance.operation"]._book(
                "adjustment",
                account,
                40.0,
                counterpart_account_id=self.income_account.id,
                description="Wrong entry",
                entry_builder=lambda operation: other.move_id,
            )

    def test_source_document_link(self):
        account = self._open()
        invoice = self._invoice(10.0)
        operation = self.env["client.balance.operation"]._book(
            "adjustment",
            account,
            10.0,
            counterpart_account_id=self.income_account.id,
            description="Goodwill for a late delivery",
            source=invoice,
        )
        self.assertEqual(
            (operation.res_model, operation.res_id, operation.source_ref),
            ("account.move", invoice.id, invoice),
        )
        self.assertEqual(operation.journal_id, self.company.client_balance_journal_id)
        self.assertEqual(operation.balance_after, 10.0)

    def test_new_buttons_open_usable_forms(self):
        manager = self.user_manager
        form = Form(self.env["client.balance.account"].with_user(manager))
        self.assertEqual(form.available, 0.0)
        form.partner_id = self.client
        form.type_id = self.deposits
        form.currency_id = self.currency
        account = form.save()
        self.assertRecordValues(
            account,
            [
                {
                    "liability_account_id": self.liability_account.id,
                    "is_default": True,
                    "balance": 0.0,
                    "state": "open",
                }
            ],
        )
        type_form = Form(self.env["client.balance.type"].with_user(manager))
        type_form.name = "Gift credit"
        self.assertEqual(type_form.used_liability_account_id, self.liability_account)
        self.assertEqual(type_form.used_journal_id, self.company.client_balance_journal_id)
        with type_form.minimum_ids.new() as line:
            line.currency_id = self.eur
            line.min_balance = -50.0
        self.assertEqual(type_form.save().minimum_ids.min_balance, -50.0)

    def test_wizards_refuse_too_many_decimals(self):
        account = self._open()
        self._topup(account, 100.0)
        invoice = self._invoice(50.0)
        before = self._snapshot()
        topup = Form(
            self.env["client.balance.topup"]
            .with_user(self.user_front_desk)
            .with_context(default_account_id=account.id)
        )
        self.assertEqual(topup.amount, 0.0)
        topup.amount = 10.555
        topup.journal_id = self.cash_journal
        with self.assertRaisesRegex(UserError, "10.555 has more decimals than USD allows"):
            topup.save()
        adjust = Form(
            self.env["client.balance.adjust"]
            .with_user(self.user_manager)
            .with_context(default_account_id=account.id)
        )
        adjust.amount = 1.001
        adjust.counterpart_account_id = self.income_account
        adjust.description = "Rounding"
        with self.assertRaisesRegex(UserError, "1.001 has more decimals"):
            adjust.save()
        spend = Form(
            self.env["client.balance.spend"]
            .with_user(self.user_cashier)
            .with_context(default_invoice_id=invoice.id)
        )
        spend.amount = 20.005
        with self.assertRaisesRegex(UserError, "20.005 has more decimals"):
            spend.save()
        self.env.invalidate_all()
        self.assertEqual(self._snapshot(), before)

    def test_invoice_names_what_the_balance_paid(self):
        account = self._open()
        self._topup(account, 40.0)
        invoice = self._invoice(100.0)
        self.env["account.payment.register"].with_context(
            active_model="account.move", active_ids=invoice.ids
        ).create({"amount": 60.0})._create_payments()
        account.with_user(self.user_cashier).spend(invoice.id)
        self.assertEqual(invoice.payment_state, "paid")
        lines = invoice.invoice_payments_widget["content"]
        self.assertEqual(len(lines), 2)
        from_balance = [line for line in lines if line.get("client_balance_label")]
        self.assertEqual(len(from_balance), 1)
        self.assertEqual(from_balance[0]["client_balance_label"], f"from {account.display_name}")
        self.assertEqual(from_balance[0]["amount"], 40.0)
        self.assertEqual(invoice.client_balance_paid, 40.0)
        html, _format = self.env["ir.actions.report"]._render_qweb_html(
            "account.report_invoice_with_payments", invoice.ids
        )
        self.assertIn(f"from {account.display_name}", " ".join(html.decode().split()))
        # A credited overpayment's entry is the bank payment: it is no
        # payment from the balance.
        overpaid = self._invoice(100.0)
        self.env["account.payment.register"].with_context(
            active_model="account.move", active_ids=overpaid.ids
        ).create({"amount": 120.0, "client_balance_credit_difference": True})._create_payments()
        self.assertEqual(overpaid.payment_state, "paid")
        self.assertEqual(account.balance, 20.0)
        self.assertEqual(
            [
                line.get("client_balance_label")
                for line in overpaid.invoice_payments_widget["content"]
            ],
            [None],
        )
        self.assertEqual(overpaid.client_balance_paid, 0.0)

    def test_refused_opening_balance_leaves_no_account(self):
        manager_client = self.client.with_user(self.user_manager)
        self.assertRefused(
            UserError,
            "1.001 has more decimals",
            manager_client.client_balance_open,
            self.deposits.id,
            initial_amount=1.001,
        )
        self.assertRefused(
            UserError,
            "has .*0.00.* available: .*50.00 cannot be taken",
            manager_client.client_balance_open,
            self.deposits.id,
            initial_amount=-50.0,
        )
        self.company.fiscalyear_lock_date = self.today
        self.assertRefused(
            UserError,
            "locked until",
            manager_client.client_balance_open,
            self.deposits.id,
            initial_amount=10.0,
        )

    def test_refused_credit_opens_no_account(self):
        """The Register Payment opens an account for an overpayment of a
        client who has none; a refused credit leaves none behind."""
        invoice = self._invoice(100.0)
        self.company.fiscalyear_lock_date = fields.Date.subtract(self.today, days=1)
        wizard = (
            self.env["account.payment.register"]
            .with_user(self.user_cashier)
            .with_context(active_model="account.move", active_ids=invoice.ids)
            .create(
                {
                    "amount": 120.0,
                    "payment_date": fields.Date.subtract(self.today, days=3),
                    "client_balance_credit_difference": True,
                }
            )
        )
        self.assertTrue(wizard.client_balance_type_id)
        self.assertRefused(UserError, "locked until", wizard._create_payments)
        self.assertEqual(invoice.payment_state, "not_paid")

    def test_reversals_of_openings_and_adjustments(self):
        allowance = self.env["client.balance.type"].create(
            {
                "name": "Staff allowance",
                "minimum_ids": [
                    Command.create({"currency_id": self.currency.id, "min_balance": -300})
                ],
            }
        )
        Operation = self.env["client.balance.operation"]
        account = self.env["client.balance.account"].browse(
            self.client.with_user(self.user_manager).client_balance_open(
                allowance.id, initial_amount=-100.0
            )
        )
        opening = account.operation_ids
        self.assertRecordValues(account, [{"balance": -100.0, "debt": 100.0, "available": 200.0}])
        self.assertRecordValues(self._liability_lines(account), [{"debit": 100.0, "credit": 0.0}])
        adjustment = Operation.browse(
            account.with_user(self.user_manager).adjust(40.0, self.income_account.id, "Goodwill")
        )
        self.assertEqual(account.balance, -60.0)
        adjustment_reversal = Operation.browse(adjustment.with_user(self.user_manager).reverse())
        self.assertEqual(adjustment_reversal.amount, -40.0)
        self.assertEqual(account.balance, -100.0)
        opening_reversal = Operation.browse(opening.with_user(self.user_manager).reverse())
        self.assertEqual(opening_reversal.amount, 100.0)
        self.assertEqual(opening_reversal.balance_after, 0.0)
        self.assertRecordValues(account, [{"balance": 0.0, "debt": 0.0, "available": 300.0}])
        self.assertEqual((opening | adjustment).mapped("state"), ["reversed", "reversed"])
        self.assertEqual(
            self.env["client.balance.account"].check_integrity(company_ids=self.company.ids), []
        )

    def test_branch_uses_its_root_accounting(self):
        """A branch shares its root company's chart: it gets no deposits
        account or journal of its own, and its client accounts book on the
        root's."""
        accounts_before = self.env["account.account"].search_count([])
        journals_before = self.env["account.journal"].search_count([])
        self.company.write({"child_ids": [Command.create({"name": "Salon Branch"})]})
        self.env.cr.precommit.run()
        branch = self.company.child_ids
        self.assertEqual(branch.chart_template, self.company.chart_template)
        self.assertEqual(self.env["account.account"].search_count([]), accounts_before)
        self.assertEqual(self.env["account.journal"].search_count([]), journals_before)
        self.assertFalse(branch.client_balance_liability_account_id)
        self.user_front_desk.company_ids = [Command.link(branch.id)]
        self.user_manager.company_ids = [Command.link(branch.id)]
        # The branch first, its root allowed too: Odoo would book an entry on
        # the root's journal in the root unless told otherwise.
        both = [branch.id, self.company.id]
        front_desk = self.client.with_user(self.user_front_desk).with_context(
            allowed_company_ids=both
        )
        account = self.env["client.balance.account"].browse(
            front_desk.client_balance_open(self.deposits.id)
        )
        self.assertEqual(account.company_id, branch)
        self.assertEqual(account.liability_account_id, self.liability_account)
        operation = self.env["client.balance.operation"].browse(
            account.with_user(self.user_front_desk)
            .with_context(allowed_company_ids=both)
            .topup(25.0, self.bank_journal.id)
        )
        adjustment = self.env["client.balance.operation"].browse(
            account.with_user(self.user_manager)
            .with_context(allowed_company_ids=both)
            .adjust(-5.0, self.income_account.id, "Broken comb")
        )
        self.assertEqual(account.balance, 20.0)
        self.assertEqual(operation.journal_id, self.bank_journal)
        self.assertEqual(adjustment.journal_id, self.company.client_balance_journal_id)
        self.assertEqual((operation | adjustment).move_id.company_id, branch)
        self.assertEqual(operation.payment_id.company_id, branch)
        self.assertIn(self.liability_account, operation.move_id.line_ids.account_id)
        self.assertEqual(
            self.env["client.balance.account"].check_integrity(
                company_ids=[branch.id, self.company.id]
            ),
            [],
        )
        # A type with an account of its own in the root uses it in the branch.
        gift_liability = self.env["account.account"].create(
            {
                "name": "Gift credit",
                "code": "219900",
                "account_type": "liability_current",
                "reconcile": True,
            }
        )
        gift = self.env["client.balance.type"].create({"name": "Gift credit"})
        gift.with_company(self.company).liability_account_id = gift_liability
        self.assertEqual(gift._get_accounting(branch)["liability_account"], gift_liability)
        self.assertEqual(gift.with_company(branch).used_liability_account_id, gift_liability)
