from odoo import api, fields, models


class ClientBalancePayout(models.TransientModel):
    _name = "client.balance.payout"
    _description = "Pay Out a Client Balance"
    _inherit = ["client.balance.amount.mixin"]

    account_id = fields.Many2one(
        "client.balance.account",
        string="Client Account",
        required=True,
        domain="[('state', '=', 'open')]",
    )
    company_id = fields.Many2one(related="account_id.company_id")
    currency_id = fields.Many2one(related="account_id.currency_id")
    available = fields.Monetary(related="account_id.available")
    amount = fields.Monetary(required=True)
    journal_id = fields.Many2one(
        "account.journal",
        string="Cash Desk / Bank",
        required=True,
        domain="[('type', 'in', ('bank', 'cash')), ('company_id', 'parent_of', company_id)]",
    )
    date = fields.Date(required=True, default=fields.Date.context_today)
    memo = fields.Char()
    close_account = fields.Boolean(
        string="Close the Account",
        help="Close the client account once its balance is paid out.",
    )

    @api.onchange("account_id")
    def _onchange_account_id(self):
        if self.account_id and self.journal_id.company_id not in self.company_id.parent_ids:
            self.journal_id = self.account_id._default_cash_journal()

    def action_confirm(self):
        self.ensure_one()
        self.account_id.payout(self.amount, self.journal_id.id, self.date, self.memo)
        if self.close_account:
            self.account_id.action_close()
        return {"type": "ir.actions.act_window_close"}
