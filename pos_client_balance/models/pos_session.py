from odoo import models


class PosSession(models.Model):
    _inherit = "pos.session"

    def _reconcile_account_move_lines(self, data):
        """The closing entry debits each balance method's clearing account
        with what the session's orders took from balances (Odoo's lines of a
        method without a journal), and credits the clearing account of sales
        of credit with what they sold; each booking moved the other side:
        match them."""
        data = super()._reconcile_account_move_lines(data)
        orders = self._get_closed_orders().sudo()
        booked = (
            orders.payment_ids.client_balance_operation_id
            | orders.lines.client_balance_operation_id
        ).move_id.line_ids
        if not booked:
            return data
        closing = self.move_id.line_ids
        for clearing in booked.account_id.filtered("reconcile"):
            if clearing in self.env["client.balance.type"]._liability_accounts(
                self.company_id, among=clearing
            ):
                continue
            lines = (closing | booked).filtered(
                lambda line, clearing=clearing: line.account_id == clearing and not line.reconciled
            )
            if lines.filtered("debit") and lines.filtered("credit"):
                lines.reconcile()
        return data
