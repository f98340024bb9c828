from odoo import models


class PosSession(models.Model):
    _inherit = "pos.session"

    def _reconcile_account_move_lines(self, data):
        """The closing entry debits each balance method's clearing account
        with what the session's orders took from balances (Odoo's lines of a
        method without a journal); each booking credited it: match them."""
        data = super()._reconcile_account_move_lines(data)
        methods = self.config_id.payment_method_ids.filtered("client_balance_type_id")
        if not methods:
            return data
        closing = data.get("pay_later_move_lines") or self.env["account.move.line"]
        booked = self._get_closed_orders().payment_ids.client_balance_operation_id.move_id.line_ids
        for clearing in {
            method._client_balance_clearing_account(self.company_id) for method in methods
        }:
            lines = (closing | booked).filtered(
                lambda line, clearing=clearing: line.account_id == clearing and not line.reconciled
            )
            if lines.filtered("debit") and lines.filtered("credit"):
                lines.reconcile()
        return data
