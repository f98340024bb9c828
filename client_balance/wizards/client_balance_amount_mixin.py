from odoo import api, models


class ClientBalanceAmountMixin(models.AbstractModel):
    """Wizards whose amounts are typed by users: an amount with more decimals
    than its currency has is refused, as the API refuses it, rather than
    rounded when the wizard is saved."""

    _name = "client.balance.amount.mixin"
    _description = "Client Balance Amount Check"

    # The monetary fields checked, with the field giving their currency.
    _client_balance_amount_fields = {"amount": "currency_id"}

    @api.model_create_multi
    def create(self, vals_list):
        records = super().create(vals_list)
        for record, vals in zip(records, vals_list, strict=True):
            record._client_balance_check_decimals(vals)
        return records

    def write(self, vals):
        res = super().write(vals)
        for record in self:
            record._client_balance_check_decimals(vals)
        return res

    def _client_balance_check_decimals(self, vals):
        Operation = self.env["client.balance.operation"]
        for field_name, currency_field in self._client_balance_amount_fields.items():
            amount = vals.get(field_name)
            currency = self[currency_field]
            if amount and isinstance(amount, (int, float)) and currency:
                Operation._check_amount(abs(amount), currency)
