from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, tagged

from .common import ClientBalanceCommon


@tagged("post_install", "-at_install")
class TestPayoutRefund(ClientBalanceCommon):
    """Money back to the client (payout) and credit notes settled onto the
    balance (refund to balance)."""

    def _credit_note(self, amount, partner=None):
        return self._invoice(amount, partner=partner, move_type="out_refund")

    def test_payout(self):
        """The salon gives back 60.00 of a 100.00 deposit in cash."""
        account = self._open()
        self._topup(account, 100.0)
        payout = self.env["client.balance.operation"].browse(
            account.with_user(self.user_manager).payout(60.0, self.cash_journal.id)
        )
        self.assertRecordValues(
            payout,
            [{"kind": "payout", "amount": -60.0, "balance_after": 40.0, "state": "posted"}],
        )
        self.assertRecordValues(
            payout.payment_id,
            [
                {
                    "payment_type": "outbound",
                    "partner_type": "customer",
                    "amount": 60.0,
                    "journal_id": self.cash_journal.id,
                }
            ],
        )
        self.assertRecordValues(
            payout.move_id.line_ids.filtered("client_balance_account_id"),
            [{"account_id": self.liability_account.id, "debit": 60.0, "credit": 0.0}],
        )
        self.assertEqual(account.balance, 40.0)
        reversal = self.env["client.balance.operation"].browse(
            payout.with_user(self.user_manager).reverse()
        )
        self.assertEqual(reversal.amount, 60.0)
        self.assertEqual(account.balance, 100.0)
        self.assertEqual(
            self.env["client.balance.account"].check_integrity(company_ids=self.company.ids), []
        )

    def test_payout_refused(self):
        account = self._open()
        self._topup(account, 100.0)
        manager_account = account.with_user(self.user_manager)
        self.assertRefused(
            UserError,
            "holds .*100.00: pay out at most that",
            manager_account.payout,
            150.0,
            self.cash_journal.id,
        )
        self.assertRefused(
            UserError,
            "bank or cash journal of",
            manager_account.payout,
            10.0,
            self.company_data["default_journal_sale"].id,
        )
        self.assertRefused(
            UserError, "must be positive", manager_account.payout, -10.0, self.cash_journal.id
        )
        # An allowance's debt is no money to pay out.
        allowance = self.env["client.balance.type"].create(
            {
                "name": "Staff allowance",
                "minimum_ids": [
                    Command.create({"currency_id": self.currency.id, "min_balance": -300})
                ],
            }
        )
        staff = self._open(balance_type=allowance)
        self._topup(staff, 20.0)
        self.assertEqual(staff.available, 320.0)
        self.assertRefused(
            UserError,
            "holds .*20.00: pay out at most that",
            staff.with_user(self.user_manager).payout,
            50.0,
            self.cash_journal.id,
        )
        self.assertRefused(
            AccessError,
            "Only members of .*Manager can do this",
            account.with_user(self.user_cashier).payout,
            10.0,
            self.cash_journal.id,
        )

    def test_closing_with_money_proposes_a_payout(self):
        account = self._open()
        self._topup(account, 80.0)
        action = account.with_user(self.user_manager).action_close()
        self.assertEqual(action["res_model"], "client.balance.payout")
        self.assertEqual(account.state, "open")
        wizard = Form(
            self.env["client.balance.payout"]
            .with_user(self.user_manager)
            .with_context(**action["context"])
        )
        self.assertEqual((wizard.amount, wizard.close_account), (80.0, True))
        wizard.journal_id = self.cash_journal
        wizard.save().action_confirm()
        self.assertRecordValues(account, [{"balance": 0.0, "state": "closed"}])

    def test_refund_to_balance(self):
        """A returned item of 30.00: 10.00 kept on the balance, then the rest."""
        account = self._open()
        credit_note = self._credit_note(30.0)
        Operation = self.env["client.balance.operation"]
        refund = Operation.browse(
            credit_note.with_user(self.user_cashier).client_balance_refund_to_balance(10.0)
        )
        self.assertRecordValues(
            refund,
            [{"kind": "refund", "amount": 10.0, "account_id": account.id, "balance_after": 10.0}],
        )
        self.assertEqual(refund.invoice_ids, credit_note)
        self.assertEqual(credit_note.amount_residual, 20.0)
        self.assertEqual(credit_note.payment_state, "partial")
        self.assertRecordValues(
            refund.move_id.line_ids.sorted("balance"),
            [
                {"account_id": self.liability_account.id, "debit": 0.0, "credit": 10.0},
                {
                    "account_id": credit_note.line_ids.filtered(
                        lambda line: line.display_type == "payment_term"
                    ).account_id.id,
                    "debit": 10.0,
                    "credit": 0.0,
                },
            ],
        )
        wizard = Form(
            self.env["client.balance.refund"]
            .with_user(self.user_cashier)
            .with_context(default_credit_note_id=credit_note.id)
        )
        self.assertEqual(wizard.amount, 20.0)
        wizard.save().action_confirm()
        # Odoo calls a credit note settled by journal entries only "reversed".
        self.assertEqual(credit_note.amount_residual, 0.0)
        self.assertEqual(credit_note.payment_state, "reversed")
        self.assertEqual(account.balance, 30.0)
        # Reversing a refund gives the credit note its amount due back.
        Operation.browse(refund.with_user(self.user_manager).reverse())
        self.assertEqual(credit_note.amount_residual, 10.0)
        self.assertEqual(account.balance, 20.0)
        self.assertEqual(
            self.env["client.balance.account"].check_integrity(company_ids=self.company.ids), []
        )

    def test_refund_opens_an_account(self):
        client = self.env["res.partner"].create({"name": "Gym Member", "is_company": True})
        credit_note = self._credit_note(25.0, partner=client)
        operation = self.env["client.balance.operation"].browse(
            credit_note.with_user(self.user_cashier).client_balance_refund_to_balance()
        )
        self.assertRecordValues(
            operation.account_id,
            [{"partner_id": client.id, "type_id": self.deposits.id, "balance": 25.0}],
        )

    def test_refund_refused(self):
        self._open()
        credit_note = self._credit_note(30.0).with_user(self.user_cashier)
        self.assertRefused(
            UserError,
            "has only .*30.00 left to refund",
            credit_note.client_balance_refund_to_balance,
            40.0,
        )
        self.assertRefused(
            UserError, "must be positive", credit_note.client_balance_refund_to_balance, 0
        )
        self.assertRefused(
            UserError,
            "Only customer credit notes",
            self._invoice(30.0).with_user(self.user_cashier).client_balance_refund_to_balance,
        )
        self.assertRefused(
            AccessError,
            "Only members of .*Pay from Balance can do this",
            credit_note.with_user(self.user_front_desk).client_balance_refund_to_balance,
        )
        # A client without an account and no type to open one: nothing opened.
        client = self.env["res.partner"].create({"name": "Walk-in", "is_company": True})
        lonely = self._credit_note(15.0, partner=client).with_user(self.user_cashier)
        self.env["client.balance.type"].search([]).active = False
        self.assertRefused(
            UserError, "no balance type can open one", lonely.client_balance_refund_to_balance
        )
