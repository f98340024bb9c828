from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, tagged

from .common import ClientBalanceCommon


@tagged("post_install", "-at_install")
class TestTransfer(ClientBalanceCommon):
    """Transfers between client accounts: one entry, an operation on each
    side, each linked to the other."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.eur = cls.setup_other_currency("EUR", rounding=0.01)
        cls.family = cls.env["res.partner"].create({"name": "Family Member", "is_company": True})

    def test_transfer_to_a_family_member(self):
        source = self._open()
        target = self._open(partner=self.family)
        self._topup(source, 100.0)
        Operation = self.env["client.balance.operation"]
        out_id, in_id = source.with_user(self.user_cashier).transfer(target.id, 30.0)
        sent, received = Operation.browse(out_id), Operation.browse(in_id)
        self.assertRecordValues(
            sent | received,
            [
                {
                    "kind": "transfer",
                    "account_id": source.id,
                    "amount": -30.0,
                    "balance_after": 70.0,
                    "transfer_operation_id": received.id,
                },
                {
                    "kind": "transfer",
                    "account_id": target.id,
                    "amount": 30.0,
                    "balance_after": 30.0,
                    "transfer_operation_id": sent.id,
                },
            ],
        )
        self.assertEqual(sent.move_id, received.move_id)
        self.assertRecordValues(
            sent.move_id.line_ids.sorted("balance"),
            [
                {"client_balance_account_id": target.id, "debit": 0.0, "credit": 30.0},
                {"client_balance_account_id": source.id, "debit": 30.0, "credit": 0.0},
            ],
        )
        # Between two requisites, each item names its own; the entry none.
        self.assertEqual(
            sent.move_id.line_ids.sorted("balance").partner_id.ids,
            [target.partner_id.id, source.partner_id.id],
        )
        self.assertFalse(sent.move_id.partner_id)
        self.assertEqual((source.balance, target.balance), (70.0, 30.0))
        self.assertRefused(
            UserError, "undo it with a transfer back", sent.with_user(self.user_manager).reverse
        )
        self.assertEqual(
            self.env["client.balance.account"].check_integrity(company_ids=self.company.ids), []
        )

    def test_transfer_between_currencies(self):
        """50.00 USD become 100.00 EUR at the rate the user confirms."""
        source = self._open()
        target = self._open(currency=self.eur)
        self._topup(source, 80.0)
        wizard = Form(
            self.env["client.balance.transfer"]
            .with_user(self.user_cashier)
            .with_context(default_account_id=source.id)
        )
        wizard.to_account_id = target
        wizard.amount = 50.0
        self.assertEqual(wizard.to_amount, 100.0, "the company's rate is proposed")
        wizard.to_amount = 98.0
        wizard.save().action_confirm()
        self.assertEqual((source.balance, target.balance), (30.0, 98.0))
        # One requisite on both sides: the entry is the requisite's.
        transfer = source.operation_ids.filtered(lambda operation: operation.kind == "transfer")
        self.assertEqual(transfer.move_id.partner_id, source.partner_id)
        line = self._liability_lines(target)
        self.assertRecordValues(line, [{"amount_currency": -98.0, "credit": 50.0}])
        self.assertEqual(
            self.env["client.balance.account"].check_integrity(company_ids=self.company.ids), []
        )

    def test_transfer_refused(self):
        source = self._open()
        self._topup(source, 40.0)
        target = self._open(partner=self.family)
        eur_target = self._open(partner=self.family, currency=self.eur)
        cashier_source = source.with_user(self.user_cashier)
        self.assertRefused(
            UserError, "Choose another client account", cashier_source.transfer, source.id, 10.0
        )
        self.assertRefused(UserError, "40.00 available", cashier_source.transfer, target.id, 50.0)
        self.assertRefused(
            UserError, "give the amount it receives", cashier_source.transfer, eur_target.id, 10.0
        )
        self.assertRefused(UserError, "must be positive", cashier_source.transfer, target.id, -5.0)
        self.assertRefused(
            UserError, "more decimals", cashier_source.transfer, eur_target.id, 10.0, 20.001
        )
        target.action_close()
        self.assertRefused(UserError, "is closed", cashier_source.transfer, target.id, 10.0)
        self.assertRefused(
            AccessError,
            "Only members of .*Pay from Balance can do this",
            source.with_user(self.user_front_desk).transfer,
            eur_target.id,
            10.0,
            20.0,
        )
        company_2 = self.setup_other_company()["company"]
        other = self.env["client.balance.account"].browse(
            self.family.with_company(company_2).client_balance_open(
                self.deposits.id, currency_id=company_2.currency_id.id
            )
        )
        self.assertRefused(UserError, "belongs to another company", source.transfer, other.id, 10.0)
