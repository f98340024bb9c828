from odoo import api, fields, models
from odoo.exceptions import ValidationError


class ProductTemplate(models.Model):
    _inherit = "product.template"

    client_balance_credit = fields.Boolean(
        string="Client Balance Credit",
        help="Selling this product on a customer invoice credits the buyer's client balance "
        "by the line's amount (without taxes), spendable once the invoice is paid. Its "
        "income account is the balance type's liability account: selling credit exchanges "
        "means of payment, it is not revenue.",
    )
    client_balance_type_id = fields.Many2one(
        "client.balance.type",
        string="Credited Balance Type",
        help="The type of client account the credit goes to. Empty: the first type usable "
        "in the invoice's company and currency.",
    )

    @api.onchange("client_balance_credit")
    def _onchange_client_balance_credit(self):
        # Credit is a means of payment: no tax by default, a service.
        if self.client_balance_credit:
            self.type = "service"
            self.taxes_id = False

    @api.constrains("client_balance_credit", "type")
    def _check_client_balance_credit(self):
        for product in self.filtered("client_balance_credit"):
            if product.type != "service":
                raise ValidationError(
                    self.env._(
                        "%(product)s sells client balance credit: make it a service.",
                        product=product.display_name,
                    )
                )

    def _get_product_accounts(self):
        accounts = super()._get_product_accounts()
        if self.client_balance_credit:
            liability = self.env["client.balance.type"]._credit_liability_account(
                self.client_balance_type_id, self.env.company
            )
            if liability:
                accounts["income"] = liability
        return accounts
