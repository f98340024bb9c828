from odoo import api, fields, models
from odoo.exceptions import UserError


class ClientBalanceDeposit(models.TransientModel):
    """Request a deposit: a draft customer invoice with one "Initial
    deposit" line that credits the client account once posted."""

    _name = "client.balance.deposit"
    _description = "Request a Deposit"
    _inherit = ["client.balance.amount.mixin"]

    partner_id = fields.Many2one(
        "res.partner",
        string="Client",
        required=True,
        compute="_compute_partner_id",
        store=True,
        readonly=False,
        precompute=True,
    )
    account_id = fields.Many2one(
        "client.balance.account",
        string="Client Account",
        domain="[('commercial_partner_id', '=', commercial_partner_id), ('state', '=', 'open'),"
        " ('company_id', '=', company_id)]",
        help="The account the deposit credits. Empty: an account of the type and currency "
        "below is opened.",
    )
    commercial_partner_id = fields.Many2one(related="partner_id.commercial_partner_id")
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company
    )
    type_id = fields.Many2one(
        "client.balance.type",
        string="Type",
        compute="_compute_type_currency",
        store=True,
        readonly=False,
        precompute=True,
    )
    currency_id = fields.Many2one(
        "res.currency",
        compute="_compute_type_currency",
        store=True,
        readonly=False,
        precompute=True,
        required=True,
    )
    amount = fields.Monetary(required=True)
    discount_type = fields.Selection(
        [("percent", "Percentage"), ("fixed", "Fixed Amount")],
        default="percent",
        required=True,
    )
    discount = fields.Float(help="The client's discount on this deposit.")
    allowed_tax_ids = fields.Many2many("account.tax", compute="_compute_allowed_tax_ids")
    tax_ids = fields.Many2many(
        "account.tax",
        string="Taxes",
        domain="[('id', 'in', allowed_tax_ids)]",
        help="Among the taxes the type allows on deposits, those that apply. None by default.",
    )
    invoice_date = fields.Date(default=fields.Date.context_today)
    invoice_date_due = fields.Date(string="Due Date")
    payment_term_id = fields.Many2one(
        "account.payment.term",
        string="Payment Terms",
        domain="[('company_id', 'in', (False, company_id))]",
    )

    @api.depends("account_id")
    def _compute_partner_id(self):
        for wizard in self:
            wizard.partner_id = wizard.account_id.partner_id or wizard.partner_id

    @api.depends("account_id", "company_id")
    def _compute_type_currency(self):
        for wizard in self:
            if wizard.account_id:
                wizard.type_id = wizard.account_id.type_id
                wizard.currency_id = wizard.account_id.currency_id
            else:
                wizard.type_id = wizard.type_id or self.env["client.balance.type"]._default_for(
                    wizard.company_id, wizard.currency_id or wizard.company_id.currency_id
                )
                wizard.currency_id = wizard.currency_id or wizard.company_id.currency_id

    @api.depends("type_id", "company_id")
    def _compute_allowed_tax_ids(self):
        for wizard in self:
            wizard.allowed_tax_ids = wizard.type_id.deposit_tax_ids.filtered(
                lambda tax, wizard=wizard: tax.company_id in wizard.company_id.parent_ids
            )

    @api.onchange("partner_id")
    def _onchange_partner_id(self):
        if self.account_id.commercial_partner_id != self.commercial_partner_id:
            self.account_id = self.env["client.balance.account"]._search_usable(
                self.partner_id, self.currency_id, self.company_id
            )[:1]

    def _get_account(self):
        """The chosen account, or the client's account of the chosen type and
        currency, opened when missing."""
        self.ensure_one()
        if self.account_id:
            return self.account_id
        if not self.type_id:
            raise UserError(self.env._("Choose the client account, or the type of the new one."))
        Account = self.env["client.balance.account"]
        requisite = self.partner_id._client_balance_default_requisite()
        account = Account.search(
            [
                ("partner_id", "=", requisite.id),
                ("type_id", "=", self.type_id.id),
                ("currency_id", "=", self.currency_id.id),
                ("company_id", "=", self.company_id.id),
            ]
        )
        if account:
            return account
        return Account.browse(
            self.partner_id.with_company(self.company_id).client_balance_open(
                self.type_id.id, currency_id=self.currency_id.id, requisite_id=requisite.id
            )
        )

    def action_confirm(self):
        self.ensure_one()
        # A refused request leaves no account opened for it either.
        with self.env.cr.savepoint():
            invoice = self._get_account()._request_deposit(
                self.amount,
                date=self.invoice_date,
                due_date=self.invoice_date_due,
                taxes=self.tax_ids,
                payment_term=self.payment_term_id,
                discount_type=self.discount_type,
                discount=self.discount,
            )
        return {
            "type": "ir.actions.act_window",
            "res_model": "account.move",
            "res_id": invoice.id,
            "view_mode": "form",
            "views": [(self.env.ref("account.view_move_form").id, "form")],
        }
