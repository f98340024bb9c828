from odoo import models
from odoo.exceptions import UserError


class PosConfig(models.Model):
    _inherit = "pos.config"

    def _default_payment_methods(self):
        # Odoo gives a new point of sale every method of the company without
        # a journal; client balance and staff allowance methods are added to
        # the points of sale that take them, by hand.
        return (
            super()
            ._default_payment_methods()
            .filtered(
                lambda method: (
                    not method.client_balance_type_id and not method.client_balance_allowance
                )
            )
        )

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

    # ------------------------------------------------------------------
    # Staff allowance cards
    # ------------------------------------------------------------------

    def client_balance_card_lookup(self, code):
        """The person carrying the client card ``code`` and their allowance
        today (company, period, limit, used, remaining), for this till."""
        self.ensure_one()
        self.check_access("read")
        person = self.env["res.partner"].sudo()._client_balance_find_card(code)
        return self._client_balance_card_info(person)

    def client_balance_allowance_state(self, partner_id):
        """The allowance of the customer ``partner_id`` today, as
        ``client_balance_card_lookup`` gives it."""
        self.ensure_one()
        self.check_access("read")
        person = self.env["client.balance.account"]._given("res.partner", partner_id)
        if not person:
            raise UserError(self.env._("Choose the customer first."))
        person.check_access("read")
        self.env["res.partner"]._client_balance_check_allowance_enabled(person.sudo())
        return self._client_balance_card_info(person.sudo())

    def _client_balance_card_info(self, person):
        Partner = self.env["res.partner"].sudo()
        state = Partner._client_balance_card_state(
            person, Partner._client_balance_today(self.company_id)
        )
        return {
            "partner_id": person.id,
            "name": person.display_name,
            "company": person.commercial_partner_id.display_name,
            "currency": state["currency"],
            "limit": state["limit"],
            "used": state["used"],
            "remaining": state["remaining"],
            "period_start": str(state["period_start"]),
            "period_end": str(state["period_end"]),
        }
