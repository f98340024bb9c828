from odoo import models
from odoo.exceptions import UserError


class PosConfig(models.Model):
    _inherit = "pos.config"

    def client_balance_available(self, partner_id):
        """What each client balance method of this point of sale can take
        from the customer ``partner_id`` now: a list of ``{"method_id",
        "account", "available"}`` (no account: nothing to take). The till
        shows it and refuses more; the server checks again, under the
        account's lock, when the order arrives."""
        self.ensure_one()
        self.check_access("read")
        partner = self.env["client.balance.account"]._given("res.partner", partner_id)
        if not partner:
            raise UserError(self.env._("Choose the customer first."))
        partner.check_access("read")
        Payment = self.env["pos.payment"]
        result = []
        for method in self.payment_method_ids.filtered("client_balance_type_id"):
            account = Payment._client_balance_find_account(
                partner, method.client_balance_type_id, self.currency_id, self.company_id
            )
            result.append(
                {
                    "method_id": method.id,
                    "account": account.display_name or False,
                    "available": account.available if account else 0.0,
                }
            )
        return result
