from odoo.service import server
from odoo.tests import HttpCase, new_test_user, tagged

from ..controllers.portal import ClientBalancePortal


@tagged("post_install", "-at_install")
class TestPortal(HttpCase):
    """The client's portal pages, through HTTP requests as each kind of
    user: a client sees its own balances and history, nothing of anyone
    else. Needs Odoo's HTTP server: ``./dev test`` runs it with Odoo's own
    test runner (step 4)."""

    def setUp(self):
        super().setUp()
        if not server.server:
            self.skipTest("needs Odoo's HTTP server: run by Odoo's test runner")
        env = self.env(user=self.env.ref("base.user_admin"))
        deposits = env.ref("client_balance.client_balance_type_deposits")
        bank = env["account.journal"].search(
            [("type", "=", "bank"), ("company_id", "=", env.company.id)], limit=1
        )
        self.client_a = env["res.partner"].create({"name": "Portal Salon A", "is_company": True})
        self.client_b = env["res.partner"].create({"name": "Portal Sibling B", "is_company": True})
        self.account_a = env["client.balance.account"].browse(
            self.client_a.client_balance_open(deposits.id)
        )
        for index in range(23):
            self.account_a.topup(10.0 + index, bank.id, False, f"Visit credit {index:02d}")
        self.invoice_a = env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": self.client_a.id,
                "invoice_line_ids": [(0, 0, {"name": "Haircut", "price_unit": 5.0, "tax_ids": []})],
            }
        )
        self.invoice_a.action_post()
        self.account_a.spend(self.invoice_a.id, 5.0)
        self.account_b = env["client.balance.account"].browse(
            self.client_b.client_balance_open(deposits.id)
        )
        self.account_b.topup(777.0, bank.id, False, "Secret top-up of B")
        self.portal_a = new_test_user(env, login="cb_portal_a", groups="base.group_portal")
        self.portal_a.partner_id.parent_id = self.client_a
        self.portal_b = new_test_user(env, login="cb_portal_b", groups="base.group_portal")
        self.portal_b.partner_id.parent_id = self.client_b
        self.internal = new_test_user(env, login="cb_internal_plain", groups="base.group_user")

    def _get(self, url):
        return self.url_open(url, allow_redirects=False)

    def test_own_balances_and_history(self):
        self.authenticate("cb_portal_a", "cb_portal_a")
        page = self._get("/my/balances")
        self.assertEqual(page.status_code, 200)
        self.assertIn("Portal Salon A", page.text)
        self.assertNotIn("Portal Sibling B", page.text)
        self.assertNotIn("777.00", page.text)
        history = self._get(f"/my/balances/{self.account_a.id}")
        self.assertEqual(history.status_code, 200)
        # The newest 20 of 23 operations, then Odoo's pager.
        self.assertIn("Visit credit 22", history.text)
        self.assertNotIn("Visit credit 02", history.text)
        self.assertIn(f"/my/balances/{self.account_a.id}/page/2", history.text)
        # The spend links to the invoice's portal page (no access token is
        # written by this read-only page).
        self.assertIn(f"/my/invoices/{self.invoice_a.id}", history.text)
        self.assertFalse(self.invoice_a.access_token)
        # The last page is read from the other end of the history, newest
        # first all the same.
        second = self._get(f"/my/balances/{self.account_a.id}/page/2")
        positions = [second.text.find(f"Visit credit {index:02d}") for index in (3, 2, 1, 0)]
        self.assertNotIn(-1, positions)
        self.assertEqual(positions, sorted(positions))
        self.assertNotIn("Visit credit 04", second.text)
        found = self._get(f"/my/balances/{self.account_a.id}?search=credit+05")
        self.assertIn("Visit credit 05", found.text)
        self.assertNotIn("Visit credit 06", found.text)
        counters = self.make_jsonrpc_request("/my/counters", {"counters": ["client_balance_count"]})
        self.assertEqual(counters["client_balance_count"], 1)

    def test_nothing_of_anyone_else(self):
        self.authenticate("cb_portal_b", "cb_portal_b")
        self.assertEqual(self._get(f"/my/balances/{self.account_a.id}").status_code, 404)
        self.assertEqual(self._get("/my/balances/999999").status_code, 404)
        page = self._get("/my/balances")
        self.assertNotIn("Portal Salon A", page.text)
        self.assertIn("777.00", page.text)
        # Not through the ORM either.
        accounts = self.env["client.balance.account"].with_user(self.portal_b).search([])
        self.assertEqual(accounts, self.account_b)

    def test_internal_user_without_the_right(self):
        self.authenticate("cb_internal_plain", "cb_internal_plain")
        self.assertEqual(self._get(f"/my/balances/{self.account_a.id}").status_code, 404)
        page = self._get("/my/balances")
        self.assertEqual(page.status_code, 200)
        self.assertNotIn("Portal Salon A", page.text)
        self.assertIn("You have no balance with us.", page.text)

    def test_download_statement(self):
        self.authenticate("cb_portal_a", "cb_portal_a")
        statement = self._get(f"/my/balances/{self.account_a.id}/statement")
        self.assertEqual(statement.status_code, 200)
        self.assertEqual(statement.headers["Content-Type"], "application/pdf")
        # Under tests Odoo renders reports as HTML instead of calling
        # wkhtmltopdf: the statement's content is checked in it.
        self.assertIn(b"Balance Statement", statement.content)
        self.assertIn(b"Visit credit 22", statement.content)
        self.assertNotIn(b"Secret top-up of B", statement.content)
        self.assertEqual(self._get(f"/my/balances/{self.account_b.id}/statement").status_code, 404)

    def test_routes_are_read_only(self):
        for method in (
            ClientBalancePortal.portal_my_balances,
            ClientBalancePortal.portal_my_balance,
            ClientBalancePortal.portal_my_balance_statement,
        ):
            self.assertTrue(method.original_routing["readonly"])

    def test_pages_run_on_a_read_only_cursor(self):
        """Odoo runs read-only routes on a read-only cursor and logs a
        warning when one writes and has to be retried on a read/write one:
        none here, so they can run on a read replica."""
        self.authenticate("cb_portal_a", "cb_portal_a")
        with self.assertNoLogs("odoo.http", level="WARNING"):
            for url in (
                "/my/balances",
                f"/my/balances/{self.account_a.id}",
                f"/my/balances/{self.account_a.id}/page/2",
                f"/my/balances/{self.account_a.id}/statement",
            ):
                self.assertEqual(self._get(url).status_code, 200, url)
        accountant = new_test_user(
            self.env(user=self.env.ref("base.user_admin")),
            login="cb_report_user",
            groups="base.group_user,client_balance.client_balance_group_user",
        )
        wizard = self.env["client.balance.report.wizard"].with_user(accountant).create({})
        self.authenticate("cb_report_user", "cb_report_user")
        with self.assertNoLogs("odoo.http", level="WARNING"):
            export = self._get(f"/client_balance/report/xlsx/{wizard.id}")
        self.assertEqual(export.status_code, 200)
        self.assertTrue(export.content.startswith(b"PK"), "an .xlsx file")
        # Another user's report wizard is not served.
        self.authenticate("cb_portal_a", "cb_portal_a")
        self.assertIn(self._get(f"/client_balance/report/xlsx/{wizard.id}").status_code, (403, 404))
