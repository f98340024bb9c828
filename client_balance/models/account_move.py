from odoo import api, fields, models
from odoo.exceptions import UserError

from .client_balance_operation import SPEND_KINDS


class AccountMove(models.Model):
    _inherit = "account.move"

    client_balance_available = fields.Monetary(
        compute="_compute_client_balance_available",
        string="Available Client Balance",
        help="What the client can spend on this invoice from its balances in the invoice's "
        "currency.",
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
        its operation's back."""
        res = super()._check_draftable()
        operation = (
            self.env["client.balance.operation"]
            .sudo()
            .search([("move_id", "in", self.ids)], limit=1)
        )
        if operation:
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
        return res

    def _post(self, soft=True):
        self._check_client_balance_lines()
        return super()._post(soft=soft)

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
        liability_accounts = self.env["client.balance.type"]._liability_accounts(self.company_id)
        for line in lines.filtered(lambda aml: aml.account_id in liability_accounts):
            client_account = line.client_balance_account_id
            if (
                not client_account
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
