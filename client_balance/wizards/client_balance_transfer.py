from odoo import api, fields, models


class ClientBalanceTransfer(models.TransientModel):
    _name = "client.balance.transfer"
    _description = "Transfer between Client Balances"
    _inherit = ["client.balance.amount.mixin"]
    _client_balance_amount_fields = {"amount": "currency_id", "to_amount": "to_currency_id"}

    account_id = fields.Many2one(
        "client.balance.account", string="From", required=True, domain="[('state', '=', 'open')]"
    )
    company_id = fields.Many2one(related="account_id.company_id")
    currency_id = fields.Many2one(related="account_id.currency_id")
    available = fields.Monetary(related="account_id.available")
    to_account_id = fields.Many2one(
        "client.balance.account",
        string="To",
        required=True,
        domain="[('state', '=', 'open'), ('company_id', '=', company_id),"
        " ('id', '!=', account_id)]",
        help="Another account of the client (another requisite or type) or of another "
        "client: a family member, a parent company.",
    )
    to_currency_id = fields.Many2one(related="to_account_id.currency_id", string="To Currency")
    same_currency = fields.Boolean(compute="_compute_same_currency")
    amount = fields.Monetary(required=True)
    to_amount = fields.Monetary(
        string="Amount Received",
        currency_field="to_currency_id",
        compute="_compute_to_amount",
        store=True,
        readonly=False,
        help="What the other account receives in its currency: by default the amount at the "
        "company's rate of today. It sets the rate of the transfer.",
    )
    description = fields.Char()

    @api.depends("currency_id", "to_currency_id")
    def _compute_same_currency(self):
        for wizard in self:
            wizard.same_currency = wizard.currency_id == wizard.to_currency_id

    @api.depends("amount", "currency_id", "to_currency_id")
    def _compute_to_amount(self):
        for wizard in self:
            if wizard.to_currency_id and wizard.currency_id:
                wizard.to_amount = wizard.currency_id._convert(
                    wizard.amount,
                    wizard.to_currency_id,
                    wizard.company_id,
                    fields.Date.context_today(wizard),
                )
            else:
                wizard.to_amount = 0.0

    def action_confirm(self):
        self.ensure_one()
        self.account_id.transfer(
            self.to_account_id.id,
            self.amount,
            to_amount=False if self.same_currency else self.to_amount,
            description=self.description,
        )
        return {"type": "ir.actions.act_window_close"}
