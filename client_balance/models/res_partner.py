from odoo import fields, models
from odoo.exceptions import UserError


class ResPartner(models.Model):
    _inherit = "res.partner"

    client_balance_account_ids = fields.One2many(
        "client.balance.account", "partner_id", string="Client Balance Accounts"
    )
    client_balance_account_count = fields.Integer(
        compute="_compute_client_balance", string="Client Balance Account Count"
    )
    client_balance_summary_html = fields.Html(
        compute="_compute_client_balance", string="Client Balances", sanitize=False
    )

    def _client_balance_domain(self):
        # The client's form shows every requisite below it, an entity's form its own.
        return [
            ("partner_id", "child_of", self.ids),
            ("company_id", "in", self.env.companies.ids),
        ]

    def _compute_client_balance(self):
        Account = self.env["client.balance.account"]
        readable = Account.has_access("read")
        for partner in self:
            if not readable or not partner._origin.id:
                partner.client_balance_account_count = 0
                partner.client_balance_summary_html = False
                continue
            groups = Account._read_group(
                partner._origin._client_balance_domain(),
                ["currency_id"],
                ["__count", "balance:sum", "available:sum", "debt:sum"],
            )
            partner.client_balance_account_count = sum(count for _c, count, *_sums in groups)
            rows = [
                self.env._(
                    "%(balance)s (available %(available)s, owed %(debt)s)",
                    balance=currency.format(balance),
                    available=currency.format(available),
                    debt=currency.format(debt),
                )
                if debt
                else self.env._(
                    "%(balance)s (available %(available)s)",
                    balance=currency.format(balance),
                    available=currency.format(available),
                )
                for currency, _count, balance, available, debt in groups
            ]
            partner.client_balance_summary_html = "<br/>".join(rows) if rows else False

    def _client_balance_default_requisite(self):
        """The billing entity of a new client account: the invoice address."""
        self.ensure_one()
        return self.browse(self.address_get(["invoice"])["invoice"])

    def client_balance_open(
        self, type_id, currency_id=False, initial_amount=0.0, requisite_id=False
    ):
        """Open a client account of type ``type_id`` for this client (public
        API). The requisite defaults to the client's invoice address and the
        currency to the company's. Returns the client account id."""
        self.ensure_one()
        Account = self.env["client.balance.account"]
        Account._check_group("client_balance.client_balance_group_user")
        company = self.env.company
        requisite = (
            self.browse(requisite_id).exists()
            if requisite_id
            else self._client_balance_default_requisite()
        )
        if not requisite or requisite.commercial_partner_id != self.commercial_partner_id:
            raise UserError(
                self.env._(
                    "The requisite must be %(client)s or one of its contacts.",
                    client=self.commercial_partner_id.display_name,
                )
            )
        return Account._open_account(
            requisite,
            self.env["client.balance.type"].browse(type_id).exists(),
            self.env["res.currency"].browse(currency_id).exists()
            if currency_id
            else company.currency_id,
            company,
            initial_amount,
        ).id

    def client_balance_summary(self):
        """Balances of this client and of its requisites (public API)."""
        self.ensure_one()
        Account = self.env["client.balance.account"]
        Account._check_group("client_balance.client_balance_group_user")
        return [
            {
                "account_id": account.id,
                "type_id": account.type_id.id,
                "requisite_id": account.partner_id.id,
                "currency": account.currency_id.name,
                "balance": account.balance,
                "available": account.available,
            }
            for account in Account.search(self._client_balance_domain())
        ]

    def action_client_balance_accounts(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "client_balance.client_balance_account_action"
        )
        action["domain"] = self._client_balance_domain()
        action["context"] = {"default_partner_id": self.id, "search_default_open": 1}
        return action

    def action_client_balance_operations(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "client_balance.client_balance_operation_action"
        )
        action["domain"] = [
            (
                "account_id",
                "in",
                self.env["client.balance.account"].search(self._client_balance_domain()).ids,
            )
        ]
        return action

    def action_client_balance_open(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "client_balance.client_balance_open_action"
        )
        action["context"] = {"default_partner_id": self.id}
        return action

    def action_client_balance_deposit_invoices(self):
        """The deposit requests and sales of credit of this client's accounts,
        with their payment state."""
        self.ensure_one()
        accounts = self.env["client.balance.account"].search(self._client_balance_domain())
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "account.action_move_out_invoice_type"
        )
        action["domain"] = [("id", "in", accounts.deposit_invoice_ids.ids)]
        action["context"] = {"default_move_type": "out_invoice"}
        return action

    def action_client_balance_request_deposit(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "client_balance.client_balance_deposit_action"
        )
        action["context"] = {"default_partner_id": self.id}
        return action

    def action_client_balance_topup(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "client_balance.client_balance_topup_action"
        )
        action["context"] = {"default_partner_id": self.id}
        return action
