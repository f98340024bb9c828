from odoo import Command, api, fields, models


class ResCompany(models.Model):
    _inherit = "res.company"

    client_balance_liability_account_id = fields.Many2one(
        "account.account",
        string="Client Balance Liability Account",
        check_company=True,
        help="Liability account used by client balance types that set none of their own.",
    )
    client_balance_journal_id = fields.Many2one(
        "account.journal",
        string="Client Balance Journal",
        check_company=True,
        help="Journal of the client balance entries (spends, adjustments, openings) of "
        "types that set none of their own.",
    )
    client_balance_opening_account_id = fields.Many2one(
        "account.account",
        string="Client Balance Opening Counterpart",
        check_company=True,
        help="Counterpart account of opening balances entered when a client account is opened.",
    )

    def _client_balance_setup(self):
        """Give each company with a chart of accounts a 'Customer deposits'
        liability account, a 'Client balances' journal and a 'Deposits' type.
        Branches share their root company's chart: they use its account and
        journal, and get nothing of their own."""
        for company in self.filtered(
            lambda company: company.chart_template and not company.parent_id
        ):
            company = company.sudo()
            vals = {}
            if not company.client_balance_liability_account_id:
                vals["client_balance_liability_account_id"] = (
                    company._client_balance_create_account().id
                )
            if not company.client_balance_journal_id:
                vals["client_balance_journal_id"] = company._client_balance_create_journal().id
            if not company.client_balance_opening_account_id:
                vals["client_balance_opening_account_id"] = (
                    company.get_unaffected_earnings_account().id
                )
            if vals:
                company.write(vals)
            company._client_balance_ensure_default_type()

    def _client_balance_create_account(self):
        self.ensure_one()
        Account = self.env["account.account"].with_company(self)
        template = Account.search(
            [
                *Account._check_company_domain(self),
                ("account_type", "=", "liability_current"),
            ],
            order="code_store",
            limit=1,
        )
        code = Account._search_new_account_code(template.code or "2190")
        return Account.create(
            {
                "name": self.env._("Customer deposits"),
                "code": code,
                "account_type": "liability_current",
                "reconcile": True,
                "company_ids": [Command.set(self.ids)],
            }
        )

    def _client_balance_create_journal(self):
        self.ensure_one()
        Journal = self.env["account.journal"].with_company(self)
        code = "CBAL"
        used = set(Journal.search([*Journal._check_company_domain(self)]).mapped("code"))
        index = 1
        while code in used:
            index += 1
            code = f"CBL{index}"
        return Journal.create(
            {
                "name": self.env._("Client balances"),
                "code": code,
                "type": "general",
                "company_id": self.id,
                "show_on_dashboard": False,
            }
        )

    def _client_balance_ensure_default_type(self):
        self.ensure_one()
        Type = self.env["client.balance.type"].sudo().with_context(active_test=False)
        default_type = self.env.ref("client_balance.client_balance_type_deposits", False)
        if default_type:
            if default_type.company_ids and self not in default_type.company_ids:
                default_type.company_ids = [Command.link(self.id)]
            return default_type
        available = Type.search(
            ["|", ("company_ids", "=", False), ("company_ids", "in", self.ids)], limit=1
        )
        return available or Type.create({"name": self.env._("Deposits")})

    @api.model
    def _client_balance_setup_all(self):
        self.search(
            [("chart_template", "!=", False), ("parent_id", "=", False)]
        )._client_balance_setup()
