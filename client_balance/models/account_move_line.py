from odoo import fields, models


class AccountMoveLine(models.Model):
    _inherit = "account.move.line"

    client_balance_account_id = fields.Many2one(
        "client.balance.account",
        string="Client Balance Account",
        index="btree_not_null",
        ondelete="restrict",
        readonly=True,
        help="Client account whose balance this journal item moves.",
    )
