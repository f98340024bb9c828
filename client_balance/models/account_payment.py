from odoo import fields, models


class AccountPayment(models.Model):
    _inherit = "account.payment"

    client_balance_account_id = fields.Many2one(
        "client.balance.account",
        string="Client Balance Account",
        readonly=True,
        copy=False,
        index="btree_not_null",
        help="Client account this payment credits: a top-up (its counterpart is the "
        "account's liability account) or the overpayment of invoices credited to the balance.",
    )

    def _prepare_move_line_default_vals(self, write_off_line_vals=None, force_balance=None):
        line_vals_list = super()._prepare_move_line_default_vals(
            write_off_line_vals=write_off_line_vals, force_balance=force_balance
        )
        client_account = self.client_balance_account_id
        if client_account:
            for vals in line_vals_list:
                if vals.get("account_id") == client_account.liability_account_id.id:
                    vals.setdefault("client_balance_account_id", client_account.id)
        return line_vals_list
