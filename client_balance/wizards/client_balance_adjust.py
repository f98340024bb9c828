from odoo import fields, models


class ClientBalanceAdjust(models.TransientModel):
    _name = "client.balance.adjust"
    _description = "Adjust a Client Balance"
    _inherit = ["client.balance.amount.mixin"]

    account_id = fields.Many2one("client.balance.account", string="Client Account", required=True)
    company_id = fields.Many2one(related="account_id.company_id")
    currency_id = fields.Many2one(related="account_id.currency_id")
    balance = fields.Monetary(related="account_id.balance", string="Current Balance")
    direction = fields.Selection(
        [("credit", "Credit the balance"), ("debit", "Debit the balance")],
        required=True,
        default="credit",
    )
    amount = fields.Monetary(required=True)
    counterpart_account_id = fields.Many2one(
        "account.account",
        string="Counterpart Account",
        required=True,
        check_company=True,
        domain="[('deprecated', '=', False)]",
    )
    description = fields.Text(required=True)

    def action_confirm(self):
        self.ensure_one()
        sign = 1 if self.direction == "credit" else -1
        self.account_id.adjust(sign * self.amount, self.counterpart_account_id.id, self.description)
        return {"type": "ir.actions.act_window_close"}
