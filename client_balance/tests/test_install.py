from odoo.tests import tagged

from .common import ClientBalanceCommon


@tagged("post_install", "-at_install")
class TestInstall(ClientBalanceCommon):
    def test_module_installed(self):
        module = self.env["ir.module.module"].search([("name", "=", "client_balance")])
        self.assertEqual(module.state, "installed")
        self.assertEqual(module.latest_version, "18.0.1.2.0")

    def test_groups_chain(self):
        """Manager implies spend, spend implies user: each level keeps the
        rights of the one below it, and no lower level gets a higher one."""
        self.assertIn(self.group_user, self.group_spend.implied_ids)
        self.assertIn(self.group_spend, self.group_manager.implied_ids)
        category = self.env.ref("client_balance.module_category_client_balance")
        self.assertEqual(
            (self.group_user | self.group_spend | self.group_manager).category_id,
            category,
        )
        self.assertTrue(self.user_manager.has_group("client_balance.client_balance_group_spend"))
        self.assertTrue(self.user_manager.has_group("client_balance.client_balance_group_user"))
        self.assertTrue(self.user_cashier.has_group("client_balance.client_balance_group_user"))
        self.assertFalse(self.user_cashier.has_group("client_balance.client_balance_group_manager"))
        self.assertFalse(
            self.user_front_desk.has_group("client_balance.client_balance_group_spend")
        )
        self.assertFalse(self.user_plain.has_group("client_balance.client_balance_group_user"))

    def test_admin_is_manager(self):
        admin = self.env.ref("base.user_admin")
        self.assertTrue(admin.has_group("client_balance.client_balance_group_manager"))

    def test_menu_visible_to_user_group_only(self):
        menu = self.env.ref("client_balance.client_balance_menu")
        self.assertEqual(menu.parent_id, self.env.ref("account.menu_finance_receivables"))
        visible = self.env["ir.ui.menu"].with_user(self.user_front_desk)._visible_menu_ids()
        self.assertIn(menu.id, visible)
        hidden = self.env["ir.ui.menu"].with_user(self.user_plain)._visible_menu_ids()
        self.assertNotIn(menu.id, hidden)

    def test_demo_data(self):
        front_desk = self.env.ref(
            "client_balance.res_users_front_desk_demo", raise_if_not_found=False
        )
        if not front_desk:
            self.skipTest("the database was created without demo data")
        self.assertTrue(front_desk.has_group("client_balance.client_balance_group_user"))
        self.assertFalse(front_desk.has_group("client_balance.client_balance_group_spend"))
        cashier = self.env.ref("client_balance.res_users_cashier_demo")
        self.assertTrue(cashier.has_group("client_balance.client_balance_group_spend"))
        self.assertFalse(cashier.has_group("client_balance.client_balance_group_manager"))
        deco = self.env.ref("client_balance.client_balance_account_deco_demo").sudo()
        self.assertEqual(deco.balance, 1750.0)
        self.assertEqual(sorted(deco.operation_ids.mapped("kind")), ["topup", "topup"])
        self.assertTrue(all(deco.operation_ids.move_id.mapped(lambda m: m.state == "posted")))
        allowance = self.env.ref("client_balance.client_balance_account_gemini_demo").sudo()
        self.assertEqual(allowance.balance, -120.0)
        self.assertEqual(allowance.available, 180.0)
