import datetime
import math
from collections import defaultdict
from contextlib import contextmanager

from dateutil.relativedelta import relativedelta

from odoo import Command, api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL, float_is_zero
from odoo.tools.sql import drop_index, index_exists


@contextmanager
def cursor_flag(cr, name):
    """Raise the counter ``name`` of the database cursor while the block runs:
    a flag of the server's own code for this transaction, which no caller can
    set (a caller over RPC sends the context it likes)."""
    setattr(cr, name, getattr(cr, name, 0) + 1)
    try:
        yield
    finally:
        setattr(cr, name, getattr(cr, name) - 1)


def cursor_flagged(cr, name):
    return bool(getattr(cr, name, 0))


KINDS = [
    ("opening", "Opening Balance"),
    ("topup", "Top-up"),
    ("spend", "Spend"),
    ("credit_difference", "Credit of a Payment Difference"),
    ("debit_difference", "Debit of a Payment Difference"),
    ("adjustment", "Adjustment"),
    ("reversal", "Reversal"),
    ("refund", "Refund to Balance"),
    ("payout", "Payout"),
    ("transfer", "Transfer"),
    ("deposit", "Invoiced Credit"),
    ("expiry", "Expiry"),
    ("pos", "Point of Sale"),
]

# No amount reaches this: beyond, amounts lose their cents in floating point
# and taxes on them overflow.
MAX_AMOUNT = 1e15
# Kinds whose entry pays invoices from a balance.
SPEND_KINDS = ("spend", "debit_difference")
# Kinds whose counterpart is the receivable of their invoices (or credit
# notes), reconciled with it.
RECEIVABLE_KINDS = (*SPEND_KINDS, "refund")
# Kinds whose credits expire when their type has a validity.
EXPIRING_KINDS = ("topup", "deposit", "refund", "credit_difference", "transfer", "pos")
# Kinds whose entry is a customer payment on a bank or cash journal.
PAYMENT_KINDS = ("topup", "payout")


class ClientBalanceOperation(models.Model):
    """One movement of a client balance, owning exactly one posted journal
    entry. Every operation is created by ``_book``, the one guarded path."""

    _name = "client.balance.operation"
    _description = "Client Balance Operation"
    _order = "date desc, id desc"
    _check_company_auto = True
    _rec_names_search = ["name", "description", "invoice_ids.name", "partner_id.name"]

    name = fields.Char(related="move_id.name", store=True, string="Number")
    kind = fields.Selection(KINDS, required=True, readonly=True, index=True)
    account_id = fields.Many2one(
        "client.balance.account",
        string="Client Account",
        required=True,
        readonly=True,
        index=True,
        ondelete="restrict",
        check_company=True,
    )
    # Computed before the row is inserted, not updated after: an operation
    # is created with its account.
    partner_id = fields.Many2one(
        related="account_id.partner_id", store=True, precompute=True, string="Requisite"
    )
    commercial_partner_id = fields.Many2one(
        related="account_id.commercial_partner_id", store=True, precompute=True, string="Client"
    )
    type_id = fields.Many2one(related="account_id.type_id", store=True, precompute=True)
    company_id = fields.Many2one(
        related="account_id.company_id", store=True, precompute=True, index=True
    )
    currency_id = fields.Many2one(related="account_id.currency_id", store=True, precompute=True)
    amount = fields.Monetary(
        readonly=True, help="Effect on the balance: positive credits it, negative debits it."
    )
    balance_after = fields.Monetary(
        string="Balance After",
        readonly=True,
        help="Balance of the client account right after this operation was booked.",
    )
    date = fields.Date(required=True, readonly=True, index=True)
    user_id = fields.Many2one("res.users", string="User", readonly=True, required=True)
    journal_id = fields.Many2one(
        "account.journal", string="Journal", readonly=True, check_company=True
    )
    invoice_id = fields.Many2one(
        "account.move",
        string="Invoice",
        readonly=True,
        index="btree_not_null",
        check_company=True,
        help="The invoice this operation settles, when it settles one only.",
    )
    invoice_ids = fields.Many2many(
        "account.move",
        "client_balance_operation_invoice_rel",
        "operation_id",
        "move_id",
        string="Invoices",
        readonly=True,
        check_company=True,
        help="Every invoice this operation pays or settles.",
    )
    invoice_names = fields.Char(
        string="Invoice Numbers",
        compute="_compute_invoice_names",
        search="_search_invoice_names",
        help="The numbers of the invoices this operation pays or settles, for users who "
        "may not open invoices.",
    )
    payment_id = fields.Many2one(
        "account.payment",
        string="Payment",
        readonly=True,
        index="btree_not_null",
        check_company=True,
    )
    payment_journal_id = fields.Many2one(
        related="payment_id.journal_id",
        string="Payment Journal",
        help="The cash desk or bank journal of the payment, printed on the receipts.",
    )
    move_id = fields.Many2one(
        "account.move",
        string="Journal Entry",
        readonly=True,
        index=True,
        ondelete="restrict",
        check_company=True,
    )
    counterpart_account_id = fields.Many2one(
        "account.account", string="Counterpart Account", readonly=True
    )
    res_model = fields.Char(
        string="Source Model", readonly=True, help="Model of the document that caused it."
    )
    res_id = fields.Many2oneReference(string="Source ID", model_field="res_model", readonly=True)
    source_ref = fields.Reference(
        selection="_selection_source_ref",
        compute="_compute_source_ref",
        string="Source Document",
    )
    description = fields.Text()
    state = fields.Selection(
        [("draft", "Draft"), ("posted", "Posted"), ("reversed", "Reversed")],
        compute="_compute_state",
        store=True,
    )
    reversed_operation_id = fields.Many2one(
        "client.balance.operation",
        string="Reverses",
        readonly=True,
        index="btree_not_null",
        help="The operation this reversal cancels.",
    )
    reversal_operation_id = fields.Many2one(
        "client.balance.operation",
        string="Reversed By",
        compute="_compute_reversal_operation_id",
        store=True,
    )
    reversal_ids = fields.One2many("client.balance.operation", "reversed_operation_id")
    transfer_operation_id = fields.Many2one(
        "client.balance.operation",
        string="Other Side of the Transfer",
        readonly=True,
        index="btree_not_null",
        help="The operation of the other client account of this transfer: both share one "
        "journal entry.",
    )
    has_receipt = fields.Boolean(compute="_compute_has_receipt")
    expired_operation_ids = fields.Many2many(
        "client.balance.operation",
        "client_balance_operation_expired_rel",
        "expiry_id",
        "credit_id",
        string="Expired Credits",
        readonly=True,
        help="The credits whose remainder this expiry took out.",
    )
    credit_left = fields.Monetary(
        compute="_compute_credit_left",
        string="Left",
        help="What is left of this credit, the oldest credits being spent first.",
    )
    expiry_date = fields.Date(
        compute="_compute_credit_left",
        string="Expires On",
        help="The day what is left of this credit expires (its type's validity).",
    )
    expiry_notice_sent = fields.Boolean(
        readonly=True,
        copy=False,
        help="The client was told this credit is about to expire.",
    )

    _sql_constraints = [
        (
            "move_uniq",
            "unique(move_id, account_id)",
            "A journal entry belongs to one operation per client account only.",
        ),
        (
            "reversal_uniq",
            "unique(reversed_operation_id)",
            "An operation is reversed once only.",
        ),
    ]

    def init(self):
        res = super().init()
        # An account's history in its order (the portal, the account's
        # operations): a walk along this index, not a sort of all of them.
        # It holds what the portal filters on too, so that counting a page
        # deep into a long history reads the index only.
        drop_index(self.env.cr, "client_balance_operation_account_date_idx", self._table)
        if not index_exists(self.env.cr, "client_balance_operation_history_idx"):
            self.env.cr.execute(
                SQL(
                    "CREATE INDEX client_balance_operation_history_idx ON %s "
                    "(account_id, date DESC, id DESC) INCLUDE (state, commercial_partner_id)",
                    SQL.identifier(self._table),
                )
            )
        return res

    @api.model
    def _selection_source_ref(self):
        return [(model.model, model.name) for model in self.env["ir.model"].sudo().search([])]

    @api.depends("res_model", "res_id")
    def _compute_source_ref(self):
        for operation in self:
            operation.source_ref = (
                f"{operation.res_model},{operation.res_id}"
                if operation.res_model in self.env and operation.res_id
                else False
            )

    @api.depends("reversal_ids")
    def _compute_reversal_operation_id(self):
        for operation in self:
            operation.reversal_operation_id = operation.reversal_ids[:1]

    @api.depends("move_id.state", "reversal_operation_id")
    def _compute_state(self):
        for operation in self:
            if operation.reversal_operation_id:
                operation.state = "reversed"
            elif operation.move_id.state == "posted":
                operation.state = "posted"
            else:
                operation.state = "draft"

    def _compute_credit_left(self):
        self.credit_left = 0.0
        self.expiry_date = False
        for account in self.account_id:
            left = account._credits_left()
            for operation in self.filtered(lambda op, account=account: op.account_id == account):
                operation.credit_left = left.get(operation, 0.0)
                operation.expiry_date = operation._get_expiry_date()

    def _get_expiry_date(self):
        """The day this credit expires; False for what does not expire."""
        self.ensure_one()
        months = self.account_id.type_id.validity_months
        if not months or self.kind not in EXPIRING_KINDS or self.amount <= 0:
            return False
        return self.date + relativedelta(months=months)

    @api.depends("kind")
    def _compute_has_receipt(self):
        receipts = self._receipt_reports()
        for operation in self:
            operation.has_receipt = operation.kind in receipts

    def _compute_display_name(self):
        kinds = dict(self._fields["kind"]._description_selection(self.env))
        for operation in self:
            operation.display_name = operation.name or kinds.get(operation.kind, "")

    # ------------------------------------------------------------------
    # Actions and public API
    # ------------------------------------------------------------------

    def action_reverse(self):
        self.ensure_one()
        reversal = self.browse(self.reverse())
        return {
            "type": "ir.actions.act_window",
            "res_model": self._name,
            "res_id": reversal.id,
            "view_mode": "form",
        }

    def action_view_move(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "account.move",
            "res_id": self.move_id.id,
            "view_mode": "form",
        }

    @api.model
    def _receipt_reports(self):
        """The receipt printed for each kind that has one."""
        return {
            "topup": "client_balance.client_balance_advance_receipt_report",
            "spend": "client_balance.client_balance_settlement_receipt_report",
            "debit_difference": "client_balance.client_balance_settlement_receipt_report",
        }

    @api.depends("invoice_ids")
    def _compute_invoice_names(self):
        # A front desk without invoicing rights reads its clients' history:
        # the numbers of the invoices, not the invoices themselves.
        for operation in self:
            operation.invoice_names = ", ".join(
                name for name in operation.sudo().invoice_ids.mapped("name") if name
            )

    def _search_invoice_names(self, operator, value):
        # Searched by number, as the column shows them: who may read the
        # operation may find it by the number of the invoice it settles.
        positive = {"not ilike": "ilike", "!=": "=", "not in": "in"}
        if value is False:  # "is set" / "is not set"
            return [("invoice_ids", "!=" if operator in positive else "=", False)]
        if operator not in ("ilike", "=", "=ilike", "in", *positive):
            raise UserError(
                self.env._('Search operations by invoice number with "contains" or "is equal to".')
            )
        invoices = (
            self.env["account.move"]
            .sudo()
            ._search([("name", positive.get(operator, operator), value)])
        )
        return [("invoice_ids", "not in" if operator in positive else "in", invoices)]

    def action_print_receipt(self):
        self.ensure_one()
        report = self._receipt_reports().get(self.kind)
        if not report:
            raise UserError(
                self.env._(
                    "%(operation)s is a %(kind)s: only top-ups and payments from the balance "
                    "have a receipt.",
                    operation=self.display_name,
                    kind=dict(self._fields["kind"]._description_selection(self.env))[self.kind],
                )
            )
        # A wizard printing it (a top-up, a payment from the balance) closes
        # once the receipt is downloaded.
        return dict(self.env.ref(report).report_action(self), close_on_report_download=True)

    def reverse(self, date=False):
        """Cancel this operation with a reversing entry. Returns the id of the
        reversing operation."""
        self.ensure_one()
        account = self.account_id
        account._check_group("client_balance.client_balance_group_manager")
        self.check_access("read")
        if self.kind == "reversal":
            raise UserError(self.env._("A reversal cannot be reversed: record a new operation."))
        if self.kind == "expiry":
            raise UserError(
                self.env._(
                    "%(operation)s is an expiry: it is the scheduled action's to make. Give the "
                    "client the credit back with an adjustment if it expired by mistake.",
                    operation=self.display_name,
                )
            )
        if self.kind == "deposit":
            raise UserError(
                self.env._(
                    "%(operation)s is booked by the invoice %(invoice)s: cancel it with a credit "
                    "note, or reset the invoice to draft while nothing is paid.",
                    operation=self.display_name,
                    invoice=self.move_id.display_name,
                )
            )
        if self.kind == "pos":
            raise UserError(
                self.env._(
                    "%(operation)s is booked by a Point of Sale order: refund the order at the "
                    "till to give the amount back.",
                    operation=self.display_name,
                )
            )
        if self.kind == "transfer":
            raise UserError(
                self.env._(
                    "%(operation)s is a transfer: undo it with a transfer back.",
                    operation=self.display_name,
                )
            )
        if self.state == "reversed":
            raise UserError(
                self.env._("%(operation)s is already reversed.", operation=self.display_name)
            )
        if self.state != "posted":
            raise UserError(
                self.env._(
                    "The journal entry of %(operation)s is not posted: only posted operations "
                    "can be reversed.",
                    operation=self.display_name,
                )
            )
        values = {
            "date": date,
            # The entry's journal, which a Manager of client balances without
            # accounting rights reads on the operation.
            "journal": self.journal_id,
            "invoice_ids": self.invoice_ids,
            "payment_id": self.payment_id.id,
            "reversed_operation_id": self.id,
            "description": self.env._("Reversal of %(operation)s", operation=self.display_name),
        }
        if self.kind == "credit_difference":
            # The payment stays as it is: the amount becomes an open credit of
            # the client on the payment's receivable account.
            values["journal"] = account.type_id._get_accounting(account.company_id)["journal"]
            values["counterpart_account_id"] = self.payment_id.sudo().destination_account_id.id
        return self._book("reversal", account, abs(self.amount), debit=self.amount > 0, **values).id

    # ------------------------------------------------------------------
    # The guarded path
    # ------------------------------------------------------------------

    @api.model
    def _book(self, kind, account, amount, debit=False, **values):
        """Book a movement of ``amount`` (positive) on the client ``account``:
        a debit takes it from the balance, otherwise it is credited.

        This is the one path of every balance movement. It checks that the
        account is usable and the amount valid, locks the account row and
        reads the balance again, refuses a debit beyond the available amount
        and a date in the lock period, then records the operation, builds and
        posts its entry and returns the operation. Callers check their rights
        and what is particular to them first.

        ``values``: ``date`` (default today), ``journal`` (default the type's
        journal), ``description``, ``invoice_ids``, ``payment_id``,
        ``counterpart_account_id``, ``reversed_operation_id``, ``source`` (the
        record that caused the movement), ``entry_builder``: a function
        given the new operation that creates and posts its entry and returns
        it, for entries Odoo builds itself (a Register Payment payment), and
        for a transfer ``to_account`` and ``to_amount``: the client account
        credited with ``to_amount`` (in its currency) in the same entry, with
        an operation of its own linked to this one; ``released``: the part of
        a debit that takes nothing available because it cancels unpaid
        deposits (a credit note of an unpaid deposit invoice).
        """
        entry_builder = values.pop("entry_builder", None)
        released = values.pop("released", 0.0)
        to_account = values.pop("to_account", None) or self.env["client.balance.account"]
        to_amount = values.pop("to_amount", None)
        account = account.with_env(self.env)
        to_account = to_account.with_env(self.env)
        self._check_account(account)
        self._check_amount(amount, account.currency_id)
        if to_account:
            self._check_account(to_account)
            self._check_amount(to_amount, to_account.currency_id)
        date = self._to_date(values.pop("date", False)) or fields.Date.context_today(self)
        journal = (
            values.pop("journal", False)
            or account.type_id._get_accounting(account.company_id)["journal"]
        )
        self._lock_accounts(account | to_account)
        if debit and account.currency_id.compare_amounts(amount - released, 0) > 0:
            self._check_available(kind, account, amount - released)
        if debit and kind in SPEND_KINDS:
            self._check_not_self_credit(account, values.get("invoice_ids"))
        self._check_lock_date(account.company_id, date, journal)
        # What is refused from here on (an entry Odoo refuses to post, one
        # that does not move the balance as it should) leaves nothing behind.
        with (
            self.env.cr.savepoint(),
            self._booking(),
            self._moving(account | to_account) as balances,
        ):
            vals_list = [
                self._prepare_operation_vals(
                    kind, account, -amount if debit else amount, date, journal, values
                )
            ]
            if to_account:
                vals_list.append(
                    self._prepare_operation_vals(kind, to_account, to_amount, date, journal, values)
                )
            operations = self.sudo().create(vals_list)
            operation = operations[0]
            if to_account:
                # The two sides of a transfer name each other.
                operation.transfer_operation_id = operations[1]
                operations[1].transfer_operation_id = operation
            move = entry_builder(operation) if entry_builder else operation._create_entry()
            operations._check_entry(move)
            for booked in operations:
                balances[booked.account_id.id] += booked.amount
                booked.write({"move_id": move.id, "balance_after": balances[booked.account_id.id]})
        return operation.with_env(self.env)

    @contextmanager
    def _moving(self, accounts):
        """While the entry of a movement of ``accounts`` is built, yield their
        balances, for the caller to move by the amounts of the operations it
        books; then store them. A stored balance is moved, never summed again
        from all of the account's journal items (a sum that grows with its
        history): ``_check_entry`` has checked that the entry moves each
        account by exactly its operation's amount. Movements of one account
        are not nested."""
        accounts = accounts.sudo()
        balances = {account.id: account.balance for account in accounts}
        yield balances
        for account in accounts:
            if account.currency_id.compare_amounts(account.balance, balances[account.id]):
                account.balance = balances[account.id]

    @api.model
    def _book_batch(self, kind, movements, journal, date, counterpart_account, ref=False):
        """Book several movements of ``kind`` in one journal entry: the guarded
        path of ``_book`` for many accounts at once (an import of opening
        balances), with the same checks in the same order. ``movements``:
        dicts with ``account``, ``amount`` (signed: positive credits the
        balance), optional ``description`` and ``label`` (named in an error
        about this movement). Each account appears once; all share ``date``,
        ``journal`` (of their company) and ``counterpart_account``, against
        which one item per currency balances the entry. Returns the
        operations, in the order of ``movements``."""
        Account = self.env["client.balance.account"]
        accounts = Account.browse([movement["account"].id for movement in movements])
        if len(set(accounts.ids)) != len(movements):
            raise UserError(
                self.env._("A journal entry books one movement per client account only.")
            )
        if len(accounts.company_id) != 1:
            raise UserError(self.env._("A journal entry books the accounts of one company only."))
        date = self._to_date(date) or fields.Date.context_today(self)

        def checked(movement, check, *args):
            try:
                return check(*args)
            except UserError as error:
                if not movement.get("label"):
                    raise
                raise UserError(
                    self.env._("%(label)s: %(error)s", label=movement["label"], error=error.args[0])
                ) from error

        for movement in movements:
            account = movement["account"].with_env(self.env)
            checked(movement, self._check_account, account)
            magnitude, _debit = self._split_signed(movement["amount"])
            checked(movement, self._check_amount, magnitude, account.currency_id)
        self._lock_accounts(accounts)
        for movement in movements:
            account = movement["account"].with_env(self.env)
            magnitude, debit = self._split_signed(movement["amount"])
            if debit:
                checked(movement, self._check_available, kind, account, magnitude)
        self._check_lock_date(accounts.company_id, date, journal)
        with self.env.cr.savepoint(), self._booking(), self._moving(accounts) as balances:
            operations = self.sudo().create(
                [
                    self._prepare_operation_vals(
                        kind,
                        movement["account"],
                        movement["amount"],
                        date,
                        journal,
                        {
                            "description": movement.get("description") or False,
                            "counterpart_account_id": counterpart_account.id,
                        },
                    )
                    for movement in movements
                ]
            )
            move = operations._create_batch_move(journal, date, counterpart_account, ref)
            operations._check_entry(move)
            operations.move_id = move
            for operation in operations:
                balances[operation.account_id.id] += operation.amount
                operation.balance_after = balances[operation.account_id.id]
        return operations.with_env(self.env)

    def _create_batch_move(self, journal, date, counterpart_account, ref):
        """Create and post the one entry of these new operations: an item per
        operation on its liability account, balanced per currency on
        ``counterpart_account``."""
        company = self.company_id
        lines = []
        counterparts = {}
        for operation in self:
            vals = operation._prepare_liability_line_vals()
            lines.append(Command.create(vals))
            amount_currency, balance = counterparts.get(operation.currency_id, (0.0, 0.0))
            counterparts[operation.currency_id] = (
                amount_currency - vals["amount_currency"],
                balance - vals["balance"],
            )
        for currency, (amount_currency, balance) in counterparts.items():
            lines.append(
                Command.create(
                    {
                        "name": ref or counterpart_account.display_name,
                        "account_id": counterpart_account.id,
                        "currency_id": currency.id,
                        "amount_currency": amount_currency,
                        "balance": company.currency_id.round(balance),
                    }
                )
            )
        # The items are new and the entry a draft: Odoo's sync of analytic
        # items (twice per item, through the account's inverse too) has
        # nothing to sync; posting creates the analytic items.
        move = (
            self.env["account.move"]
            .with_company(company)
            .with_context(skip_analytic_sync=True)
            .create(
                {
                    "move_type": "entry",
                    "journal_id": journal.id,
                    "company_id": company.id,
                    "date": date,
                    "ref": ref,
                    "currency_id": (
                        self.currency_id.id
                        if len(self.currency_id) == 1
                        else company.currency_id.id
                    ),
                    "line_ids": lines,
                }
            )
            .with_env(self.with_company(company).env)
        )
        move.action_post()
        return move

    def _booking(self):
        """While an operation builds its entry: the only time an entry may
        post items on a client balance (see account.move._post)."""
        return cursor_flag(self.env.cr, "client_balance_booking")

    @api.model
    def _is_booking(self):
        return cursor_flagged(self.env.cr, "client_balance_booking")

    @api.model
    def _split_signed(self, amount):
        """A signed amount (positive credits the balance) as the amount and
        the direction ``_book`` takes; anything but a number is passed on
        for ``_check_amount`` to refuse."""
        if isinstance(amount, bool) or not isinstance(amount, (int, float)):
            return amount, False
        return abs(amount), amount < 0

    @api.model
    def _prepare_operation_vals(self, kind, account, amount, date, journal, values):
        values = dict(values)
        source = values.pop("source", None)
        invoices = values.pop("invoice_ids", None) or self.env["account.move"]
        vals = {
            "kind": kind,
            "account_id": account.id,
            "amount": amount,
            "date": date,
            "journal_id": journal.id,
            "user_id": self.env.uid,
            "invoice_id": invoices.id if len(invoices) == 1 else False,
            **values,
        }
        if invoices:
            vals["invoice_ids"] = [Command.set(invoices.ids)]
        if source:
            vals.update(res_model=source._name, res_id=source.id)
        return vals

    @api.model
    def _to_date(self, value):
        """``value``, a date a caller gives (a date, a YYYY-MM-DD string, or
        nothing: False), as a date."""
        if not value:
            return False
        refused = UserError(
            self.env._("%(value)s is not a date: give it as YYYY-MM-DD.", value=value)
        )
        if not isinstance(value, (str, datetime.date)):
            raise refused
        try:
            return fields.Date.to_date(value)
        except ValueError as error:
            raise refused from error

    @api.model
    def _check_account(self, account):
        """The account is open, of an active type, in an allowed company."""
        account.ensure_one()
        if account.state != "open":
            raise UserError(
                self.env._("%(account)s is closed: reopen it first.", account=account.display_name)
            )
        if not account.type_id.active:
            raise UserError(
                self.env._(
                    "The balance type %(type)s is archived: restore it, or use an account of "
                    "another type.",
                    type=account.type_id.display_name,
                )
            )
        if account.company_id not in self.env.companies:
            raise AccessError(
                self.env._(
                    "%(account)s belongs to %(company)s: switch to that company first.",
                    account=account.display_name,
                    company=account.company_id.display_name,
                )
            )

    @api.model
    def _check_amount(self, amount, currency):
        """A positive number with no more decimals than ``currency`` has."""
        if (
            not isinstance(amount, (int, float))
            or isinstance(amount, bool)
            or not math.isfinite(amount)
        ):
            raise UserError(self.env._("The amount must be a number."))
        if abs(amount) >= MAX_AMOUNT:
            raise UserError(
                self.env._(
                    "%(amount)s is too large an amount: give less than %(max)s.",
                    amount=amount,
                    max=currency.format(MAX_AMOUNT),
                )
            )
        if currency.compare_amounts(amount, 0) <= 0:
            raise UserError(self.env._("The amount must be positive."))
        if not float_is_zero(
            amount - currency.round(amount), precision_digits=currency.decimal_places + 4
        ):
            raise UserError(
                self.env._(
                    "%(amount)s has more decimals than %(currency)s allows (%(digits)s).",
                    amount=amount,
                    currency=currency.name,
                    digits=currency.decimal_places,
                )
            )

    @api.model
    def _lock_accounts(self, accounts):
        """Lock the rows of ``accounts`` (in id order, so that two movements
        between the same accounts cannot deadlock) until the end of the
        transaction, then read their balances again: a concurrent movement
        waits here, and under Odoo's repeatable-read isolation fails and is
        retried once the first one has committed."""
        self.env.cr.execute(
            "SELECT id FROM client_balance_account WHERE id IN %s ORDER BY id FOR UPDATE",
            [tuple(accounts.ids)],
        )
        accounts.invalidate_recordset(["balance", "available"])
        accounts.sudo().fetch(["balance", "available"])

    @api.model
    def _check_available(self, kind, account, amount):
        """A debit of ``kind`` may take ``amount`` from ``account``: no more
        than is available, and a payout no more than the balance holds (an
        allowed debt is no money to pay out)."""
        if kind == "payout" and account.currency_id.compare_amounts(amount, account.balance) > 0:
            raise UserError(
                self.env._(
                    "%(account)s holds %(balance)s: pay out at most that.",
                    account=account.display_name,
                    balance=account._format(max(account.balance, 0.0)),
                )
            )
        if account.currency_id.compare_amounts(amount, account.available) > 0:
            if account.pending_deposit:
                raise UserError(
                    self.env._(
                        "%(account)s has %(available)s available: %(amount)s cannot be taken "
                        "from it. %(pending)s of its deposit invoices is not paid yet and becomes "
                        "available once paid.",
                        account=account.display_name,
                        available=account._format(account.available),
                        amount=account._format(amount),
                        pending=account._format(account.pending_deposit),
                    )
                )
            raise UserError(
                self.env._(
                    "%(account)s has %(available)s available: %(amount)s cannot be taken from it.",
                    account=account.display_name,
                    available=account._format(account.available),
                    amount=account._format(amount),
                )
            )

    @api.model
    def _check_not_self_credit(self, account, invoices):
        """An invoice selling credit to ``account`` is not paid from it."""
        for invoice in invoices or ():
            if invoice.sudo().line_ids.filtered(
                lambda line: (
                    line.client_balance_account_id == account and line.display_type == "product"
                )
            ):
                raise UserError(
                    self.env._(
                        "%(invoice)s sells the credit of %(account)s: it cannot be paid from "
                        "that same balance. Pay it by cash, card or bank.",
                        invoice=invoice.display_name,
                        account=account.display_name,
                    )
                )

    @api.model
    def _check_lock_date(self, company, date, journal):
        lock_date = company.sudo()._get_user_fiscal_lock_date(journal)
        if lock_date and date <= lock_date:
            raise UserError(
                self.env._(
                    "The books of %(company)s are locked until %(lock)s: choose a later date.",
                    company=company.display_name,
                    lock=lock_date,
                )
            )

    def _check_entry(self, move):
        """The entry is posted, moves the balance of each of these operations'
        accounts by the operation's amount, no more, no less, and no other
        client account."""
        lines = move.line_ids.filtered(lambda line: line.client_balance_account_id)
        entry_ok = move.state == "posted" and lines.client_balance_account_id == self.account_id
        moves = defaultdict(float)
        for line in lines:
            moves[line.client_balance_account_id.id] -= line.amount_currency
        for operation in self:
            moved = moves[operation.account_id.id]
            if not entry_ok or not operation.currency_id.is_zero(moved - operation.amount):
                raise UserError(
                    self.env._(
                        "The journal entry %(move)s does not move %(account)s by %(amount)s: "
                        "the operation is not recorded.",
                        move=move.display_name,
                        account=operation.account_id.display_name,
                        amount=operation.account_id._format(operation.amount),
                    )
                )

    # ------------------------------------------------------------------
    # The journal entry (extension points: _prepare_*)
    # ------------------------------------------------------------------

    def _create_entry(self):
        """Create and post the entry of this new operation; return it."""
        self.ensure_one()
        if self.kind in PAYMENT_KINDS:
            return self._create_payment_entry()
        if self.reversed_operation_id:
            return self.reversed_operation_id._create_reversing_entry(self)
        return self._create_move()

    def _create_move(self):
        self.ensure_one()
        operation = self.with_company(self.company_id)
        # Two items that balance, no taxes, no payment terms: nothing for
        # Odoo's sync of an invoice's lines to add (as for its payments).
        move = (
            operation.env["account.move"]
            .with_context(skip_invoice_sync=True)
            .create(operation._prepare_move_vals())
        )
        move.action_post()
        move = move.with_env(operation.env)
        operation._reconcile_entry(move)
        return move

    def _create_payment_entry(self):
        """A top-up (a payout) is an inbound (outbound) customer payment whose
        counterpart is the balance's liability account."""
        self.ensure_one()
        operation = self.with_company(self.company_id)
        payment = operation.env["account.payment"].create(operation._prepare_payment_vals())
        payment.action_post()
        if not payment.move_id:
            raise UserError(
                self.env._(
                    "The journal %(journal)s records payments without a journal entry: set an "
                    "outstanding receipts (payments) account on its incoming (outgoing) "
                    "payment method.",
                    journal=self.journal_id.display_name,
                )
            )
        self.payment_id = payment
        return payment.move_id

    def _prepare_payment_vals(self):
        self.ensure_one()
        account = self.account_id
        return {
            "payment_type": "inbound" if self.amount > 0 else "outbound",
            "partner_type": "customer",
            "partner_id": account.partner_id.id,
            "amount": abs(self.amount),
            "currency_id": self.currency_id.id,
            "journal_id": self.journal_id.id,
            "company_id": self.company_id.id,
            "date": self.date,
            "memo": self.description
            or (
                self.env._("Top-up of %(account)s", account=account.display_name)
                if self.amount > 0
                else self.env._("Payout from %(account)s", account=account.display_name)
            ),
            "destination_account_id": account.liability_account_id.id,
            "client_balance_account_id": account.id,
        }

    def _prepare_move_vals(self):
        self.ensure_one()
        partner = self._get_counterpart_partner()
        if self.transfer_operation_id.partner_id not in (partner, self.env["res.partner"]):
            # A transfer between two requisites: each item names its own.
            partner = self.env["res.partner"]
        return {
            "move_type": "entry",
            "journal_id": self.journal_id.id,
            # A branch books on its root's journal: the entry is the branch's.
            "company_id": self.company_id.id,
            "date": self.date,
            "ref": self._prepare_move_ref(),
            "currency_id": self.currency_id.id,
            "partner_id": partner.id,
            "line_ids": [
                Command.create(self._prepare_liability_line_vals()),
                Command.create(self._prepare_counterpart_line_vals()),
            ],
        }

    def _prepare_move_ref(self):
        self.ensure_one()
        if self.kind in RECEIVABLE_KINDS:
            return ", ".join(self.invoice_ids.mapped("name"))
        return self.description

    def _prepare_line_label(self):
        self.ensure_one()
        if self.kind in SPEND_KINDS:
            return self.env._("Paid from %(account)s", account=self.account_id.display_name)
        if self.kind == "refund":
            return self.env._("Refunded to %(account)s", account=self.account_id.display_name)
        if self.kind == "transfer" and not self.description:
            source, target = self, self.transfer_operation_id
            if self.amount > 0:
                source, target = target, self
            return self.env._(
                "Transfer from %(from_account)s to %(to_account)s",
                from_account=source.account_id.display_name,
                to_account=target.account_id.display_name,
            )
        return self.description or self.account_id.display_name

    def _company_balance(self, amount):
        """``amount`` of the balance's currency in the company's currency."""
        company = self.company_id
        return self.currency_id._convert(amount, company.currency_id, company, self.date)

    def _prepare_liability_line_vals(self):
        """The item moving the balance: a credit when the operation credits it."""
        self.ensure_one()
        account = self.account_id
        return {
            "name": self._prepare_line_label(),
            "account_id": account.liability_account_id.id,
            "partner_id": account.partner_id.id,
            "currency_id": self.currency_id.id,
            "amount_currency": -self.amount,
            "balance": self._company_balance(-self.amount),
            "client_balance_account_id": account.id,
        }

    def _prepare_counterpart_line_vals(self):
        self.ensure_one()
        if self.transfer_operation_id:
            # The other side of a transfer: both items weigh the same in the
            # company's currency (the transfer's own rate).
            return {
                **self.transfer_operation_id._prepare_liability_line_vals(),
                "name": self._prepare_line_label(),
                "balance": -self._company_balance(-self.amount),
            }
        return {
            "name": self._prepare_line_label(),
            "account_id": self._get_counterpart_account().id,
            "partner_id": self._get_counterpart_partner().id,
            "currency_id": self.currency_id.id,
            "amount_currency": self.amount,
            "balance": -self._company_balance(-self.amount),
        }

    def _get_counterpart_account(self):
        self.ensure_one()
        if self.transfer_operation_id:
            return self.transfer_operation_id.account_id.liability_account_id
        if self.counterpart_account_id:
            return self.counterpart_account_id
        if self.kind in RECEIVABLE_KINDS:
            return self._get_open_receivable_lines().account_id[:1]
        raise UserError(
            self.env._(
                "A %(kind)s needs a counterpart account.",
                kind=dict(self._fields["kind"]._description_selection(self.env))[self.kind],
            )
        )

    def _get_counterpart_partner(self):
        """Receivables are booked on the client; anything else on the requisite."""
        self.ensure_one()
        if self._get_counterpart_account().account_type == "asset_receivable":
            return self.account_id.commercial_partner_id
        return self.account_id.partner_id

    def _get_open_receivable_lines(self):
        self.ensure_one()
        return self.invoice_ids.sudo().line_ids.filtered(
            lambda line: line.display_type == "payment_term" and not line.reconciled
        )

    def _reconcile_entry(self, move):
        """A spend pays its invoices, a refund settles its credit notes: the
        receivable item is reconciled with what they still have due."""
        self.ensure_one()
        if self.kind not in RECEIVABLE_KINDS:
            return
        receivable = self._get_counterpart_account()
        (move.line_ids | self._get_open_receivable_lines()).filtered(
            lambda line: line.account_id == receivable and not line.reconciled
        ).reconcile()

    def _create_reversing_entry(self, reversal):
        """Post the entry of ``reversal``, which cancels this operation."""
        self.ensure_one()
        if reversal.counterpart_account_id:
            return reversal._create_move()
        operation = self.sudo().with_company(self.company_id)
        move = operation.move_id
        if self.kind in RECEIVABLE_KINDS:
            # Give the invoices their amount due back before cancelling the spend.
            move.line_ids.filtered(lambda line: line.account_id.reconcile).remove_move_reconcile()
        reversal_move = move._reverse_moves(
            [{"date": reversal.date, "ref": self.env._("Reversal of %(name)s", name=move.name)}],
            cancel=False,
        )
        reversal_move.action_post()
        # Close the entry and its reversal against each other on every
        # reconcilable account but the balance's own, whose items stay open.
        for line in move.line_ids.filtered(
            lambda line: line.account_id.reconcile and not line.client_balance_account_id
        ):
            counterpart = reversal_move.line_ids.filtered(
                lambda rl, line=line: rl.account_id == line.account_id and not rl.reconciled
            )[:1]
            if counterpart and not line.reconciled:
                (line | counterpart).reconcile()
        return reversal_move
