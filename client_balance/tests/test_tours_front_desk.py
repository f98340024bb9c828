from odoo.tests import tagged

from .tour_common import ClientBalanceTourCase


@tagged("post_install", "-at_install", "client_balance_tours")
class TestFrontDeskTours(ClientBalanceTourCase):
    def test_open_account_and_top_up(self):
        """The salon's front desk, with Client Balances / User only."""
        self._user("front_desk", ["base.group_user", "client_balance.client_balance_group_user"])
        client = self._client("Salon Client Olena")
        self.start_workflow_tour(
            f"/odoo/res.partner/{client.id}", "client_balance_front_desk_open_topup", "front_desk"
        )
        account = client.client_balance_account_ids
        self.assertEqual(len(account), 1)
        self.assertEqual(
            account.type_id, self.env.ref("client_balance.client_balance_type_deposits")
        )
        self.assertEqual(account.balance, 100.0)
        operation = account.operation_ids
        self.assertEqual(operation.kind, "topup")
        self.assertEqual(operation.move_id.state, "posted")
        liability = operation.move_id.line_ids.filtered(
            lambda line: line.account_id == account.liability_account_id
        )
        self.assertEqual(liability.credit, 100.0)
        self.assertEqual(operation.description, "Ten visits paid ahead")
        self.assertEqual(operation.user_id.login, "front_desk")

    def test_history_with_invoices(self):
        """The front desk (Client Balances / User, no invoicing right) reads
        the history of a client who paid a visit from the balance."""
        self._user("front_desk", ["base.group_user", "client_balance.client_balance_group_user"])
        client = self._client("Salon Client Marta")
        account = self._account(client, topup=100.0)
        invoice = self._invoice(client, 60.0, "Haircut")
        account.spend(invoice.id)
        self.start_workflow_tour(
            f"/odoo/res.partner/{client.id}", "client_balance_front_desk_history", "front_desk"
        )
        spend = account.operation_ids.filtered(lambda operation: operation.kind == "spend")
        self.assertEqual(spend.invoice_names, invoice.name)
        self.assertEqual(account.balance, 40.0)
