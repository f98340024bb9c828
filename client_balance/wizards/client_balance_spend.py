from odoo import api, fields, models


class ClientBalanceSpend(models.TransientModel):
    _name = "client.balance.spend"
    _description = "Pay an Invoice from a Client Balance"
    _inherit = ["client.balance.amount.mixin"]

    invoice_id = fields.Many2one(
        "account.move",
        string="Invoice",
        required=True,
        domain="[('move_type', '=', 'out_invoice'), ('state', '=', 'posted'),"
        " ('payment_state', 'in', ('not_paid', 'partial')),"
        " ('commercial_partner_id', '=?', account_partner_id),"
        " ('currency_id', '=?', account_currency_id)]",
    )
    account_partner_id = fields.Many2one(
        related="account_id.commercial_partner_id", string="Account Holder"
    )
    account_currency_id = fields.Many2one(
        related="account_id.currency_id", string="Account Currency"
    )
    commercial_partner_id = fields.Many2one(related="invoice_id.commercial_partner_id")
    currency_id = fields.Many2one(related="invoice_id.currency_id")
    amount_residual = fields.Monetary(related="invoice_id.amount_residual", string="Amount Due")
    account_id = fields.Many2one(
        "client.balance.account",
        string="Client Account",
        required=True,
        domain="[('state', '=', 'open'), ('commercial_partner_id', '=', commercial_partner_id),"
        " ('currency_id', '=', currency_id), ('available', '>', 0)]",
    )
    available = fields.Monetary(related="account_id.available")
    amount = fields.Monetary(compute="_compute_amount", store=True, readonly=False, required=True)
    print_receipt = fields.Boolean(string="Print the Settlement Receipt")

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        invoice = self.env["account.move"].browse(values.get("invoice_id"))
        if invoice and not values.get("account_id"):
            values["account_id"] = invoice._client_balance_accounts()[:1].id
        return values

    @api.depends("account_id", "invoice_id")
    def _compute_amount(self):
        for wizard in self:
            wizard.amount = max(
                min(wizard.invoice_id.amount_residual, wizard.account_id.available), 0.0
            )

    def action_confirm(self):
        self.ensure_one()
        operation = self.env["client.balance.operation"].browse(
            self.account_id.spend(self.invoice_id.id, self.amount)
        )
        if self.print_receipt:
            return operation.action_print_receipt()
        return {"type": "ir.actions.act_window_close"}
