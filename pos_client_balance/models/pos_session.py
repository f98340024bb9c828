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
        if booked:
            self._client_balance_reconcile_clearing(booked)
        return data

    def _client_balance_reconcile_clearing(self, lines):
        """Match ``lines`` of client balance bookings with this session's
        closing entry on each clearing account (not on the balances'
        liability accounts, whose items stay open): a booking at sync, or
        one a manager makes after the closing."""
        self.ensure_one()
        liabilities = self.env["client.balance.type"]._liability_accounts(self.company_id)
        closing = self.sudo().move_id.line_ids
        for clearing in lines.account_id.filtered("reconcile") - liabilities:
            matched = (lines | closing).filtered(
                lambda line, clearing=clearing: line.account_id == clearing and not line.reconciled
            )
            if matched.filtered("debit") and matched.filtered("credit"):
                matched.reconcile()
