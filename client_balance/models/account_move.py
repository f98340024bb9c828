from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

from .client_balance_operation import SPEND_KINDS


class AccountMove(models.Model):
    _inherit = "account.move"

    client_balance_available = fields.Monetary(
        compute="_compute_client_balance_available",
        string="Available Client Balance",
        help="What the client can spend on this invoice from its balances in the invoice's "
        "currency.",
    )

    client_balance_deposit_account_id = fields.Many2one(
        "client.balance.account",
        string="Deposit For",
        readonly=True,
        copy=False,
        index="btree_not_null",
        help="This invoice is a deposit request: its one line credits this client account "
        "when it is posted, spendable as far as the invoice is paid.",
    )
    # The inverses of the operations' and staff allowance charges' links to
    # their entry: the ORM reads them (cached within a transaction) instead of
    # searching each time an entry's name, state or amount due changes.
    client_balance_operation_ids = fields.One2many(
        "client.balance.operation", "move_id", string="Client Balance Operations", readonly=True
    )
    client_balance_allowance_charge_ids = fields.One2many(
        "client.balance.allowance.charge",
        "invoice_id",
        string="Staff Allowance Charges",
        readonly=True,
    )
    client_balance_paid = fields.Monetary(
        compute="_compute_payments_widget_reconciled_info",
        string="Paid from Client Balances",
        help="Part of this invoice paid from the client's balances, as opposed to bank and "
        "cash payments.",
    )

    @api.depends("commercial_partner_id", "currency_id", "amount_residual", "move_type", "state")
    def _compute_client_balance_available(self):
        self.client_balance_available = 0.0
        Account = self.env["client.balance.account"]
        invoices = self.filtered(
            lambda m: m.move_type == "out_invoice" and m.state == "posted" and m.amount_residual
        )
        if not invoices or not Account.has_access("read"):
            return
        available = {
            (partner, currency, company): amount
            for partner, currency, company, amount in Account._read_group(
                [
                    *Account._usable_domain(),
                    ("available", ">", 0),
                    ("commercial_partner_id", "in", invoices.commercial_partner_id.ids),
                ],
                ["commercial_partner_id", "currency_id", "company_id"],
                ["available:sum"],
            )
        }
        for move in invoices:
            move.client_balance_available = available.get(
                (move.commercial_partner_id, move.currency_id, move.company_id), 0.0
            )
        # An invoice selling credit is not paid from the balance it credits (a
        # deposit being paid is available in part already). A credited account
        # is the invoice's client's, in its currency and company (checked at
        # posting), so what it has available is part of the sum above.
        credited = {
            move: move._client_balance_credit_lines().client_balance_account_id for move in invoices
        }
        credited_accounts = Account.union(*credited.values())
        if not credited_accounts:
            return
        spendable = Account.search(
            [*Account._usable_domain(), ("available", ">", 0), ("id", "in", credited_accounts.ids)]
        )
        for move, accounts in credited.items():
            move.client_balance_available -= sum((accounts & spendable).mapped("available"))

    def _compute_payments_widget_reconciled_info(self):
        """Name the client account on the lines of the payments widget that
        come from a client balance, and total them apart."""
        super()._compute_payments_widget_reconciled_info()
        self.client_balance_paid = 0.0
        contents = {
            move: move.invoice_payments_widget["content"]
            for move in self
            if move.invoice_payments_widget
        }
        move_ids = {vals["move_id"] for content in contents.values() for vals in content}
        if not move_ids:
            return
        Operation = self.env["client.balance.operation"].sudo()
        operations = {
            operation.move_id.id: operation
            for operation in Operation.search([("move_id", "in", list(move_ids))])
        }
        for move, content in contents.items():
            paid = 0.0
            for vals in content:
                operation = operations.get(vals["move_id"], Operation)
                # Only what a spend took from a balance: a credited
                # overpayment's entry is the bank payment itself.
                if operation.kind in SPEND_KINDS and not vals["is_exchange"]:
                    vals["client_balance_label"] = self.env._(
                        "from %(account)s", account=operation.account_id.display_name
                    )
                    paid += vals["amount"]
            move.client_balance_paid = paid

    def _client_balance_accounts(self):
        """Open accounts of this invoice's client that can pay it, default first."""
        self.ensure_one()
        return self.env["client.balance.account"]._search_usable(
            self.commercial_partner_id, self.currency_id, self.company_id, [("available", ">", 0)]
        )

    def client_balance_refund_to_balance(self, amount=None):
        """Settle this posted customer credit note onto the client's balance
        in its currency, by ``amount`` or by all it has due (public API). The
        client's default account takes it; a client without one gets an
        account of the first usable type. Returns the refund operation id."""
        self.ensure_one()
        Account = self.env["client.balance.account"]
        Account._check_group("client_balance.client_balance_group_spend")
        self.check_access("read")
        if self.move_type != "out_refund":
            raise UserError(self.env._("Only customer credit notes can be refunded to a balance."))
        if self.state != "posted" or self.currency_id.is_zero(self.amount_residual):
            raise UserError(
                self.env._(
                    "%(credit_note)s is not a posted credit note with an amount due.",
                    credit_note=self.display_name,
                )
            )
        Operation = self.env["client.balance.operation"]
        if amount is None or amount is False:
            amount = self.amount_residual
        Operation._check_amount(amount, self.currency_id)
        if self.currency_id.compare_amounts(amount, self.amount_residual) > 0:
            raise UserError(
                self.env._(
                    "%(credit_note)s has only %(due)s left to refund: refund at most that.",
                    credit_note=self.display_name,
                    due=self.currency_id.format(self.amount_residual),
                )
            )
        # A client without an account gets one; a refused refund leaves none.
        with self.env.cr.savepoint():
            account = self._client_balance_refund_account()
            operation = Operation._book("refund", account, amount, invoice_ids=self)
        return operation.id

    def _client_balance_refund_account(self):
        """The client account a credit note is refunded to: the client's
        default one in its currency, else a new one of the first usable type."""
        self.ensure_one()
        Account = self.env["client.balance.account"]
        account = Account._search_usable(
            self.commercial_partner_id, self.currency_id, self.company_id
        )[:1]
        if account:
            return account
        balance_type = self.env["client.balance.type"]._default_for(
            self.company_id, self.currency_id
        )
        if not balance_type:
            raise UserError(
                self.env._(
                    "%(client)s has no client account in %(currency)s and no balance type can "
                    "open one: create a balance type usable in %(company)s first.",
                    client=self.commercial_partner_id.display_name,
                    currency=self.currency_id.name,
                    company=self.company_id.display_name,
                )
            )
        requisite = self.commercial_partner_id._client_balance_default_requisite()
        return Account.with_company(self.company_id)._open_account(
            requisite, balance_type, self.currency_id, self.company_id
        )

    def action_client_balance_refund(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "client_balance.client_balance_refund_action"
        )
        action["context"] = {"default_credit_note_id": self.id}
        return action

    def action_client_balance_card(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "client_balance.client_balance_card_action"
        )
        action["context"] = {"default_invoice_id": self.id}
        return action

    def action_client_balance_spend(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "client_balance.client_balance_spend_action"
        )
        action["context"] = {"default_invoice_id": self.id}
        return action

    def _check_draftable(self):
        """Entries of client balance operations stay posted: resetting one to
        draft (or cancelling it, or its payment) would change a balance behind
        its operation's back. An invoice that credits a balance (a deposit, a
        sale of credit) may go back to draft while nothing is reconciled with
        it: its operation goes with it."""
        res = super()._check_draftable()
        operations = (
            self.env["client.balance.operation"].sudo().search([("move_id", "in", self.ids)])
        )
        for operation in operations:
            if operation.kind != "deposit":
                raise UserError(
                    self.env._(
                        "%(move)s is the journal entry of the client balance operation "
                        "%(operation)s of %(account)s: it cannot be reset to draft or cancelled. "
                        "Ask a client balance manager to reverse the operation instead.",
                        move=operation.move_id.display_name,
                        operation=operation.display_name,
                        account=operation.account_id.display_name,
                    )
                )
            if operation.move_id.line_ids.matched_debit_ids | (
                operation.move_id.line_ids.matched_credit_ids
            ):
                raise UserError(
                    self.env._(
                        "%(move)s credits %(account)s and payments or credit notes are "
                        "reconciled with it: it cannot be reset to draft. Cancel it with a "
                        "credit note instead.",
                        move=operation.move_id.display_name,
                        account=operation.account_id.display_name,
                    )
                )
        return res

    def _reconcile_reversed_moves(self, reverse_moves, move_reverse_cancel):
        # The items of a client balance stay open (as every operation's do):
        # reconciling a deposit's credit with its credit note in another
        # currency would add an exchange difference no operation books.
        balance_lines = (self.line_ids | reverse_moves.line_ids).filtered(
            "client_balance_account_id"
        )
        if not balance_lines:
            return super()._reconcile_reversed_moves(reverse_moves, move_reverse_cancel)
        accounts = balance_lines.account_id
        for move, reverse_move in zip(self, reverse_moves, strict=True):
            group = (
                (move.line_ids + reverse_move.line_ids)
                .filtered(lambda line: not line.reconciled and not line.client_balance_account_id)
                .grouped(lambda line: (line.account_id, line.currency_id))
            )
            for (account, _currency), lines in group.items():
                if account in accounts:
                    continue
                if all(not line.reconciled for line in lines) and (
                    account.reconcile
                    or account.account_type in ("asset_cash", "liability_credit_card")
                ):
                    lines.with_context(move_reverse_cancel=move_reverse_cancel).reconcile()
        return reverse_moves

    def _check_client_balance_charges(self):
        """An invoice charged to a staff allowance keeps its amounts while the
        charge is open: the company's share is what stays due on it."""
        charge = (
            self.env["client.balance.allowance.charge"]
            .sudo()
            .search([("invoice_id", "in", self.ids), ("state", "=", "open")], limit=1)
        )
        if charge:
            raise UserError(
                self.env._(
                    "%(invoice)s is charged to the staff allowance of %(company)s: a manager "
                    "cancels the charge first.",
                    invoice=charge.invoice_id.display_name,
                    company=charge.employer_id.display_name,
                )
            )

    def _reverse_moves(self, default_values_list=None, cancel=False):
        self._check_client_balance_charges()
        if cancel:
            for move in self:
                lines = move._client_balance_credit_lines()
                if lines and move._get_reconciled_payments():
                    raise UserError(
                        self.env._(
                            "%(move)s credits %(account)s and is paid: cancelling it would "
                            "take back credit the client paid for. Issue a credit note "
                            "without cancelling the payments, or pay the balance out.",
                            move=move.display_name,
                            account=lines.client_balance_account_id.display_name,
                        )
                    )
        return super()._reverse_moves(default_values_list=default_values_list, cancel=cancel)

    def button_draft(self):
        self._check_client_balance_charges()
        operations = (
            self.env["client.balance.operation"]
            .sudo()
            .search([("move_id", "in", self.ids), ("kind", "=", "deposit")])
        )
        if operations:
            self.env["client.balance.operation"]._lock_accounts(operations.account_id)
        res = super().button_draft()
        # The credit is undone with its entry: posting again books it anew.
        accounts = operations.account_id
        operations.unlink()
        accounts._recompute_balance()
        return res

    def write(self, vals):
        if vals.get("state") == "posted":
            # Posting puts the client on every line of an invoice; the
            # balance's item carries its requisite, as every operation's
            # does. Set before the state, so before a secured journal hashes.
            for move in self:
                for line in move._client_balance_credit_lines():
                    account = line.client_balance_account_id.sudo()
                    if account and line.partner_id != account.partner_id:
                        line.partner_id = account.partner_id
        return super().write(vals)

    def _get_mail_template(self):
        if self and all(move.client_balance_deposit_account_id for move in self):
            return self.env.ref("client_balance.email_template_deposit_request")
        return super()._get_mail_template()

    def _post(self, soft=True):
        credit_moves = self.filtered(
            lambda move: (
                move._client_balance_credit_lines() or move.client_balance_deposit_account_id
            )
        )
        if credit_moves:
            # A refused invoice leaves no account opened for its credit either.
            with self.env.cr.savepoint():
                credit_moves._client_balance_prepare_credit_lines()
        self._check_client_balance_lines()
        credit_moves = credit_moves.filtered(lambda move: move._client_balance_credit_lines())
        if not credit_moves:
            return super()._post(soft=soft)
        posted = super(AccountMove, self - credit_moves)._post(soft=soft)
        today = fields.Date.context_today(self)
        for move in credit_moves:
            if soft and move.date > today:
                # Posted later by the scheduled action, through here again.
                posted |= super(AccountMove, move)._post(soft=soft)
            else:
                move._client_balance_book_credit()
                posted |= move
        return posted

    # ------------------------------------------------------------------
    # Invoices that credit a balance: deposits and sales of credit
    # ------------------------------------------------------------------

    def _client_balance_credit_lines(self):
        """The product lines of this customer invoice (credit note) that
        credit (debit) a client balance."""
        self.ensure_one()
        if self.move_type not in ("out_invoice", "out_refund"):
            return self.env["account.move.line"]
        return self.invoice_line_ids.filtered(
            lambda line: (
                line.display_type == "product"
                and (line.client_balance_account_id or line.product_id.client_balance_credit)
            )
        )

    def _client_balance_prepare_credit_lines(self):
        """Before posting: link each line selling credit to the buyer's client
        account (opening it when missing) and refuse what cannot be booked."""
        for move in self:
            lines = move._client_balance_credit_lines()
            if move.client_balance_deposit_account_id:
                move._client_balance_check_deposit()
            if not lines:
                continue
            for line in lines.filtered(lambda line: not line.client_balance_account_id):
                line.client_balance_account_id = move._client_balance_credit_account(line)
            move._client_balance_check_credit_lines(lines)

    def _client_balance_credit_account(self, line):
        """The client account a line selling credit credits: the client's
        account in the invoice's currency on the line's liability account
        (the default one first), else a new one of the product's type."""
        self.ensure_one()
        Account = self.env["client.balance.account"].sudo()
        product_type = line.product_id.client_balance_type_id
        domain = [("liability_account_id", "=", line.account_id.id)]
        if product_type:
            domain.append(("type_id", "=", product_type.id))
        account = Account._search_usable(
            self.commercial_partner_id, self.currency_id, self.company_id, domain
        )[:1]
        if account:
            return account
        balance_type = self.env["client.balance.type"]._credit_type(
            line.product_id, self.company_id, self.currency_id
        )
        requisite = self.partner_id
        if requisite.commercial_partner_id != self.commercial_partner_id:
            requisite = self.commercial_partner_id._client_balance_default_requisite()
        return Account.with_company(self.company_id)._open_account(
            requisite, balance_type, self.currency_id, self.company_id
        )

    def _client_balance_check_credit_lines(self, lines):
        self.ensure_one()
        # Selling credit is invoicing: an Invoicing user without a Client
        # Balances group posts it, so the accounts are read as superuser.
        accounts = lines.client_balance_account_id.sudo()
        if len(accounts) > 1:
            raise UserError(
                self.env._(
                    "%(move)s credits several client accounts (%(accounts)s): sell the credit "
                    "of each on its own invoice.",
                    move=self.display_name,
                    accounts=", ".join(accounts.mapped("display_name")),
                )
            )
        for line in lines:
            account = line.client_balance_account_id.sudo()
            if not line.product_id.client_balance_credit:
                raise UserError(
                    self.env._(
                        "The line %(line)s of %(move)s credits %(account)s: sell credit with a "
                        "product marked Client Balance Credit (Store Credit, Initial Deposit).",
                        line=line.display_name,
                        move=self.display_name,
                        account=account.display_name,
                    )
                )
            if account.commercial_partner_id != self.commercial_partner_id:
                raise UserError(
                    self.env._(
                        "%(account)s is not an account of %(client)s, to whom %(move)s is billed.",
                        account=account.display_name,
                        client=self.commercial_partner_id.display_name,
                        move=self.display_name,
                    )
                )
            if account.company_id != self.company_id:
                raise UserError(
                    self.env._(
                        "%(account)s belongs to %(company)s: invoice its credit from %(company)s.",
                        account=account.display_name,
                        company=account.company_id.display_name,
                    )
                )
            if account.currency_id != self.currency_id:
                raise UserError(
                    self.env._(
                        "%(account)s is in %(currency)s: invoice its credit in %(currency)s.",
                        account=account.display_name,
                        currency=account.currency_id.name,
                    )
                )
            if line.account_id != account.liability_account_id:
                raise UserError(
                    self.env._(
                        "The line %(line)s credits %(account)s: its account must be %(liability)s.",
                        line=line.display_name,
                        account=account.display_name,
                        liability=account.liability_account_id.display_name,
                    )
                )
            if self.currency_id.is_zero(line.price_subtotal):
                raise UserError(
                    self.env._(
                        "The line %(line)s of %(move)s sells no credit: give it an amount or "
                        "remove it.",
                        line=line.display_name,
                        move=self.display_name,
                    )
                )
            if self.move_type == "out_invoice" and (
                self.currency_id.compare_amounts(line.price_subtotal, 0) < 0 or line.quantity < 0
            ):
                raise UserError(
                    self.env._(
                        "%(move)s sells a negative amount of credit: take credit back with a "
                        "credit note.",
                        move=self.display_name,
                    )
                )
            not_allowed = line.tax_ids - account.type_id.deposit_tax_ids
            if not_allowed:
                raise UserError(
                    self.env._(
                        "The balance type %(type)s does not allow %(taxes)s on its credit: "
                        "remove the tax, or add it to the type's deposit taxes.",
                        type=account.type_id.display_name,
                        taxes=", ".join(not_allowed.mapped("name")),
                    )
                )

    def _client_balance_check_deposit(self):
        """A deposit invoice has one line: the deposit product, quantity 1,
        on the client account's liability account."""
        for move in self.filtered("client_balance_deposit_account_id"):
            account = move.client_balance_deposit_account_id
            lines = move.invoice_line_ids.filtered(
                lambda line: line.display_type not in ("line_section", "line_note")
            )
            if (
                len(lines) != 1
                or not lines.product_id.client_balance_credit
                or lines.client_balance_account_id != account
            ):
                raise ValidationError(
                    self.env._(
                        "%(move)s is a deposit request: its only line is the deposit of "
                        "%(account)s. Invoice anything else on another invoice.",
                        move=move.display_name,
                        account=account.display_name,
                    )
                )
            if lines.quantity != 1:
                raise ValidationError(
                    self.env._(
                        "The deposit line of %(move)s keeps the quantity 1: change its price "
                        "instead.",
                        move=move.display_name,
                    )
                )

    def _client_balance_book_credit(self):
        """Post this invoice (credit note) as the entry of the operation that
        credits (debits) the client account of its credit lines."""
        self.ensure_one()
        move = self
        # Posting an invoice that sells credit books the credit, whoever may
        # post the invoice (an Invoicing user needs no Client Balances group):
        # the operation is booked as superuser, under the same checks, once
        # the user is known to be allowed to post the invoice.
        move.check_access("write")
        # As Odoo's posting does, before the operation takes the date: an
        # invoice without a date is today's, and one dated in a locked period
        # is booked on the first day the lock dates allow.
        if not move.invoice_date:
            move.invoice_date = fields.Date.context_today(move)
        affects_tax_report = move._affect_tax_report()
        lock_dates = move._get_violated_lock_dates(move.date, affects_tax_report)
        if lock_dates:
            move.date = move._get_accounting_date(
                move.invoice_date or move.date, affects_tax_report, lock_dates=lock_dates
            )
        lines = move._client_balance_credit_lines()
        account = lines.client_balance_account_id.sudo()
        amount = -sum(lines.mapped("amount_currency"))
        Operation = self.env["client.balance.operation"].sudo()
        values = {
            "date": move.date,
            "journal": move.journal_id,
            "invoice_ids": move,
            "source": move,
        }
        if account.currency_id.compare_amounts(amount, 0) < 0:
            # A credit note taking credit back from an unpaid invoice takes
            # nothing available: the invoice's unpaid part goes with it.
            values["released"] = min(
                -amount, move.reversed_entry_id.sudo()._client_balance_pending(account)
            )
            if account.currency_id.compare_amounts(-amount, values["released"]) > 0:
                # Taking back credit the client may spend gives the client
                # money back: the Pay from Balance right, as a refund is.
                self.env["client.balance.account"]._check_group(
                    "client_balance.client_balance_group_spend"
                )

        def post(operation):
            super(AccountMove, move)._post(soft=False)
            return move

        magnitude, debit = Operation._split_signed(amount)
        return Operation._book(
            "deposit", account, magnitude, debit=debit, entry_builder=post, **values
        )

    def _client_balance_pending(self, account):
        """What this posted invoice credits to ``account`` and is not paid yet."""
        if not self:
            return 0.0
        return (
            self.env["client.balance.account"]
            ._client_balance_pending_amounts(account.ids, self.ids)
            .get(account.id, 0.0)
        )

    def action_client_balance_request_deposit(self):
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "client_balance.client_balance_deposit_action"
        )
        return action

    def _check_client_balance_lines(self):
        """Journal items on a client balance liability account are made by
        client balance operations only, so that every balance is its ledger."""
        # Client balances live on liability accounts only: entries without a
        # liability line (payments, untaxed invoices, bank entries) cost no query.
        lines = self.line_ids.filtered(
            lambda aml: (
                aml.account_id.account_type in ("liability_current", "liability_non_current")
            )
        )
        if not lines:
            return
        # An item of a client account on that account's liability account is
        # on a balance: only the others need the lookup of balance accounts.
        on_balance = lines.filtered(
            lambda aml: aml.account_id == aml.client_balance_account_id.liability_account_id
        )
        others = lines - on_balance
        if others:
            liability_accounts = self.env["client.balance.type"]._liability_accounts(
                self.company_id, among=others.account_id
            )
            on_balance |= others.filtered(lambda aml: aml.account_id in liability_accounts)
        booking = self.env["client.balance.operation"]._is_booking()
        for line in on_balance:
            client_account = line.client_balance_account_id
            if (
                not client_account
                # Invoices selling credit are booked by their operation when
                # posted; any other entry only from inside one.
                or (not booking and not line.move_id.is_invoice())
                or client_account.liability_account_id != line.account_id
                or client_account.currency_id != line.currency_id
                or client_account.company_id != line.company_id
            ):
                raise UserError(
                    self.env._(
                        "%(account)s holds client balances: %(move)s cannot post on it directly. "
                        "Use the Client Balances operations (top-up, pay from balance, "
                        "adjustment) instead.",
                        account=line.account_id.display_name,
                        move=line.move_id.display_name,
                    )
                )
