from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError


class ClientBalanceType(models.Model):
    _name = "client.balance.type"
    _description = "Client Balance Type"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    active = fields.Boolean(default=True)
    sequence = fields.Integer(default=10, help="The first type is offered first.")
    company_ids = fields.Many2many(
        "res.company",
        string="Companies",
        help="Companies and branches where this type can be used. Leave empty for all.",
    )
    liability_account_id = fields.Many2one(
        "account.account",
        string="Liability Account",
        company_dependent=True,
        domain="[('account_type', 'in', ('liability_current', 'liability_non_current')),"
        " ('reconcile', '=', True)]",
        help="Account holding the balances of this type in the current company. "
        "Empty: the company's default client balance account.",
    )
    journal_id = fields.Many2one(
        "account.journal",
        string="Journal",
        company_dependent=True,
        domain="[('type', '=', 'general')]",
        help="Journal of spends, adjustments and openings of this type in the current "
        "company. Empty: the company's default client balance journal.",
    )
    opening_account_id = fields.Many2one(
        "account.account",
        string="Opening Counterpart",
        company_dependent=True,
        help="Counterpart of opening balances in the current company. "
        "Empty: the company's default opening counterpart.",
    )
    minimum_ids = fields.One2many(
        "client.balance.type.minimum",
        "type_id",
        string="Minimum Balances",
        help="Per currency, the balance the client accounts of this type keep at least. "
        "A negative minimum lets clients go into debt up to that amount (company "
        "allowances). A currency without a line: zero.",
    )
    currency_ids = fields.Many2many(
        "res.currency",
        string="Allowed Currencies",
        help="Currencies client accounts of this type may hold. Leave empty for any.",
    )
    account_ids = fields.One2many("client.balance.account", "type_id", string="Client Accounts")
    validity_months = fields.Integer(
        string="Credit Validity (Months)",
        help="Credits (top-ups, deposits, store credit, refunds to balance, credited "
        "differences) expire this many months after their date; what is left of them then "
        "(oldest credits are spent first) is taken out by a scheduled action. 0: credit never "
        "expires.",
    )
    expiry_notice_days = fields.Integer(
        string="Expiry Notice (Days)",
        default=14,
        help="The client is e-mailed this many days before credit expires, with the amount "
        "about to expire. 0: no e-mail.",
    )
    expired_account_id = fields.Many2one(
        "account.account",
        string="Expired Credit Account",
        company_dependent=True,
        domain="[('account_type', 'in', ('income', 'income_other'))]",
        help="Income account credited with expired credit in the current company.",
    )
    deposit_product_id = fields.Many2one(
        "product.product",
        string="Deposit Product",
        domain=[("client_balance_credit", "=", True)],
        help="The product of the one line of this type's deposit invoices. Empty: "
        '"Initial Deposit".',
    )
    deposit_tax_ids = fields.Many2many(
        "account.tax",
        "client_balance_type_deposit_tax_rel",
        "type_id",
        "tax_id",
        string="Deposit Taxes",
        domain=[("type_tax_use", "=", "sale")],
        help="The taxes a deposit invoice or a sale of credit of this type may carry (for "
        "example VAT and a local tax); the user ticks which apply. None by default: selling "
        "credit exchanges means of payment. Whether the second tax is computed on the amount "
        'with the first is the first tax\'s "Affects Base of Subsequent Taxes".',
    )
    used_liability_account_id = fields.Many2one(
        "account.account",
        compute="_compute_used_accounting",
        string="Liability Account Used",
        help="The liability account client accounts of this type opened in the current "
        "company use: the type's own, or the company's default.",
    )
    used_journal_id = fields.Many2one(
        "account.journal",
        compute="_compute_used_accounting",
        string="Journal Used",
        help="The journal of this type's entries in the current company: the type's own, "
        "or the company's default.",
    )
    used_opening_account_id = fields.Many2one(
        "account.account",
        compute="_compute_used_accounting",
        string="Opening Counterpart Used",
        help="The counterpart of opening balances in the current company: the type's own, "
        "or the company's default.",
    )

    @api.constrains("liability_account_id")
    def _check_liability_account_id(self):
        for balance_type in self:
            account = balance_type.liability_account_id
            if account and (
                not account.reconcile
                or account.account_type not in ("liability_current", "liability_non_current")
            ):
                raise ValidationError(
                    self.env._(
                        "The account %(account)s of the balance type %(type)s must be a "
                        "reconcilable liability account.",
                        account=account.display_name,
                        type=balance_type.display_name,
                    )
                )

    @api.constrains("validity_months", "expiry_notice_days")
    def _check_validity(self):
        for balance_type in self:
            if balance_type.validity_months < 0 or balance_type.expiry_notice_days < 0:
                raise ValidationError(
                    self.env._(
                        "The credit validity and the expiry notice of %(type)s cannot be negative.",
                        type=balance_type.display_name,
                    )
                )

    def _is_available_in(self, company):
        self.ensure_one()
        return (
            not self.company_ids
            or bool(company & self.company_ids)
            or bool(company.parent_ids & self.company_ids)
        )

    @api.model
    def _default_for(self, company, currency):
        """The first active type usable in ``company`` for ``currency``: the
        type of client accounts opened without an explicit choice."""
        domain = ["|", ("currency_ids", "=", False), ("currency_ids", "in", currency.ids)]
        return self.search(domain).filtered(
            lambda balance_type: balance_type._is_available_in(company)
        )[:1]

    def _get_accounting(self, company):
        """Liability account, journal and opening counterpart of this type in
        ``company``, falling back to the company's defaults (a branch: its
        root company's)."""
        self.ensure_one()
        accounting = self._get_accounting_or_empty(company)
        if not accounting["liability_account"] or not accounting["journal"]:
            raise UserError(
                self.env._(
                    "The balance type %(type)s has no liability account or journal in "
                    "%(company)s. Set them on the type, or install a chart of accounts for "
                    "the company.",
                    type=self.display_name,
                    company=company.display_name,
                )
            )
        return accounting

    def _get_accounting_or_empty(self, company):
        self.ensure_one()
        company = company.sudo()
        this = self.sudo().with_company(company)
        root = company.root_id
        in_root = self.sudo().with_company(root)
        # The type's own setting in the company, then in its root company (a
        # branch shares its root's chart), then the companies' defaults.
        return {
            "liability_account": this.liability_account_id
            or in_root.liability_account_id
            or company.client_balance_liability_account_id
            or root.client_balance_liability_account_id,
            "journal": this.journal_id
            or in_root.journal_id
            or company.client_balance_journal_id
            or root.client_balance_journal_id,
            "opening_account": this.opening_account_id
            or in_root.opening_account_id
            or company.client_balance_opening_account_id
            or root.client_balance_opening_account_id,
            "expired_account": this.expired_account_id or in_root.expired_account_id,
        }

    @api.depends("liability_account_id", "journal_id", "opening_account_id")
    @api.depends_context("company")
    def _compute_used_accounting(self):
        for balance_type in self:
            accounting = balance_type._get_accounting_or_empty(self.env.company)
            balance_type.used_liability_account_id = accounting["liability_account"]
            balance_type.used_journal_id = accounting["journal"]
            balance_type.used_opening_account_id = accounting["opening_account"]

    @api.model
    def _credit_type(self, product, company, currency):
        """The balance type a sale of ``product`` credits: its own, else the
        first type usable in ``company`` and ``currency``."""
        balance_type = product.client_balance_type_id.sudo() or self.sudo()._default_for(
            company, currency
        )
        if not balance_type:
            raise UserError(
                self.env._(
                    "%(product)s sells client balance credit, but no balance type is usable in "
                    "%(company)s: create one first.",
                    product=product.display_name,
                    company=company.display_name,
                )
            )
        return balance_type

    def _get_deposit_product(self):
        self.ensure_one()
        return self.deposit_product_id or self.env.ref("client_balance.product_initial_deposit")

    @api.model
    def _credit_liability_account(self, balance_type, company):
        """The account a sale of credit of ``balance_type`` (none: the
        company's default type) is booked on in ``company``."""
        if balance_type:
            return balance_type._get_accounting_or_empty(company)["liability_account"]
        company = company.sudo()
        return (
            company.client_balance_liability_account_id
            or company.root_id.client_balance_liability_account_id
        )

    @api.model
    def _liability_accounts(self, companies, among=None):
        """All accounts holding client balances in ``companies``: posting on
        them is reserved to client balance operations. ``among``: only those
        of these accounts (what an entry posts on), found without going
        through every client account."""
        accounts = self.env["account.account"]
        types = self.sudo().with_context(active_test=False).search([])
        for company in companies.sudo() | companies.sudo().root_id:
            accounts |= company.client_balance_liability_account_id
            accounts |= types.with_company(company).liability_account_id
        domain = [("company_id", "in", companies.ids)]
        if among is not None:
            accounts &= among
            domain.append(("liability_account_id", "in", (among - accounts).ids))
        if among is None or among - accounts:
            used = (
                self.env["client.balance.account"]
                .sudo()
                ._read_group(domain, ["liability_account_id"])
            )
            for (account,) in used:
                accounts |= account
        return accounts


class ClientBalanceTypeMinimum(models.Model):
    _name = "client.balance.type.minimum"
    _description = "Minimum Balance of a Client Balance Type in a Currency"
    _order = "type_id, currency_id"

    type_id = fields.Many2one(
        "client.balance.type", string="Type", required=True, ondelete="cascade", index=True
    )
    currency_id = fields.Many2one("res.currency", required=True, ondelete="restrict")
    min_balance = fields.Monetary(
        string="Minimum Balance",
        help="Negative: the debt allowed to a client account of this type in this currency.",
    )

    _sql_constraints = [
        (
            "type_currency_uniq",
            "unique(type_id, currency_id)",
            "A balance type has one minimum balance per currency.",
        ),
    ]
