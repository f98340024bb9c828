from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools.sql import create_index


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

    def init(self):
        res = super().init()
        # The lines of invoices selling credit (deposits, store credit) of an
        # account, without its other items: what is still unpaid of its
        # credit is found without reading its whole history.
        create_index(
            self.env.cr,
            "account_move_line_client_balance_credit_idx",
            self._table,
            ["client_balance_account_id", "move_id"],
            where="client_balance_account_id IS NOT NULL AND product_id IS NOT NULL",
        )
        return res

    @api.constrains("quantity", "product_id", "client_balance_account_id", "display_type")
    def _check_client_balance_deposit_line(self):
        self.move_id.filtered("client_balance_deposit_account_id")._client_balance_check_deposit()

    @api.ondelete(at_uninstall=False)
    def _unlink_except_deposit_line(self):
        # Odoo removes dynamic lines (taxes, terms) and whole entries with
        # this context; a user removing the deposit line does not.
        if not self.env.context.get("dynamic_unlink") and any(
            line.move_id.client_balance_deposit_account_id and line.display_type == "product"
            for line in self
        ):
            raise UserError(
                self.env._(
                    "The deposit line of a deposit request cannot be removed: change its price, "
                    "or delete the draft deposit request."
                )
            )
