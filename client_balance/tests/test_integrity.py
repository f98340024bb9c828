from odoo.exceptions import AccessError
from odoo.tests import tagged

from .common import ClientBalanceCommon


@tagged("post_install", "-at_install")
class TestIntegrity(ClientBalanceCommon):
    def setUp(self):
        super().setUp()
        Operation = self.env["client.balance.operation"]
        # Clean books: two requisites, top-ups, a spend and an adjustment.
        self.account = self._open()
        self.other = self._open(requisite=self.client)
        self.topup = self._topup(self.account, 100.0)
        self._topup(self.other, 40.0)
        invoice = self._invoice(30.0)
        self.spend = Operation.browse(
            self.account.with_user(self.user_cashier).spend(invoice.id, 30.0)
        )
        self.adjustment = Operation.browse(
            self.account.with_user(self.user_manager).adjust(
                5.0, self.income_account.id, "Goodwill"
            )
        )
        self.Account = self.env["client.balance.account"].with_user(self.user_manager)

    def _check(self):
        return self.Account.check_integrity(company_ids=[self.company.id])

    def _break(self, query, *params):
        """Change the books behind the ORM's back."""
        self.env.flush_all()
        self.env.cr.execute(query, params)
        self.env.invalidate_all()

    def _liability_line(self, operation):
        return operation.move_id.line_ids.filtered("client_balance_account_id")

    def _issue(self, kind, **values):
        """An issue of ``self.account`` with ``values``, False elsewhere."""
        return {
            "kind": kind,
            "company_id": self.company.id,
            "liability_account_id": self.liability_account.id,
            "partner_id": self.account.partner_id.id,
            "client_account_id": False,
            "currency_id": self.currency.id,
            "move_line_id": False,
            "operation_id": False,
            "expected": False,
            "found": False,
            **values,
        }

    def assertIssues(self, issues, expected):
        """``issues`` are ``expected`` (without messages), each with a message."""
        self.assertEqual([{k: v for k, v in i.items() if k != "message"} for i in issues], expected)
        for issue in issues:
            self.assertTrue(issue["message"])

    def test_clean_books(self):
        self.assertEqual(self.account.balance, 75.0)
        self.assertEqual(self.other.balance, 40.0)
        self.assertEqual(self._check(), [])

    def test_changed_journal_item(self):
        line = self._liability_line(self.topup)
        self._break(
            "UPDATE account_move_line SET amount_currency = amount_currency + 10, "
            "balance = balance + 10 WHERE id = %s",
            line.id,
        )
        self._break(
            "UPDATE account_move_line SET amount_currency = amount_currency - 10, "
            "balance = balance - 10 WHERE id IN %s",
            tuple((self.topup.move_id.line_ids - line).ids),
        )
        issues = self._check()
        self.assertIssues(
            issues,
            [
                self._issue("ledger_mismatch", expected=65.0, found=75.0),
                self._issue(
                    "balance_mismatch",
                    client_account_id=self.account.id,
                    expected=65.0,
                    found=75.0,
                ),
            ],
        )
        self.assertIn(self.liability_account.display_name, issues[0]["message"])
        self.assertIn("65.00", issues[0]["message"])
        self.assertIn(self.account.display_name, issues[1]["message"])
        self.assertIn("75.00", issues[1]["message"])

    def test_changed_stored_balance(self):
        self._break(
            "UPDATE client_balance_account SET balance = balance + 12.5 WHERE id = %s",
            self.account.id,
        )
        issues = self._check()
        self.assertIssues(
            issues,
            [
                self._issue("ledger_mismatch", expected=75.0, found=87.5),
                self._issue(
                    "balance_mismatch",
                    client_account_id=self.account.id,
                    expected=75.0,
                    found=87.5,
                ),
            ],
        )
        # Without companies (or an empty list): the user's allowed companies.
        self.assertEqual(self.Account.check_integrity(), issues)
        self.assertEqual(self.Account.check_integrity([]), issues)

    def test_unlinked_item(self):
        line = self._liability_line(self.adjustment)
        self._break(
            "UPDATE account_move_line SET client_balance_account_id = NULL WHERE id = %s",
            line.id,
        )
        issues = self._check()
        self.assertIssues(
            issues,
            [
                self._issue(
                    "balance_mismatch",
                    client_account_id=self.account.id,
                    expected=70.0,
                    found=75.0,
                ),
                self._issue("unlinked_item", move_line_id=line.id, found=5.0),
            ],
        )
        self.assertIn(line.move_id.name, issues[1]["message"])

    def test_misplaced_item(self):
        line = self._liability_line(self.adjustment)
        self._break(
            "UPDATE account_move_line SET account_id = %s WHERE id = %s",
            self.income_account.id,
            line.id,
        )
        issues = self._check()
        self.assertIssues(
            issues,
            [
                self._issue("ledger_mismatch", expected=70.0, found=75.0),
                self._issue(
                    "misplaced_item",
                    client_account_id=self.account.id,
                    move_line_id=line.id,
                    found=5.0,
                ),
            ],
        )
        self.assertIn(self.income_account.display_name, issues[1]["message"])

    def test_unposted_operation(self):
        move = self.spend.move_id
        self._break("UPDATE account_move SET state = 'draft' WHERE id = %s", move.id)
        self._break(
            "UPDATE account_move_line SET parent_state = 'draft' WHERE move_id = %s", move.id
        )
        issues = self._check()
        self.assertIssues(
            issues,
            [
                self._issue("ledger_mismatch", expected=105.0, found=75.0),
                self._issue(
                    "balance_mismatch",
                    client_account_id=self.account.id,
                    expected=105.0,
                    found=75.0,
                ),
                self._issue(
                    "unposted_operation",
                    client_account_id=self.account.id,
                    operation_id=self.spend.id,
                    expected=-30.0,
                ),
            ],
        )
        self.assertIn(move.name, issues[2]["message"])

    def test_manager_only(self):
        for user in (self.user_plain, self.user_front_desk, self.user_cashier):
            Account = self.env["client.balance.account"].with_user(user)
            with self.assertRaisesRegex(
                AccessError, "Only members of Client Balances / Manager can do this"
            ):
                Account.check_integrity(company_ids=[self.company.id])
            with self.assertRaisesRegex(
                AccessError, "Only members of Client Balances / Manager can do this"
            ):
                Account.action_check_integrity()
        other_company = self.env["res.company"].create({"name": "Other Branch Ltd"})
        with self.assertRaisesRegex(AccessError, "of your own companies only"):
            self.Account.check_integrity(company_ids=[other_company.id])
        server_action = self.env.ref("client_balance.client_balance_integrity_action_server")
        with self.assertRaisesRegex(AccessError, "enough access rights to run this action"):
            server_action.with_user(self.user_front_desk).run()

    def test_menu_and_button_for_managers(self):
        def list_arch(user):
            Account = self.env["client.balance.account"].with_user(user)
            return Account.get_views([(False, "list")])["views"]["list"]["arch"]

        def visible_menus(user):
            return self.env["ir.ui.menu"].with_user(user)._visible_menu_ids()

        self.assertIn("Check Integrity", list_arch(self.user_manager))
        self.assertNotIn("Check Integrity", list_arch(self.user_front_desk))
        menu = self.env.ref("client_balance.client_balance_integrity_menu")
        self.assertIn(menu.id, visible_menus(self.user_manager))
        self.assertNotIn(menu.id, visible_menus(self.user_front_desk))

    def test_action(self):
        server_action = self.env.ref(
            "client_balance.client_balance_integrity_action_server"
        ).with_user(self.user_manager)
        action = server_action.run()
        self.assertEqual(action["tag"], "display_notification")
        self.assertEqual(action["params"]["type"], "success")
        self.assertEqual(
            action["params"]["message"], "The client balances agree with the general ledger."
        )

        self._break(
            "UPDATE client_balance_account SET balance = 0 WHERE id IN %s",
            tuple((self.account | self.other).ids),
        )
        expected = self._check()
        self.assertEqual(len(expected), 4)
        action = server_action.run()
        self.assertEqual(action["res_model"], "client.balance.integrity.issue")
        issues = self.env[action["res_model"]].with_user(self.user_manager).search(action["domain"])
        self.assertEqual(
            [
                (i.kind, i.client_account_id.id, i.partner_id.id, i.expected, i.found, i.message)
                for i in issues.sorted("id")
            ],
            [
                (
                    i["kind"],
                    i["client_account_id"],
                    i["partner_id"],
                    i["expected"],
                    i["found"],
                    i["message"],
                )
                for i in expected
            ],
        )

    def test_cron_notifies_managers(self):
        Message = self.env["mail.message"].sudo()
        partner = self.user_manager.partner_id
        domain = [("message_type", "=", "user_notification"), ("partner_ids", "in", partner.ids)]
        before = Message.search(domain)
        self.assertEqual(self.env["client.balance.account"]._cron_check_integrity(), [])
        self.assertEqual(Message.search(domain), before, "nothing is sent when the books agree")

        line = self._liability_line(self.adjustment)
        self._break(
            "UPDATE account_move_line SET client_balance_account_id = NULL WHERE id = %s",
            line.id,
        )
        issues = self.env["client.balance.account"]._cron_check_integrity()
        self.assertEqual(
            [
                (issue["kind"], issue["move_line_id"])
                for issue in issues
                if issue["company_id"] == self.company.id
            ],
            [("balance_mismatch", False), ("unlinked_item", line.id)],
        )
        message = Message.search(domain) - before
        self.assertEqual(len(message), 1)
        self.assertIn("integrity check", message.subject)
        self.assertIn(self.account.display_name, message.body)
        self.assertIn(line.move_id.name, message.body)
        self.assertTrue(
            self.env["mail.notification"]
            .sudo()
            .search([("mail_message_id", "=", message.id), ("res_partner_id", "=", partner.id)])
        )

    def test_notification_lists_fifty_issues(self):
        issues = [{"message": f"Issue number {n}."} for n in range(53)]
        message = self.env["client.balance.account"].sudo()._notify_integrity_issues(issues)
        self.assertIn("Issue number 49.", message.body)
        self.assertNotIn("Issue number 50.", message.body)
        self.assertIn("and 3 more", message.body)
