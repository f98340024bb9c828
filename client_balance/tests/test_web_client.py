import json

from odoo import Command
from odoo.service import server
from odoo.tests import HttpCase, tagged

# Run in the invoice's form: its payments, then the top-up wizard.
CHECKS = """
(async () => {
    const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
    const text = (el) => el.textContent.replace(/\\s+/g, " ").trim();
    let labels = [];
    for (let i = 0; i < 100 && labels.length < 2; i++) {
        await sleep(100);
        labels = [...document.querySelectorAll(".o_payment_label")].map(text);
    }
    if (JSON.stringify(labels.sort()) !== JSON.stringify(expected.labels.sort())) {
        console.error("unexpected payment labels: " + JSON.stringify(labels));
        return;
    }
    const action = odoo.__WOWL_DEBUG__.root.env.services.action;
    await action.doAction("client_balance.client_balance_topup_action", {
        additionalContext: {default_account_id: expected.accountId},
    });
    let input = null;
    for (let i = 0; i < 100 && !input; i++) {
        await sleep(100);
        input = document.querySelector(".modal div[name=amount] input");
    }
    if (!input || input.value !== "" || input.placeholder !== "Amount received") {
        console.error("the top-up amount does not open empty: " + (input && input.value));
        return;
    }
    console.log("test successful");
})();
"""


@tagged("post_install", "-at_install")
class TestWebClient(HttpCase):
    """What the addon adds to Odoo's web client, in a headless browser: the
    invoice's payments name the client account, and a top-up's amount opens
    empty. Needs Odoo's HTTP server: ``./dev test`` runs it with Odoo's own
    test runner (step 4)."""

    def setUp(self):
        super().setUp()
        if not server.server:
            self.skipTest("needs Odoo's HTTP server: run by Odoo's test runner")

    def test_payments_label_and_empty_amount(self):
        env = self.env(user=self.env.ref("base.user_admin"))
        client = env["res.partner"].create({"name": "Web Client Salon"})
        deposits = env.ref("client_balance.client_balance_type_deposits")
        account = env["client.balance.account"].browse(client.client_balance_open(deposits.id))
        bank = env["account.journal"].search(
            [("type", "=", "bank"), ("company_id", "=", env.company.id)], limit=1
        )
        account.topup(40.0, bank.id)
        invoice = env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": client.id,
                "invoice_line_ids": [
                    Command.create({"name": "Haircut", "price_unit": 100.0, "tax_ids": []})
                ],
            }
        )
        invoice.action_post()
        env["account.payment.register"].with_context(
            active_model="account.move", active_ids=invoice.ids
        ).create({"amount": 60.0})._create_payments()
        account.spend(invoice.id)
        expected = {
            "labels": [
                f"Paid on {invoice.invoice_date:%m/%d/%Y}",
                f"Paid on {invoice.invoice_date:%m/%d/%Y} from {account.display_name}",
            ],
            "accountId": account.id,
        }
        code = f"const expected = {json.dumps(expected)};" + CHECKS
        self.browser_js(
            f"/odoo/action-account.action_move_out_invoice_type/{invoice.id}",
            code,
            login="admin",
            timeout=120,
        )
