from odoo import api, fields, models


class ClientBalanceRefund(models.TransientModel):
    _name = "client.balance.refund"
    _description = "Refund a Credit Note to a Client Balance"
    _inherit = ["client.balance.amount.mixin"]

    credit_note_id = fields.Many2one(
        "account.move",
        string="Credit Note",
        required=True,
        domain="[('move_type', '=', 'out_refund'), ('state', '=', 'posted'),"
        " ('payment_state', 'in', ('not_paid', 'partial'))]",
    )
    commercial_partner_id = fields.Many2one(related="credit_note_id.commercial_partner_id")
    currency_id = fields.Many2one(related="credit_note_id.currency_id")
    amount_residual = fields.Monetary(related="credit_note_id.amount_residual", string="Amount Due")
    amount = fields.Monetary(compute="_compute_amount", store=True, readonly=False, required=True)

    @api.depends("credit_note_id")
    def _compute_amount(self):
        for wizard in self:
            wizard.amount = wizard.credit_note_id.amount_residual

    def action_confirm(self):
        self.ensure_one()
        self.credit_note_id.client_balance_refund_to_balance(self.amount)
        return {"type": "ir.actions.act_window_close"}
