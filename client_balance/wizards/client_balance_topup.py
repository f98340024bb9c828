from odoo import api, fields, models


class ClientBalanceTopup(models.TransientModel):
    _name = "client.balance.topup"
    _description = "Top Up a Client Balance"
    _inherit = ["client.balance.amount.mixin"]

    partner_id = fields.Many2one("res.partner", string="Client")
    account_id = fields.Many2one(
        "client.balance.account",
        string="Client Account",
        required=True,
        domain="[('state', '=', 'open'), ('partner_id', 'child_of', partner_id or [])]",
    )
    company_id = fields.Many2one(related="account_id.company_id")
    currency_id = fields.Many2one(related="account_id.currency_id")
    balance = fields.Monetary(related="account_id.balance", string="Current Balance")
    amount = fields.Monetary(required=True)
    journal_id = fields.Many2one(
        "account.journal",
        string="Cash Desk / Bank",
        required=True,
        domain="[('type', 'in', ('bank', 'cash')), ('company_id', 'parent_of', company_id)]",
    )
    date = fields.Date(required=True, default=fields.Date.context_today)
    memo = fields.Char()
    print_receipt = fields.Boolean(string="Print the Advance Receipt", default=True)

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        if not values.get("account_id") and values.get("partner_id"):
            values["account_id"] = (
                self.env["client.balance.account"]
                .search(
                    [
                        ("partner_id", "child_of", values["partner_id"]),
                        ("state", "=", "open"),
                        ("company_id", "=", self.env.company.id),
                    ],
                    order="is_default desc, sequence, id",
                    limit=1,
                )
                .id
            )
        return values

    @api.onchange("account_id")
    def _onchange_account_id(self):
        if self.account_id and self.journal_id.company_id not in self.company_id.parent_ids:
            self.journal_id = self.account_id._default_cash_journal()

    def action_confirm(self):
        self.ensure_one()
        operation = self.env["client.balance.operation"].browse(
            self.account_id.topup(self.amount, self.journal_id.id, self.date, self.memo)
        )
        if self.print_receipt:
            return operation.action_print_receipt()
        return {"type": "ir.actions.act_window_close"}
