from odoo import api, fields, models
from odoo.exceptions import UserError

SPEND_GROUP = "client_balance.client_balance_group_spend"


class AccountPaymentRegister(models.TransientModel):
    """Register Payment: credit an overpayment to the client's balance or
    debit an underpayment from it.

    The options apply when the wizard creates one payment (one invoice, or
    several invoices of one client paid as a group) of customer invoices in
    the payment's currency, for members of the Pay from Balance group."""

    _inherit = "account.payment.register"

    client_balance_enabled = fields.Boolean(
        compute="_compute_client_balance_enabled",
        string="Client Balance Options Available",
    )
    client_balance_account_ids = fields.Many2many(
        "client.balance.account",
        compute="_compute_client_balance_account_ids",
        string="Eligible Client Accounts",
    )
    client_balance_account_id = fields.Many2one(
        "client.balance.account",
        string="Client Account",
        compute="_compute_client_balance_account_id",
        store=True,
        readonly=False,
        domain="[('id', 'in', client_balance_account_ids)]",
        help="Open account of the client in the payment's currency that receives the "
        "overpayment or pays the rest of the invoice.",
    )
    client_balance_type_id = fields.Many2one(
        "client.balance.type",
        string="New Account Type",
        compute="_compute_client_balance_type_id",
        store=True,
        readonly=False,
        help="The client has no open account in the payment's currency: an account of this "
        "type is opened to receive the difference.",
    )
    client_balance_available = fields.Monetary(
        compute="_compute_client_balance_available",
        currency_field="currency_id",
        string="Available Client Balance",
        help="What the client can spend now from the selected client account.",
    )
    client_balance_can_credit = fields.Boolean(compute="_compute_client_balance_can")
    client_balance_can_debit = fields.Boolean(compute="_compute_client_balance_can")
    client_balance_left_due = fields.Monetary(
        compute="_compute_client_balance_can",
        currency_field="currency_id",
        string="Left Due",
        help="What the invoices still owe after this payment.",
    )
    client_balance_credit_difference = fields.Boolean(
        string="Credit the difference to the client balance",
        compute="_compute_client_balance_credit_difference",
        store=True,
        readonly=False,
        help="The amount paid above what is due goes to the client's balance: the "
        "invoices are paid in full and the client can spend the rest later.",
    )
    client_balance_credit_amount = fields.Monetary(
        compute="_compute_client_balance_can",
        currency_field="currency_id",
        string="Amount to Credit",
    )
    client_balance_debit = fields.Boolean(
        string="Debit from the client balance",
        compute="_compute_client_balance_debit",
        store=True,
        readonly=False,
        help="Pay the rest of the invoices from the client's balance along with this payment.",
    )
    client_balance_debit_amount = fields.Monetary(
        string="Amount to Debit",
        compute="_compute_client_balance_debit_amount",
        store=True,
        readonly=False,
        currency_field="currency_id",
        help="Taken from the client balance and reconciled with the invoices; at most the "
        "available balance and what the payment leaves due.",
    )

    client_balance_can_refund = fields.Boolean(compute="_compute_client_balance_can_refund")
    client_balance_refund = fields.Boolean(
        string="Credit the refund to the client balance",
        help="Instead of paying the money back, keep it on the client's balance in the credit "
        "note's currency (the default account; a client without one gets an account of the "
        "first usable type).",
    )

    # ------------------------------------------------------------------
    # Computes
    # ------------------------------------------------------------------

    @api.depends(
        "can_edit_wizard",
        "line_ids",
        "payment_type",
        "partner_type",
        "currency_id",
        "source_currency_id",
    )
    def _compute_client_balance_can_refund(self):
        allowed = self.env.user.has_group(SPEND_GROUP)
        for wizard in self:
            moves = wizard.line_ids._origin.move_id
            wizard.client_balance_can_refund = bool(
                allowed
                and len(moves) == 1
                and moves.move_type == "out_refund"
                and moves.state == "posted"
                and wizard.can_edit_wizard
                and wizard.payment_type == "outbound"
                and wizard.partner_type == "customer"
                and wizard.currency_id
                and wizard.currency_id == wizard.source_currency_id
            )

    @api.depends(
        "can_edit_wizard",
        "group_payment",
        "line_ids",
        "payment_type",
        "partner_type",
        "currency_id",
        "source_currency_id",
        "early_payment_discount_mode",
    )
    def _compute_client_balance_enabled(self):
        allowed = self.env.user.has_group(SPEND_GROUP)
        for wizard in self:
            lines = wizard.line_ids._origin
            wizard.client_balance_enabled = bool(
                allowed
                and lines
                and wizard.can_edit_wizard
                and (len(lines) == 1 or wizard.group_payment)
                and wizard.payment_type == "inbound"
                and wizard.partner_type == "customer"
                and all(move.move_type == "out_invoice" for move in lines.move_id)
                and all(line.parent_state == "posted" for line in lines)
                and wizard.currency_id
                and wizard.currency_id == wizard.source_currency_id
                and not wizard.early_payment_discount_mode
            )

    @api.depends("client_balance_enabled", "partner_id", "currency_id", "company_id")
    def _compute_client_balance_account_ids(self):
        Account = self.env["client.balance.account"]
        for wizard in self:
            if not wizard.client_balance_enabled:
                wizard.client_balance_account_ids = Account
                continue
            wizard.client_balance_account_ids = Account._search_usable(
                wizard.partner_id, wizard.currency_id, wizard.company_id
            )

    @api.depends("client_balance_account_ids", "payment_difference")
    def _compute_client_balance_account_id(self):
        for wizard in self:
            accounts = wizard.client_balance_account_ids
            funded = accounts.filtered(
                lambda account: account.currency_id.compare_amounts(account.available, 0) > 0
            )
            current = wizard.client_balance_account_id
            if (
                current
                and current in accounts
                and (wizard._client_balance_overpaid() or current in funded or not funded)
            ):
                continue
            # An overpayment goes to the default account; otherwise show first
            # the account the client can spend from.
            if wizard._client_balance_overpaid():
                wizard.client_balance_account_id = accounts[:1]
            else:
                wizard.client_balance_account_id = funded[:1] or accounts[:1]

    @api.depends("client_balance_enabled", "client_balance_account_ids", "company_id")
    def _compute_client_balance_type_id(self):
        Type = self.env["client.balance.type"]
        for wizard in self:
            if wizard.client_balance_enabled and not wizard.client_balance_account_ids:
                wizard.client_balance_type_id = wizard.client_balance_type_id or Type._default_for(
                    wizard.company_id, wizard.currency_id
                )
            else:
                wizard.client_balance_type_id = Type

    @api.depends("client_balance_account_id.available")
    def _compute_client_balance_available(self):
        for wizard in self:
            wizard.client_balance_available = wizard.client_balance_account_id.available

    @api.depends("client_balance_enabled", "payment_difference", "client_balance_available")
    def _compute_client_balance_can(self):
        for wizard in self:
            overpaid = wizard._client_balance_overpaid()
            wizard.client_balance_can_credit = overpaid
            wizard.client_balance_credit_amount = -wizard.payment_difference if overpaid else 0.0
            underpaid = wizard._client_balance_underpaid()
            wizard.client_balance_left_due = wizard.payment_difference if underpaid else 0.0
            wizard.client_balance_can_debit = underpaid and (
                wizard.currency_id.compare_amounts(wizard.client_balance_available, 0) > 0
            )

    @api.depends("client_balance_can_credit")
    def _compute_client_balance_credit_difference(self):
        for wizard in self:
            if not wizard.client_balance_can_credit:
                wizard.client_balance_credit_difference = False

    @api.depends("client_balance_can_debit")
    def _compute_client_balance_debit(self):
        for wizard in self:
            if not wizard.client_balance_can_debit:
                wizard.client_balance_debit = False

    @api.depends("client_balance_debit", "payment_difference", "client_balance_available")
    def _compute_client_balance_debit_amount(self):
        for wizard in self:
            if wizard.client_balance_debit:
                wizard.client_balance_debit_amount = max(
                    min(wizard.payment_difference, wizard.client_balance_available), 0.0
                )
            else:
                wizard.client_balance_debit_amount = 0.0

    @api.onchange("client_balance_credit_difference", "client_balance_debit")
    def _onchange_client_balance_option(self):
        # The balance takes the difference: nothing is left to write off.
        if self.client_balance_credit_difference or self.client_balance_debit:
            self.payment_difference_handling = "open"

    def _client_balance_overpaid(self):
        self.ensure_one()
        return bool(
            self.client_balance_enabled
            and self.currency_id.compare_amounts(self.payment_difference, 0) < 0
        )

    def _client_balance_underpaid(self):
        self.ensure_one()
        return bool(
            self.client_balance_enabled
            and self.currency_id.compare_amounts(self.payment_difference, 0) > 0
        )

    @api.model_create_multi
    def create(self, vals_list):
        wizards = super().create(vals_list)
        for wizard, vals in zip(wizards, vals_list, strict=True):
            wizard._client_balance_check_decimals(vals)
        return wizards

    def write(self, vals):
        res = super().write(vals)
        for wizard in self:
            wizard._client_balance_check_decimals(vals)
        return res

    def _client_balance_check_decimals(self, vals):
        """Refuse, rather than round, a debit amount with more decimals than
        the currency has (integrations send raw numbers)."""
        amount = vals.get("client_balance_debit_amount")
        if amount and isinstance(amount, (int, float)) and self.currency_id:
            self.env["client.balance.operation"]._check_amount(abs(amount), self.currency_id)

    # ------------------------------------------------------------------
    # Payment creation
    # ------------------------------------------------------------------

    def _create_payment_vals_from_wizard(self, batch_result):
        payment_vals = super()._create_payment_vals_from_wizard(batch_result)
        if self.client_balance_credit_difference:
            account = self.client_balance_account_id
            payment_vals["client_balance_account_id"] = account.id
            payment_vals["write_off_line_vals"].append(
                self._client_balance_credit_line_vals(account)
            )
        return payment_vals

    def _client_balance_credit_line_vals(self, account):
        """The write-off line carrying the overpayment to ``account``'s
        liability account (an inbound payment: a credit). The payment links
        it to ``account`` (see account.payment)."""
        self.ensure_one()
        amount = -self.client_balance_credit_amount
        return {
            "name": self.env._("Overpayment credited to %(account)s", account=account.display_name),
            "account_id": account.liability_account_id.id,
            "partner_id": account.partner_id.id,
            "currency_id": self.currency_id.id,
            "amount_currency": amount,
            "balance": self.currency_id._convert(
                amount, self.company_id.currency_id, self.company_id, self.payment_date
            ),
        }

    def action_create_payments(self):
        if self.client_balance_refund:
            self._create_payments()
            return {"type": "ir.actions.act_window_close"}
        return super().action_create_payments()

    def _client_balance_refund(self):
        """Settle the credit note onto the client's balance instead of paying
        the money back. Returns the refund operation."""
        self.ensure_one()
        self.env["client.balance.account"]._check_group(SPEND_GROUP)
        if not self.client_balance_can_refund:
            raise UserError(
                self.env._(
                    "A refund is credited to the client balance from one posted customer credit "
                    "note at a time, in its own currency."
                )
            )
        credit_note = self.line_ids._origin.move_id
        return self.env["client.balance.operation"].browse(
            credit_note.client_balance_refund_to_balance(self.amount)
        )

    def _create_payments(self):
        self.ensure_one()
        if self.client_balance_refund:
            # The money stays on the client's balance: no payment.
            self._client_balance_refund()
            return self.env["account.payment"]
        credit = self.client_balance_credit_difference
        debit = self.client_balance_debit
        if not (credit or debit):
            return super()._create_payments()
        self._client_balance_check()
        # The balance takes the difference: Odoo must not write it off.
        self.payment_difference_handling = "open"
        payments = self.env["account.payment"]

        def create_payments(operation):
            nonlocal payments
            payments = super(AccountPaymentRegister, self)._create_payments()
            operation.payment_id = payments[:1]
            return payments

        def credit_entry(operation):
            payment = create_payments(operation)[:1]
            if not payment.move_id:
                raise UserError(
                    self.env._(
                        "The payment method %(method)s creates no journal entry: set its "
                        "outstanding receipts account to credit the difference to the client "
                        "balance.",
                        method=self.payment_method_line_id.display_name,
                    )
                )
            return payment.move_id

        def debit_entry(operation):
            create_payments(operation)
            return operation._create_move()

        # A refused movement leaves no account opened for it either.
        with self.env.cr.savepoint():
            if credit and not self.client_balance_account_id:
                self.client_balance_account_id = self._client_balance_open_account()
            self.env["client.balance.operation"]._book(
                "credit_difference" if credit else "debit_difference",
                self.client_balance_account_id,
                self.client_balance_credit_amount if credit else self.client_balance_debit_amount,
                debit=debit,
                date=self.payment_date,
                journal=self.journal_id if credit else None,
                invoice_ids=self.line_ids._origin.move_id,
                entry_builder=credit_entry if credit else debit_entry,
            )
        return payments

    def _client_balance_check(self):
        """Refuse the options when they do not apply, before anything is
        written. What every movement needs (a usable account, a valid amount,
        the lock, the available amount, the lock date) is checked by the
        operation's guarded path."""
        self.ensure_one()
        Account = self.env["client.balance.account"]
        Account._check_group(SPEND_GROUP)
        if not self.client_balance_enabled:
            raise UserError(
                self.env._(
                    "The client balance options apply to one payment of customer invoices, "
                    "in the invoices' currency: register the payment for one client at a "
                    "time, with Group Payments ticked for several invoices."
                )
            )
        if self.client_balance_credit_difference and self.client_balance_debit:
            raise UserError(
                self.env._("Either credit an overpayment or debit an underpayment, not both.")
            )
        account = self.client_balance_account_id
        if account and account not in self.client_balance_account_ids:
            raise UserError(
                self.env._(
                    "%(account)s is not an open account of %(client)s in %(currency)s.",
                    account=account.display_name,
                    client=self.partner_id.commercial_partner_id.display_name,
                    currency=self.currency_id.name,
                )
            )
        if self.client_balance_credit_difference:
            self._client_balance_check_credit()
        else:
            self._client_balance_check_debit()

    def _client_balance_check_credit(self):
        self.ensure_one()
        if not self._client_balance_overpaid():
            raise UserError(
                self.env._(
                    "The payment does not exceed what is due: there is no difference to "
                    "credit to the client balance."
                )
            )
        if not self.client_balance_account_id:
            balance_type = self.client_balance_type_id
            if not balance_type:
                raise UserError(
                    self.env._(
                        "%(client)s has no open client account in %(currency)s: choose the "
                        "type of the account to open.",
                        client=self.partner_id.commercial_partner_id.display_name,
                        currency=self.currency_id.name,
                    )
                )
            if not balance_type.active or not balance_type._is_available_in(self.company_id):
                raise UserError(
                    self.env._(
                        "The balance type %(type)s cannot be used in %(company)s.",
                        type=balance_type.display_name,
                        company=self.company_id.display_name,
                    )
                )

    def _client_balance_check_debit(self):
        self.ensure_one()
        account = self.client_balance_account_id
        if not self._client_balance_underpaid():
            raise UserError(
                self.env._(
                    "The payment leaves nothing due: there is nothing to debit from the client "
                    "balance."
                )
            )
        if not account:
            raise UserError(self.env._("Choose the client account to debit."))
        if (
            self.currency_id.compare_amounts(
                self.client_balance_debit_amount, self.payment_difference
            )
            > 0
        ):
            raise UserError(
                self.env._(
                    "Only %(due)s is left due after this payment: debit at most that from the "
                    "client balance.",
                    due=account._format(self.payment_difference),
                )
            )

    def _client_balance_open_account(self):
        """Open a client account of the chosen type for the overpayment."""
        self.ensure_one()
        client = self.partner_id.commercial_partner_id.with_company(self.company_id)
        return self.env["client.balance.account"].browse(
            client.client_balance_open(
                self.client_balance_type_id.id, currency_id=self.currency_id.id
            )
        )
