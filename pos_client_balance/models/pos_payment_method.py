from odoo import api, fields, models
from odoo.exceptions import ValidationError


class PosPaymentMethod(models.Model):
    _inherit = "pos.payment.method"

    client_balance_type_id = fields.Many2one(
        "client.balance.type",
        string="Client Balance",
        ondelete="restrict",
        help="Payments with this method are taken from the customer's client account of this "
        "balance type, when the order reaches the server; a refund paid with it gives the "
        "amount back to the balance. Such a method has no journal: the money is on the "
        "balance already.",
    )

    client_balance_allowance = fields.Boolean(
        string="Staff Allowance",
        help="Pays the company's share of a meal of a person carrying a client card: at most "
        "what remains of the person's limit for the period; the person pays the rest with "
        "another method. The order is invoiced to the person, and the company's share stays "
        "due on the company's receivable, as any charge to a staff allowance.",
    )
    is_client_balance = fields.Boolean(
        compute="_compute_is_client_balance",
        store=True,
        help="Technical: the till treats this method as a client balance.",
    )

    @api.depends("client_balance_type_id")
    def _compute_is_client_balance(self):
        for method in self:
            method.is_client_balance = bool(method.client_balance_type_id)

    @api.constrains(
        "client_balance_type_id", "client_balance_allowance", "journal_id", "split_transactions"
    )
    def _check_client_balance_type_id(self):
        for method in self.filtered("client_balance_allowance"):
            if method.client_balance_type_id:
                raise ValidationError(
                    self.env._(
                        "%(method)s pays either from a client balance or from a staff "
                        "allowance, not both.",
                        method=method.display_name,
                    )
                )
            if method.journal_id:
                raise ValidationError(
                    self.env._(
                        "%(method)s pays from a staff allowance: it has no journal (the "
                        "company's share stays due on its receivable). Remove its journal.",
                        method=method.display_name,
                    )
                )
        for method in self.filtered("client_balance_type_id"):
            if method.journal_id:
                raise ValidationError(
                    self.env._(
                        "%(method)s pays from a client balance: it has no journal (the money is "
                        "on the balance already). Remove its journal.",
                        method=method.display_name,
                    )
                )
            if method.split_transactions:
                raise ValidationError(
                    self.env._(
                        "%(method)s pays from a client balance: each payment is booked on its "
                        'customer\'s account already. Untick "Identify Customer".',
                        method=method.display_name,
                    )
                )

    def _client_balance_clearing_account(self, company):
        """The account between the balance and the session's sales: each
        payment credits it when it is booked, the session's closing debits
        it (Odoo's intermediary account of the method)."""
        self.ensure_one()
        return (
            self.receivable_account_id
            or company.account_default_pos_receivable_account_id
            or company.root_id.account_default_pos_receivable_account_id
        )

    @api.model
    def _load_pos_data_fields(self, config_id):
        return [
            *super()._load_pos_data_fields(config_id),
            "is_client_balance",
            "client_balance_allowance",
        ]
