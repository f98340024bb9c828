from odoo import api, fields, models
from odoo.exceptions import UserError

from odoo.addons.client_balance.models.client_balance_operation import cursor_flag, cursor_flagged

# Written by the server only: a till sends back every field of a payment it
# has loaded, and a payment marked as booked would never be booked.
BOOKING_FIELDS = ("client_balance_operation_id", "client_balance_after")


def server_writing(env):
    """While the server writes what it booked."""
    return cursor_flag(env.cr, "pos_client_balance_writing")


def strip_booking_fields(env, vals, names):
    """``vals`` without ``names``, unless the server writes them: what a till
    or any other caller writes there is ignored."""
    if cursor_flagged(env.cr, "pos_client_balance_writing"):
        return vals
    return {key: value for key, value in vals.items() if key not in names}


class PosPayment(models.Model):
    _inherit = "pos.payment"

    client_balance_operation_id = fields.Many2one(
        "client.balance.operation",
        string="Client Balance Operation",
        readonly=True,
        copy=False,
        index="btree_not_null",
        groups="client_balance.client_balance_group_user",
        help="The operation that took this payment from (or gave it back to) the customer's "
        "balance when the order reached the server.",
    )
    client_balance_after = fields.Monetary(
        string="Balance After",
        readonly=True,
        copy=False,
        help="The customer's balance right after this payment, as the receipt prints it.",
    )

    @api.model_create_multi
    def create(self, vals_list):
        return super().create(
            [strip_booking_fields(self.env, vals, BOOKING_FIELDS) for vals in vals_list]
        )

    def write(self, vals):
        vals = strip_booking_fields(self.env, vals, BOOKING_FIELDS)
        changed = {"amount", "payment_method_id", "pos_order_id"} & set(vals)
        for payment in self.sudo().filtered("client_balance_operation_id") if changed else ():
            if (
                payment.currency_id.compare_amounts(
                    vals.get("amount", payment.amount), payment.amount
                )
                or vals.get("payment_method_id", payment.payment_method_id.id)
                != payment.payment_method_id.id
                or vals.get("pos_order_id", payment.pos_order_id.id) != payment.pos_order_id.id
            ):
                raise UserError(
                    self.env._(
                        "The payment of %(amount)s of %(order)s is booked on the client's "
                        "balance already: it cannot change. Refund the order instead.",
                        amount=payment.currency_id.format(payment.amount),
                        order=payment.pos_order_id.display_name,
                    )
                )
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_client_balance_booked(self):
        for payment in self.sudo().filtered("client_balance_operation_id"):
            raise UserError(
                self.env._(
                    "The payment of %(amount)s of %(order)s is booked on the client's balance: "
                    "it cannot be deleted. Refund the order instead.",
                    amount=payment.currency_id.format(payment.amount),
                    order=payment.pos_order_id.display_name,
                )
            )

    # ------------------------------------------------------------------
    # Booking
    # ------------------------------------------------------------------

    def _client_balance_book(self, not_from=None):
        """Book this payment on the customer's balance through the guarded
        path: a payment takes it from the balance (no more than available),
        a refund gives it back. The entry: Dr the balance's liability / Cr
        the method's clearing account (the other way round for a refund)."""
        self.ensure_one()
        order = self.pos_order_id
        method = self.payment_method_id
        amount = self.amount
        account = self._client_balance_account(credit=amount < 0)
        if not_from and account in not_from and amount > 0:
            raise UserError(
                self.env._(
                    "This order sells credit to %(account)s: it cannot be paid from that same "
                    "balance. Pay it with cash or card.",
                    account=account.display_name,
                )
            )
        clearing = method._client_balance_clearing_account(order.company_id)
        if not clearing.reconcile:
            raise UserError(
                self.env._(
                    "The intermediary account of %(method)s, %(account)s, must allow "
                    "reconciliation: the payments it books are matched with the session's "
                    "closing entry.",
                    method=method.display_name,
                    account=clearing.display_name,
                )
            )
        Operation = self.env["client.balance.operation"].sudo()
        operation = Operation._book(
            "pos",
            account,
            abs(amount),
            debit=amount > 0,
            journal=order.session_id.config_id.journal_id,
            counterpart_account_id=clearing.id,
            source=order,
            description=self.env._(
                "%(order)s: %(method)s", order=order.name, method=method.display_name
            ),
        )
        with server_writing(self.env):
            self.sudo().write(
                {
                    "client_balance_operation_id": operation.id,
                    "client_balance_after": operation.balance_after,
                }
            )
        return operation

    def _client_balance_account(self, credit=False):
        """The customer's client account this payment is booked on (see
        ``_client_balance_find_account``); a refund to a client with none
        opens one."""
        self.ensure_one()
        order = self.pos_order_id
        method = self.payment_method_id
        balance_type = method.client_balance_type_id
        customer = order.partner_id
        if not customer:
            raise UserError(
                self.env._(
                    "%(method)s pays from the customer's balance: choose the customer of the "
                    "order first.",
                    method=method.display_name,
                )
            )
        account = self._client_balance_find_account(
            customer, balance_type, order.currency_id, order.company_id
        )
        if account:
            return account
        if credit and balance_type._is_available_in(order.company_id):
            requisite = customer.commercial_partner_id._client_balance_default_requisite()
            return (
                self.env["client.balance.account"]
                .sudo()
                .with_company(order.company_id)
                ._open_account(requisite, balance_type, order.currency_id, order.company_id)
            )
        raise UserError(
            self.env._(
                "%(client)s has no open %(type)s account in %(currency)s: nothing can be paid "
                "from it. Choose another payment method.",
                client=customer.commercial_partner_id.display_name,
                type=balance_type.display_name,
                currency=order.currency_id.name,
            )
        )

    @api.model
    def _client_balance_find_account(self, customer, balance_type, currency, company):
        """The open client account of ``balance_type`` in ``currency`` a till
        takes ``customer``'s payments from: the customer's own account, else
        the client's default one."""
        accounts = (
            self.env["client.balance.account"]
            .sudo()
            ._search_usable(customer, currency, company, [("type_id", "=", balance_type.id)])
        )
        return accounts.filtered(lambda account: account.partner_id == customer)[:1] or accounts[:1]

    # ------------------------------------------------------------------
    # Invoiced orders
    # ------------------------------------------------------------------

    def _create_payment_moves(self, is_reverse=False):
        """An invoiced order's balance payment pays its invoice as a card
        payment would: Dr the method's clearing account / Cr the customer's
        receivable, matched with the invoice; the clearing item is matched
        with the booking's at once."""
        balance = self.filtered(lambda payment: payment.payment_method_id.client_balance_type_id)
        result = super(PosPayment, self - balance)._create_payment_moves(is_reverse=is_reverse)
        credit_line_ids = list(result.env.context.get("credit_line_ids", []))
        for payment in balance:
            order = payment.pos_order_id
            if order.currency_id.is_zero(payment.amount):
                continue
            move, receivable_line = payment._client_balance_invoice_payment_move()
            result |= move
            credit_line_ids.append(receivable_line.id)
        return result.with_context(credit_line_ids=credit_line_ids)

    def _client_balance_invoice_payment_move(self):
        self.ensure_one()
        order = self.pos_order_id
        session = order.session_id
        journal = session.config_id.journal_id
        partner = self.env["res.partner"]._find_accounting_partner(self.partner_id)
        clearing = self.payment_method_id._client_balance_clearing_account(order.company_id)
        move = (
            self.env["account.move"]
            .with_context(default_journal_id=journal.id)
            .create(
                {
                    "journal_id": journal.id,
                    "date": fields.Date.context_today(order, order.date_order),
                    "ref": self.env._(
                        "Invoice payment for %(order)s (%(invoice)s) using %(method)s",
                        order=order.name,
                        invoice=order.account_move.name,
                        method=self.payment_method_id.name,
                    ),
                    "pos_payment_ids": self.ids,
                }
            )
        )
        self.write({"account_move_id": move.id})
        amounts = session._update_amounts(
            {"amount": 0, "amount_converted": 0}, {"amount": self.amount}, self.payment_date
        )
        receivable_vals = session._credit_amounts(
            {
                "account_id": partner.with_company(
                    order.company_id
                ).property_account_receivable_id.id,
                "partner_id": partner.id,
                "move_id": move.id,
            },
            amounts["amount"],
            amounts["amount_converted"],
        )
        clearing_vals = session._debit_amounts(
            {"account_id": clearing.id, "move_id": move.id},
            amounts["amount"],
            amounts["amount_converted"],
        )
        receivable_line, clearing_line = self.env["account.move.line"].create(
            [receivable_vals, clearing_vals]
        )
        move._post()
        booked = self.sudo().client_balance_operation_id.move_id.line_ids.filtered(
            lambda line: line.account_id == clearing and not line.reconciled
        )
        if booked:
            (clearing_line | booked).reconcile()
        return move, receivable_line
