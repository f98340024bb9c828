import logging
from collections import defaultdict

from dateutil.relativedelta import relativedelta

from odoo import Command, api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError

from .client_balance_operation import EXPIRING_KINDS

_logger = logging.getLogger(__name__)


def _is_record_id(value):
    """``value`` may be a record's id: a positive whole number, not a bool."""
    return isinstance(value, int) and not isinstance(value, bool) and value > 0


class ClientBalanceAccount(models.Model):
    _name = "client.balance.account"
    _description = "Client Balance Account"
    _inherit = ["mail.thread"]
    _order = "commercial_partner_id, sequence, id"
    _check_company_auto = True

    name = fields.Char(compute="_compute_name", store=True)
    partner_id = fields.Many2one(
        "res.partner",
        string="Requisite",
        required=True,
        index=True,
        ondelete="restrict",
        check_company=True,
        tracking=True,
        help="Billing entity holding this balance: the client company or one of its "
        "invoice addresses.",
    )
    commercial_partner_id = fields.Many2one(
        related="partner_id.commercial_partner_id", store=True, index=True, string="Client"
    )
    type_id = fields.Many2one(
        "client.balance.type", string="Type", required=True, ondelete="restrict", index=True
    )
    sequence = fields.Integer(related="type_id.sequence", store=True)
    currency_id = fields.Many2one("res.currency", required=True, ondelete="restrict")
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    liability_account_id = fields.Many2one(
        "account.account",
        string="Liability Account",
        required=True,
        index=True,
        ondelete="restrict",
        check_company=True,
        help="Set when the account is opened, from the type's configuration.",
    )
    user_id = fields.Many2one(
        "res.users", string="Opened By", default=lambda self: self.env.user, required=True
    )
    date_open = fields.Date(string="Opening Date", default=fields.Date.context_today, required=True)
    state = fields.Selection(
        [("open", "Open"), ("closed", "Closed")], default="open", required=True, tracking=True
    )
    is_default = fields.Boolean(
        string="Default",
        help="Payment differences of this client in this currency go to the default account.",
    )
    move_line_ids = fields.One2many(
        "account.move.line", "client_balance_account_id", string="Journal Items"
    )
    operation_ids = fields.One2many("client.balance.operation", "account_id", string="Operations")
    operation_count = fields.Integer(compute="_compute_operation_count")
    balance = fields.Monetary(
        compute="_compute_balance",
        store=True,
        help="Sum of the posted journal items of this account on the liability account.",
    )
    min_balance = fields.Monetary(
        string="Minimum Balance",
        compute="_compute_min_balance",
        store=True,
        help="The type's minimum balance in this account's currency; negative: the debt allowed.",
    )
    debt = fields.Monetary(
        compute="_compute_available",
        store=True,
        help="What the client owes on this account: the balance below zero, allowed down to "
        "the minimum balance.",
    )
    pending_deposit = fields.Monetary(
        string="Unpaid Deposits",
        compute="_compute_available",
        store=True,
        help="The part of posted deposit invoices and sales of credit to this account that "
        "is not paid yet: in the balance, not available until paid.",
    )
    available = fields.Monetary(
        compute="_compute_available",
        store=True,
        help="What can be spent now: the balance minus the type's minimum balance and the "
        "unpaid part of deposit invoices.",
    )
    deposit_invoice_ids = fields.Many2many(
        "account.move",
        compute="_compute_deposit_invoice_ids",
        string="Deposit Invoices",
        help="Deposit requests and invoices selling credit to this account, and their credit "
        "notes.",
    )
    deposit_invoice_count = fields.Integer(compute="_compute_deposit_invoice_ids")

    _sql_constraints = [
        (
            "requisite_type_currency_company_uniq",
            "unique(partner_id, type_id, currency_id, company_id)",
            "A requisite has one client account per type, currency and company.",
        ),
    ]

    @api.depends("type_id.name", "partner_id.display_name", "currency_id.name")
    def _compute_name(self):
        for account in self:
            account.name = (
                f"{account.type_id.name} - {account.partner_id.display_name} "
                f"({account.currency_id.name})"
            )

    # Computed when the account opens; from then on every operation moves it
    # by its amount (client.balance.operation._moving) rather than summing
    # the account's journal items, a sum that grows with its history: only
    # operations post on a balance. An invoice selling credit reset to draft
    # takes its credit back through _recompute_balance.
    def _compute_balance(self):
        balances = self._posted_balances()
        for account in self:
            account.balance = balances.get(account._origin.id, 0.0)

    def _posted_balances(self):
        """Per account id, the sum of its posted journal items (a credit
        positive)."""
        ids = self._origin.ids
        if not ids:
            return {}
        groups = (
            self.env["account.move.line"]
            .sudo()
            ._read_group(
                [("client_balance_account_id", "in", ids), ("parent_state", "=", "posted")],
                ["client_balance_account_id"],
                ["amount_currency:sum"],
            )
        )
        return {account.id: -amount for account, amount in groups}

    def _recompute_balance(self):
        """Set the stored balances again from their posted journal items."""
        balances = self._posted_balances()
        for account in self.sudo():
            balance = balances.get(account.id, 0.0)
            if account.currency_id.compare_amounts(account.balance, balance):
                account.balance = balance

    @api.depends(
        "type_id.minimum_ids.min_balance", "type_id.minimum_ids.currency_id", "currency_id"
    )
    def _compute_min_balance(self):
        for account in self:
            account.min_balance = sum(
                account.type_id.minimum_ids.filtered(
                    lambda line, account=account: line.currency_id == account.currency_id
                ).mapped("min_balance")
            )

    @api.depends(
        "balance",
        "min_balance",
        "move_line_ids.move_id.amount_residual",
        "move_line_ids.move_id.state",
    )
    def _compute_available(self):
        pending = self._client_balance_pending_amounts(self._origin.ids)
        for account in self:
            account.pending_deposit = pending.get(account._origin.id, 0.0)
            account.available = account.balance - account.min_balance - account.pending_deposit
            account.debt = max(-account.balance, 0.0)

    @api.model
    def _client_balance_pending_amounts(self, account_ids, move_ids=None, by_invoice=False):
        """Per client account id, the unpaid part of the posted customer
        invoices crediting it (deposits, sales of credit), in one query. Per
        invoice: its credit to the account, less what its posted credit notes
        took back, counts as unpaid up to what the invoice still has due (a
        payment covers the invoice's other lines and taxes first)."""
        if not account_ids:
            return {}
        self.env["account.move.line"].flush_model(
            [
                "client_balance_account_id",
                "amount_currency",
                "move_id",
                "display_type",
                "product_id",
            ]
        )
        self.env["account.move"].flush_model(
            ["state", "move_type", "amount_residual", "amount_total"]
        )
        self.env["account.move"].flush_model(["reversed_entry_id"])
        query = """
            WITH credit AS (
                SELECT COALESCE(move.reversed_entry_id, move.id) AS invoice_id,
                       line.client_balance_account_id AS account_id,
                       SUM(-line.amount_currency) AS amount
                  FROM account_move_line line
                  JOIN account_move move ON move.id = line.move_id
                 WHERE line.client_balance_account_id IN %s
                   AND line.product_id IS NOT NULL
                   AND line.display_type = 'product'
                   AND move.state = 'posted'
                   AND move.move_type IN ('out_invoice', 'out_refund')
              GROUP BY 1, 2
            )
            SELECT {keys},
                   SUM(LEAST(GREATEST(credit.amount, 0), invoice.amount_residual))
              FROM credit
              JOIN account_move invoice ON invoice.id = credit.invoice_id
             WHERE invoice.move_type = 'out_invoice'
               AND invoice.state = 'posted'
               AND invoice.amount_residual > 0
        """
        params = [tuple(account_ids)]
        if move_ids:
            query += " AND invoice.id IN %s"
            params.append(tuple(move_ids))
        # Per account id, or per (account id, invoice id).
        keys = "credit.account_id, invoice.id" if by_invoice else "credit.account_id"
        self.env.cr.execute(query.format(keys=keys) + f" GROUP BY {keys}", params)
        # Fetched at once: reading the accounts' currencies below may run other
        # queries on this cursor (a fetch, a flush) and replace this result.
        rows = self.env.cr.fetchall()
        accounts = self.browse(account_ids)
        currencies = {account.id: account.currency_id for account in accounts}
        return {
            tuple(row[:-1]) if by_invoice else row[0]: currencies[row[0]].round(float(row[-1]))
            for row in rows
        }

    def _compute_deposit_invoice_ids(self):
        Move = self.env["account.move"]
        for account in self:
            invoices = (
                Move.search(
                    [
                        ("line_ids.client_balance_account_id", "=", account._origin.id),
                        ("move_type", "in", ("out_invoice", "out_refund")),
                    ]
                )
                if account._origin.id
                else Move
            )
            invoices |= Move.search(
                [("client_balance_deposit_account_id", "=", account._origin.id)]
            )
            account.deposit_invoice_ids = invoices
            account.deposit_invoice_count = len(invoices)

    def _compute_operation_count(self):
        counts = dict(
            self.env["client.balance.operation"]._read_group(
                [("account_id", "in", self.ids)], ["account_id"], ["__count"]
            )
        )
        for account in self:
            account.operation_count = counts.get(account, 0)

    @api.constrains("type_id", "currency_id", "company_id")
    def _check_type_currency_company(self):
        for account in self:
            balance_type = account.type_id
            if balance_type.currency_ids and account.currency_id not in balance_type.currency_ids:
                raise ValidationError(
                    self.env._(
                        "The balance type %(type)s does not allow %(currency)s. "
                        "Choose one of: %(allowed)s.",
                        type=balance_type.display_name,
                        currency=account.currency_id.name,
                        allowed=", ".join(balance_type.currency_ids.mapped("name")),
                    )
                )
            if not balance_type._is_available_in(account.company_id):
                raise ValidationError(
                    self.env._(
                        "The balance type %(type)s is not available in %(company)s.",
                        type=balance_type.display_name,
                        company=account.company_id.display_name,
                    )
                )

    @api.constrains("is_default", "commercial_partner_id", "currency_id", "company_id")
    def _check_is_default(self):
        defaults = self.filtered("is_default")
        if not defaults:
            return
        counts = defaultdict(int)
        for sibling in defaults._default_siblings():
            counts[sibling._default_key()] += 1
        for account in defaults:
            if counts[account._default_key()] > 1:
                raise ValidationError(
                    self.env._(
                        "%(client)s already has a default account in %(currency)s: "
                        "untick it first.",
                        client=account.commercial_partner_id.display_name,
                        currency=account.currency_id.name,
                    )
                )

    @api.model_create_multi
    def create(self, vals_list):
        accounting = {}
        for vals in vals_list:
            if vals.get("type_id") and not vals.get("liability_account_id"):
                key = (vals["type_id"], vals.get("company_id") or self.env.company.id)
                if key not in accounting:
                    company = self.env["res.company"].browse(key[1])
                    balance_type = self.env["client.balance.type"].browse(key[0])
                    accounting[key] = balance_type._get_accounting(company)["liability_account"].id
                vals["liability_account_id"] = accounting[key]
        accounts = super().create(vals_list)
        # The first account of a client in a currency takes its differences.
        candidates = self.browse(
            account.id
            for account, vals in zip(accounts, vals_list, strict=True)
            if not vals.get("is_default")
        )
        if candidates:
            taken = {sibling._default_key() for sibling in candidates._default_siblings()}
            new_defaults = []
            for account in candidates:
                if account._default_key() not in taken:
                    taken.add(account._default_key())
                    new_defaults.append(account.id)
            self.browse(new_defaults).write({"is_default": True})
        return accounts

    def _default_key(self):
        self.ensure_one()
        return (self.commercial_partner_id.id, self.currency_id.id, self.company_id.id)

    def _default_siblings(self):
        """The default accounts of these accounts' clients, currencies and
        companies (these accounts among them when they are), in one search."""
        if not self:
            return self.browse()
        keys = {account._default_key() for account in self}
        siblings = self.sudo().search(
            [
                ("is_default", "=", True),
                ("commercial_partner_id", "in", list({key[0] for key in keys})),
                ("currency_id", "in", list({key[1] for key in keys})),
                ("company_id", "in", list({key[2] for key in keys})),
            ]
        )
        return siblings.filtered(lambda sibling: sibling._default_key() in keys)

    def write(self, vals):
        frozen = {"partner_id", "type_id", "currency_id", "company_id", "liability_account_id"}
        if frozen & set(vals) and self.filtered("move_line_ids"):
            raise UserError(
                self.env._(
                    "A client account with journal items keeps its requisite, type, currency, "
                    "company and liability account. Open another account instead."
                )
            )
        if vals.get("state") == "closed":
            for account in self:
                if not account.currency_id.is_zero(account.balance):
                    raise UserError(
                        self.env._(
                            "%(account)s still holds %(balance)s: bring it to zero before "
                            "closing it (a manager can pay it out).",
                            account=account.display_name,
                            balance=account._format(account.balance),
                        )
                    )
        return super().write(vals)

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------

    def action_close(self):
        # An account with money on it is paid out first: a manager gets the
        # payout of its whole balance, ready to close the account after it.
        if (
            len(self) == 1
            and self.currency_id.compare_amounts(self.balance, 0) > 0
            and self.state == "open"
            and self.env.user.has_group("client_balance.client_balance_group_manager")
        ):
            action = self.action_payout()
            action["context"].update(default_amount=self.balance, default_close_account=True)
            return action
        return self.write({"state": "closed"})

    def action_reopen(self):
        return self.write({"state": "open"})

    def action_view_operations(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "client_balance.client_balance_operation_action"
        )
        action["domain"] = [("account_id", "=", self.id)]
        action["context"] = {"default_account_id": self.id}
        return action

    def action_view_move_lines(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Journal Items"),
            "res_model": "account.move.line",
            "view_mode": "list,form",
            "domain": [("client_balance_account_id", "=", self.id)],
            "context": {"search_default_posted": 1},
        }

    def _action_wizard(self, xmlid):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(xmlid)
        action["context"] = {"default_account_id": self.id}
        return action

    def action_topup(self):
        return self._action_wizard("client_balance.client_balance_topup_action")

    def action_spend(self):
        return self._action_wizard("client_balance.client_balance_spend_action")

    def action_adjust(self):
        return self._action_wizard("client_balance.client_balance_adjust_action")

    def action_transfer(self):
        return self._action_wizard("client_balance.client_balance_transfer_action")

    def action_payout(self):
        return self._action_wizard("client_balance.client_balance_payout_action")

    def action_request_deposit(self):
        return self._action_wizard("client_balance.client_balance_deposit_action")

    def action_view_deposit_invoices(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "account.action_move_out_invoice_type"
        )
        action["domain"] = [("id", "in", self.deposit_invoice_ids.ids)]
        action["context"] = {"default_move_type": "out_invoice"}
        return action

    # ------------------------------------------------------------------
    # Public API (XML-RPC / JSON-RPC)
    # ------------------------------------------------------------------

    def topup(self, amount, journal_id, date=False, memo=False):
        """Receive ``amount`` on the cash or bank journal ``journal_id`` and
        credit it to this balance. Returns the id of the top-up operation."""
        self.ensure_one()
        self._check_group("client_balance.client_balance_group_user")
        journal = self._get_cash_journal(journal_id)
        return (
            self.env["client.balance.operation"]
            ._book("topup", self, amount, date=date, journal=journal, description=memo or False)
            .id
        )

    def payout(self, amount, journal_id, date=False, memo=False):
        """Return ``amount`` of this balance to the client from the cash or
        bank journal ``journal_id``. Returns the id of the payout operation."""
        self.ensure_one()
        self._check_group("client_balance.client_balance_group_manager")
        journal = self._get_cash_journal(journal_id)
        return (
            self.env["client.balance.operation"]
            ._book(
                "payout",
                self,
                amount,
                debit=True,
                date=date,
                journal=journal,
                description=memo or False,
            )
            .id
        )

    def transfer(self, to_account_id, amount, to_amount=False, description=False):
        """Move ``amount`` from this balance to the client account
        ``to_account_id`` in one entry; between currencies ``to_amount`` (in
        the other account's currency) is required and sets the rate. Returns
        the ids of the two operations: this account's, then the other's."""
        self.ensure_one()
        self._check_group("client_balance.client_balance_group_spend")
        to_account = self._given("client.balance.account", to_account_id)
        if not to_account or to_account == self:
            raise UserError(self.env._("Choose another client account to transfer to."))
        to_account.check_access("read")
        if to_account.company_id != self.company_id:
            raise UserError(
                self.env._(
                    "%(account)s belongs to another company than %(from_account)s: transfer "
                    "between accounts of one company.",
                    account=to_account.display_name,
                    from_account=self.display_name,
                )
            )
        if to_account.currency_id == self.currency_id:
            if to_amount is not False and to_amount is not None and to_amount != amount:
                raise UserError(
                    self.env._(
                        "Both accounts are in %(currency)s: leave the amount received empty.",
                        currency=self.currency_id.name,
                    )
                )
            to_amount = amount
        elif to_amount is False or to_amount is None:
            raise UserError(
                self.env._(
                    "%(account)s is in %(currency)s: give the amount it receives, which sets the "
                    "rate of the transfer.",
                    account=to_account.display_name,
                    currency=to_account.currency_id.name,
                )
            )
        operation = self.env["client.balance.operation"]._book(
            "transfer",
            self,
            amount,
            debit=True,
            to_account=to_account,
            to_amount=to_amount,
            description=description or False,
        )
        return [operation.id, operation.transfer_operation_id.id]

    def request_deposit(self, amount, date=False, due_date=False, tax_ids=False):
        """Create a draft deposit request of ``amount`` for this account: a
        customer invoice whose one line credits the balance once posted,
        spendable as far as it is paid. ``tax_ids``: among the type's deposit
        taxes, those that apply. Returns the invoice id."""
        return self._request_deposit(
            amount,
            date=date,
            due_date=due_date,
            taxes=self._given_many("account.tax", tax_ids or []),
        ).id

    def _request_deposit(
        self,
        amount,
        date=False,
        due_date=False,
        taxes=None,
        payment_term=None,
        discount_type="percent",
        discount=0.0,
        description=False,
    ):
        self.ensure_one()
        self._check_group("client_balance.client_balance_group_user")
        Operation = self.env["client.balance.operation"]
        Operation._check_account(self)
        Operation._check_amount(amount, self.currency_id)
        taxes = (taxes or self.env["account.tax"]).exists()
        not_allowed = taxes - self.type_id.deposit_tax_ids
        if not_allowed:
            raise UserError(
                self.env._(
                    "The balance type %(type)s does not allow %(taxes)s on deposits: choose "
                    "among its deposit taxes.",
                    type=self.type_id.display_name,
                    taxes=", ".join(not_allowed.mapped("name")),
                )
            )
        if taxes.filtered(lambda tax: tax.company_id not in self.company_id.parent_ids):
            raise UserError(
                self.env._(
                    "Choose taxes of %(company)s for this deposit.",
                    company=self.company_id.display_name,
                )
            )
        price, percent = self._deposit_price(amount, discount_type, discount or 0.0)
        name = description or self.env._("Initial deposit")
        if discount_type == "fixed" and discount:
            name = self.env._(
                "%(name)s of %(amount)s less a discount of %(discount)s",
                name=name,
                amount=self._format(amount),
                discount=self._format(discount),
            )
        vals = {
            "move_type": "out_invoice",
            "partner_id": self.partner_id.id,
            "currency_id": self.currency_id.id,
            "company_id": self.company_id.id,
            "invoice_date": Operation._to_date(date),
            "client_balance_deposit_account_id": self.id,
            "invoice_line_ids": [
                Command.create(
                    {
                        "product_id": self.type_id._get_deposit_product().id,
                        "name": name,
                        "quantity": 1,
                        "price_unit": price,
                        "discount": percent,
                        "account_id": self.liability_account_id.id,
                        "tax_ids": [Command.set(taxes.ids)],
                        "client_balance_account_id": self.id,
                    }
                )
            ],
        }
        if payment_term:
            vals["invoice_payment_term_id"] = payment_term.id
        elif due_date:
            vals["invoice_date_due"] = Operation._to_date(due_date)
        return self.env["account.move"].with_company(self.company_id).create(vals)

    def _deposit_price(self, amount, discount_type, discount):
        """Unit price and discount percentage of a deposit line of
        ``amount`` with a client discount (a percentage or a fixed amount)."""
        self.ensure_one()
        if isinstance(discount, bool) or not isinstance(discount, (int, float)):
            raise UserError(self.env._("The discount must be a number."))
        if not discount:
            return amount, 0.0
        if discount_type == "percent":
            if not 0 < discount < 100:
                raise UserError(self.env._("A discount percentage is between 0 and 100."))
            return amount, discount
        if discount_type != "fixed":
            raise UserError(self.env._("A discount is a percentage or a fixed amount."))
        self.env["client.balance.operation"]._check_amount(discount, self.currency_id)
        if self.currency_id.compare_amounts(discount, amount) >= 0:
            raise UserError(self.env._("A fixed discount must be smaller than the deposit."))
        return self.currency_id.round(amount - discount), 0.0

    def _default_cash_journal(self):
        """The cash desk offered first for this account's top-ups and payouts."""
        self.ensure_one()
        return self.env["account.journal"].search(
            [("type", "=", "cash"), ("company_id", "parent_of", self.company_id.id)], limit=1
        )

    @api.model
    def _given(self, model, record_id):
        """The record of ``model`` a caller names by ``record_id``: empty when
        that is not the id of an existing record (a boolean, a string, a
        list...), for the caller's own check to refuse it."""
        if not _is_record_id(record_id):
            return self.env[model]
        return self.env[model].browse(record_id).exists()

    @api.model
    def _given_many(self, model, record_ids):
        """The records of ``model`` a caller names by the list ``record_ids``."""
        if not isinstance(record_ids, (list, tuple)):
            raise UserError(self.env._("Give a list of record ids."))
        valid, wrong = [], []
        for record_id in record_ids:
            (valid if _is_record_id(record_id) else wrong).append(record_id)
        records = self.env[model].browse(valid).exists()
        wrong += sorted(set(valid) - set(records.ids))
        if wrong:
            raise UserError(
                self.env._("%(value)s is not the id of an existing record.", value=wrong[0])
            )
        return records

    def _get_cash_journal(self, journal_id):
        """The bank or cash journal ``journal_id`` money is received on or paid
        from; a branch uses its own journals and its parents'."""
        journal = self._given("account.journal", journal_id)
        if (
            not journal
            or journal.type not in ("bank", "cash")
            or journal.company_id not in self.company_id.parent_ids
        ):
            raise UserError(
                self.env._(
                    "Choose a bank or cash journal of %(company)s.",
                    company=self.company_id.display_name,
                )
            )
        return journal

    def spend(self, invoice_id, amount=None):
        """Pay the customer invoice ``invoice_id`` from this balance, by
        ``amount`` or, when no amount is given, by as much as possible.
        Returns the operation id."""
        self.ensure_one()
        self._check_group("client_balance.client_balance_group_spend")
        Operation = self.env["client.balance.operation"]
        invoice = self._given("account.move", invoice_id)
        self._check_invoice(invoice)
        # XML-RPC sends no None: False means "no amount" there.
        if amount is None or amount is False:
            Operation._check_account(self)
            Operation._lock_accounts(self)
            amount = min(invoice.amount_residual, self.available)
            if self.currency_id.compare_amounts(amount, 0) <= 0:
                raise UserError(
                    self.env._(
                        "%(account)s has no available balance to pay %(invoice)s.",
                        account=self.display_name,
                        invoice=invoice.display_name,
                    )
                )
        Operation._check_amount(amount, self.currency_id)
        if self.currency_id.compare_amounts(amount, invoice.amount_residual) > 0:
            raise UserError(
                self.env._(
                    "%(invoice)s has only %(due)s left to pay: spend at most that.",
                    invoice=invoice.display_name,
                    due=self._format(invoice.amount_residual),
                )
            )
        return Operation._book("spend", self, amount, debit=True, invoice_ids=invoice).id

    def adjust(self, amount, counterpart_account_id, description):
        """Move ``amount`` (signed: positive credits the balance) between this
        balance and ``counterpart_account_id``. Returns the operation id."""
        self.ensure_one()
        self._check_group("client_balance.client_balance_group_manager")
        if not (description or "").strip():
            raise UserError(self.env._("Describe why the balance is adjusted."))
        counterpart = self._given("account.account", counterpart_account_id)
        if (
            not counterpart
            or counterpart.deprecated
            or not (self.company_id | self.company_id.root_id) & counterpart.sudo().company_ids
        ):
            raise UserError(
                self.env._(
                    "Choose an active counterpart account of %(company)s.",
                    company=self.company_id.display_name,
                )
            )
        if counterpart in self.env["client.balance.type"]._liability_accounts(
            self.company_id, among=counterpart
        ):
            raise UserError(
                self.env._(
                    "The counterpart of an adjustment cannot be a client balance account: "
                    "choose an income, expense or other account."
                )
            )
        Operation = self.env["client.balance.operation"]
        magnitude, debit = Operation._split_signed(amount)
        return Operation._book(
            "adjustment",
            self,
            magnitude,
            debit=debit,
            counterpart_account_id=counterpart.id,
            description=description,
        ).id

    # ------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------

    @api.model
    def _usable_domain(self):
        return [("state", "=", "open"), ("type_id.active", "=", True)]

    @api.model
    def _search_usable(self, client, currency, company, domain=()):
        """Open accounts of ``client`` in ``currency`` and ``company`` whose
        type is active, the default account first."""
        return self.search(
            [
                *self._usable_domain(),
                ("commercial_partner_id", "=", client.commercial_partner_id.id),
                ("currency_id", "=", currency.id),
                ("company_id", "=", company.id),
                *domain,
            ],
            order="is_default desc, sequence, id",
        )

    @api.model
    def _open_account(
        self,
        requisite,
        balance_type,
        currency,
        company,
        initial_amount=0.0,
        date_open=None,
        user=None,
        description=None,
    ):
        """Open the account of ``requisite`` of ``balance_type`` in
        ``currency`` and ``company``: the one place that checks it is new,
        makes it the client's default when it has none in that currency and
        books the opening balance (negative: a debt). The caller has checked
        the right to open accounts."""
        self._check_openable(balance_type, currency)
        if initial_amount:
            self._check_group("client_balance.client_balance_group_manager")
        # A refused opening balance leaves no account behind.
        with self.env.cr.savepoint():
            account = self._open_accounts(
                [
                    {
                        "partner_id": requisite.id,
                        "type_id": balance_type.id,
                        "currency_id": currency.id,
                        "company_id": company.id,
                        "user_id": (user or self.env.user).id,
                        "date_open": date_open or fields.Date.context_today(self),
                    }
                ]
            )
            if initial_amount:
                account._book_opening(initial_amount, description=description)
        return account

    @api.model
    def _open_accounts(self, vals_list):
        """Create the accounts of ``vals_list`` (``partner_id``, ``type_id``,
        ``currency_id``, ``company_id``, optional ``user_id`` and
        ``date_open``) at once, after checking that each type and currency is
        active and that none exists yet. The caller has checked the right to
        open accounts."""
        types = self.env["client.balance.type"].browse({vals.get("type_id") for vals in vals_list})
        currencies = self.env["res.currency"].browse(
            {vals.get("currency_id") for vals in vals_list}
        )
        self._check_openable(types, currencies)
        keys = [
            (vals["partner_id"], vals["type_id"], vals["currency_id"], vals["company_id"])
            for vals in vals_list
        ]
        existing = self.search(
            [
                ("partner_id", "in", list({key[0] for key in keys})),
                ("type_id", "in", types.ids),
                ("currency_id", "in", currencies.ids),
                ("company_id", "in", list({key[3] for key in keys})),
            ]
        )
        wanted = set(keys)
        for account in existing:
            key = (
                account.partner_id.id,
                account.type_id.id,
                account.currency_id.id,
                account.company_id.id,
            )
            if key not in wanted:
                continue
            if account.state == "closed":
                raise UserError(
                    self.env._(
                        "%(account)s already exists and is closed: reopen it, or choose another "
                        "type.",
                        account=account.display_name,
                    )
                )
            raise UserError(
                self.env._(
                    "%(account)s already exists: use it rather than opening another one.",
                    account=account.display_name,
                )
            )
        today = fields.Date.context_today(self)
        return (
            self.sudo()
            .create([{"user_id": self.env.uid, "date_open": today, **vals} for vals in vals_list])
            .with_env(self.env)
        )

    @api.model
    def _check_openable(self, types, currencies):
        if not types or not all(types.ids) or not all(types.mapped("active")):
            raise UserError(self.env._("Choose an active balance type."))
        if not currencies or not all(currencies.ids) or not all(currencies.mapped("active")):
            raise UserError(self.env._("Choose an active currency."))

    def _book_opening(self, amount, date=None, description=None):
        """Book the opening balance ``amount`` (negative: a debt) against the
        type's opening counterpart, on ``date`` (default the opening date)."""
        self.ensure_one()
        accounting = self.type_id._get_accounting(self.company_id)
        if not accounting["opening_account"]:
            raise UserError(
                self.env._(
                    "Set the opening counterpart account of %(type)s first.",
                    type=self.type_id.display_name,
                )
            )
        Operation = self.env["client.balance.operation"]
        magnitude, debit = Operation._split_signed(amount)
        return Operation._book(
            "opening",
            self,
            magnitude,
            debit=debit,
            date=date or self.date_open,
            counterpart_account_id=accounting["opening_account"].id,
            description=description or self.env._("Opening balance"),
        )

    def _check_group(self, xmlid):
        if not self.env.su and not self.env.user.has_group(xmlid):
            group = self.env.ref(xmlid)
            raise AccessError(
                self.env._(
                    "Only members of %(group)s can do this. Ask an administrator for the right.",
                    group=group.full_name,
                )
            )
        self.check_access("read")

    def _check_invoice(self, invoice):
        self.ensure_one()
        if not invoice or invoice.move_type != "out_invoice":
            raise UserError(self.env._("A balance pays customer invoices only."))
        invoice.check_access("read")
        if invoice.state != "posted" or invoice.currency_id.is_zero(invoice.amount_residual):
            raise UserError(
                self.env._(
                    "%(invoice)s is not a posted invoice with an amount due.",
                    invoice=invoice.display_name,
                )
            )
        if invoice.company_id != self.company_id:
            raise UserError(
                self.env._(
                    "%(invoice)s belongs to another company than %(account)s.",
                    invoice=invoice.display_name,
                    account=self.display_name,
                )
            )
        if invoice.commercial_partner_id != self.commercial_partner_id:
            raise UserError(
                self.env._(
                    "%(invoice)s is billed to %(client)s, not to the holder of %(account)s.",
                    invoice=invoice.display_name,
                    client=invoice.commercial_partner_id.display_name,
                    account=self.display_name,
                )
            )
        if invoice.currency_id != self.currency_id:
            raise UserError(
                self.env._(
                    "%(invoice)s is in %(invoice_currency)s and %(account)s in %(currency)s: "
                    "pay it from a balance in %(invoice_currency)s.",
                    invoice=invoice.display_name,
                    invoice_currency=invoice.currency_id.name,
                    account=self.display_name,
                    currency=self.currency_id.name,
                )
            )

    def _format(self, amount):
        self.ensure_one()
        return self.currency_id.format(amount)

    # ------------------------------------------------------------------
    # Expiry of credit: the oldest credits are spent first; what is left
    # of a credit once its type's validity has passed is taken out by a
    # scheduled action, after an e-mail to the client.
    # ------------------------------------------------------------------

    # Computed rather than an inverse of the operations' account: creating an
    # operation then costs no read of its state to keep this list current.
    credit_operation_ids = fields.One2many(
        "client.balance.operation",
        string="Credits",
        compute="_compute_credit_operation_ids",
    )
    validity_months = fields.Integer(related="type_id.validity_months")

    @api.depends("operation_ids.state")
    def _compute_credit_operation_ids(self):
        credits = self.env["client.balance.operation"]._read_group(
            [("account_id", "in", self.ids), ("amount", ">", 0), ("state", "=", "posted")],
            ["account_id"],
            ["id:array_agg"],
        )
        ids = {account.id: operation_ids for account, operation_ids in credits}
        for account in self:
            account.credit_operation_ids = (
                self.env["client.balance.operation"].browse(ids.get(account.id, [])).sorted()
            )

    def _credits_left(self):
        """What is left of each credit of this account: every debit takes from
        the oldest credits first (an expiry from the credits it expired, a
        credit note from the invoice it cancels), and a debt left by debits
        is paid first by the next credits. A reversed operation and its
        reversal cancel each other and take no part; the unpaid part of a
        deposit waits until it is paid. Returns ``{operation: amount left}``
        for the credits with something left."""
        self.ensure_one()
        operations = (
            self.env["client.balance.operation"]
            .sudo()
            .search(
                [
                    ("account_id", "=", self.id),
                    ("reversed_operation_id", "=", False),
                    ("reversal_operation_id", "=", False),
                ],
                order="date, id",
            )
        )
        currency = self.currency_id
        # The unpaid part of a deposit is not spent, nor expired, before it
        # is paid.
        unpaid = {
            invoice_id: amount
            for (_account_id, invoice_id), amount in self._client_balance_pending_amounts(
                self.ids, by_invoice=True
            ).items()
        }
        left = {}
        credits = []
        debt = 0.0
        for operation in operations:
            if operation.move_id.state != "posted":
                continue
            if operation.amount > 0:
                paid = operation.amount
                if operation.kind == "deposit":
                    paid = max(paid - unpaid.get(operation.move_id.id, 0.0), 0.0)
                covered = min(paid, debt)
                debt -= covered
                credits.append(operation)
                left[operation] = paid - covered
                continue
            need = -operation.amount
            first = operation.expired_operation_ids
            if operation.kind == "deposit" and operation.move_id.reversed_entry_id:
                first = [
                    credit
                    for credit in credits
                    if credit.move_id == operation.move_id.reversed_entry_id
                ]
            for credit in [*first, *credits]:
                if currency.compare_amounts(need, 0) <= 0:
                    break
                take = min(need, left.get(credit, 0.0))
                if take > 0:
                    left[credit] -= take
                    need -= take
            debt += max(need, 0.0)
        return {
            credit: currency.round(amount)
            for credit, amount in left.items()
            if currency.compare_amounts(amount, 0) > 0
        }

    def _expired_credits(self, date):
        """The credits of this account whose remainder has expired on
        ``date``, with what is left of each."""
        self.ensure_one()
        return {
            credit: amount
            for credit, amount in self._credits_left().items()
            if credit._get_expiry_date() and credit._get_expiry_date() <= date
        }

    @api.model
    def _cron_expire_credits(self):
        """Take out what is left of expired credits, one entry per account,
        and tell clients what is about to expire."""
        today = fields.Date.context_today(self)
        accounts = (
            self.sudo()
            .with_context(active_test=False)
            .search(
                [
                    ("type_id.validity_months", ">", 0),
                    ("state", "=", "open"),
                    ("balance", ">", 0),
                ]
            )
        )
        expiries = self.env["client.balance.operation"]
        for account in accounts:
            try:
                with self.env.cr.savepoint():
                    expiries |= account.with_company(account.company_id)._expire_credits(today)
            except UserError as error:
                _logger.warning("Credit of %s not expired: %s", account.display_name, error)
        accounts._notify_expiring_credits(today)
        return expiries

    def _expire_credits(self, date):
        """Book the expiry of what is left of this account's credits expired
        on ``date``: one operation (Dr the liability account / Cr the type's
        expired-credit income account) linked to those credits. Never more
        than the balance holds beyond unpaid deposits, nor than is
        available. Returns the expiry operation, or nothing."""
        self.ensure_one()
        Operation = self.env["client.balance.operation"]
        expired = self._expired_credits(date)
        if not expired:
            return Operation
        amount = min(
            sum(expired.values()),
            self.balance - self.pending_deposit,
            self.available,
        )
        amount = self.currency_id.round(amount)
        if self.currency_id.compare_amounts(amount, 0) <= 0:
            return Operation
        counterpart = self.type_id._get_accounting_or_empty(self.company_id)["expired_account"]
        if not counterpart:
            raise UserError(
                self.env._(
                    "Set the expired credit account of %(type)s in %(company)s.",
                    type=self.type_id.display_name,
                    company=self.company_id.display_name,
                )
            )
        credits = Operation.browse([credit.id for credit in expired])
        return Operation._book(
            "expiry",
            self,
            amount,
            debit=True,
            date=date,
            counterpart_account_id=counterpart.id,
            description=self.env._(
                "Expired credit: %(credits)s",
                credits=", ".join(
                    credit.display_name for credit in credits.sorted(lambda op: (op.date, op.id))
                ),
            ),
            expired_operation_ids=[Command.set(credits.ids)],
        )

    def _notify_expiring_credits(self, date):
        """E-mail each client once what is about to expire within its type's
        notice period."""
        template = self.env.ref("client_balance.email_template_credit_expiry")
        for account in self:
            days = account.type_id.expiry_notice_days
            if not days or not account.partner_id.email:
                continue
            limit = date + relativedelta(days=days)
            expiring = {
                credit: amount
                for credit, amount in account._credits_left().items()
                if credit.kind in EXPIRING_KINDS
                and not credit.expiry_notice_sent
                and credit._get_expiry_date()
                and date < credit._get_expiry_date() <= limit
            }
            if not expiring:
                continue
            first = min(credit._get_expiry_date() for credit in expiring)
            template.with_context(
                expiring_amount=account._format(sum(expiring.values())),
                expiring_date=first,
            ).send_mail(account.id)
            self.env["client.balance.operation"].browse(
                [credit.id for credit in expiring]
            ).sudo().expiry_notice_sent = True
