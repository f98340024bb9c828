from odoo import api, fields, models
from odoo.exceptions import UserError

from .pos_payment import server_writing, strip_booking_fields

LINE_BOOKING_FIELDS = ("client_balance_operation_id",)


class PosOrderLine(models.Model):
    _inherit = "pos.order.line"

    client_balance_operation_id = fields.Many2one(
        "client.balance.operation",
        string="Client Balance Operation",
        readonly=True,
        copy=False,
        index="btree_not_null",
        groups="client_balance.client_balance_group_user",
        help="The operation that credited the customer's balance with the credit this line "
        "sold (or took back the credit a refund line returns).",
    )

    @api.model_create_multi
    def create(self, vals_list):
        return super().create(
            [strip_booking_fields(self.env, vals, LINE_BOOKING_FIELDS) for vals in vals_list]
        )

    def write(self, vals):
        return super().write(strip_booking_fields(self.env, vals, LINE_BOOKING_FIELDS))

    def _client_balance_credit_clearing(self):
        """The account between a sale of credit and the session's closing:
        booking the credit debits it, the closing's sales credit it (Odoo
        would credit the product's account, the balance's liability, with no
        client account)."""
        company = self.order_id.company_id
        return (
            company.account_default_pos_receivable_account_id
            or company.root_id.account_default_pos_receivable_account_id
        )

    def _prepare_base_line_for_taxes_computation(self):
        base_line = super()._prepare_base_line_for_taxes_computation()
        if self.product_id.client_balance_credit:
            base_line["account_id"] = self._client_balance_credit_clearing()
        return base_line

    def _client_balance_book_credit(self):
        """Credit the customer's balance with the credit this line sells
        (its amount without taxes), or take back what a refund line returns:
        Dr the clearing account / Cr the balance's liability."""
        self.ensure_one()
        order = self.order_id
        # Computed again from the price, quantity, discount and taxes: the
        # subtotal a till sends is its own arithmetic.
        amount = order.currency_id.round(self._compute_amount_line_all()["price_subtotal"])
        if order.currency_id.is_zero(amount):
            return self.env["client.balance.operation"]
        account = self._client_balance_credit_account()
        clearing = self._client_balance_credit_clearing()
        operation = (
            self.env["client.balance.operation"]
            .sudo()
            ._book(
                "pos",
                account,
                abs(amount),
                debit=amount < 0,
                journal=order.session_id.config_id.journal_id,
                counterpart_account_id=clearing.id,
                source=order,
                description=self.env._(
                    "%(order)s: %(product)s", order=order.name, product=self.product_id.display_name
                ),
            )
        )
        with server_writing(self.env):
            self.sudo().write({"client_balance_operation_id": operation.id})
        return operation

    def _client_balance_credit_account(self):
        """The customer's account of the product's balance type (none: the
        first type usable) in the order's currency; opened when missing."""
        self.ensure_one()
        order = self.order_id
        customer = order.partner_id
        if not customer:
            raise UserError(
                self.env._(
                    "%(product)s credits the customer's balance: choose the customer of the "
                    "order first.",
                    product=self.product_id.display_name,
                )
            )
        balance_type = self.env["client.balance.type"]._credit_type(
            self.product_id, order.company_id, order.currency_id
        )
        account = self.env["pos.payment"]._client_balance_find_account(
            customer, balance_type, order.currency_id, order.company_id
        )
        if account:
            return account
        requisite = customer.commercial_partner_id._client_balance_default_requisite()
        return (
            self.env["client.balance.account"]
            .sudo()
            .with_company(order.company_id)
            ._open_account(requisite, balance_type, order.currency_id, order.company_id)
        )
