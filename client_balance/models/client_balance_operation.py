from odoo import api, fields, models
from odoo.exceptions import UserError

KINDS = [
    ("opening", "Opening Balance"),
    ("topup", "Top-up"),
    ("spend", "Spend"),
    ("credit_difference", "Credit of a Payment Difference"),
    ("debit_difference", "Debit of a Payment Difference"),
    ("adjustment", "Adjustment"),
    ("reversal", "Reversal"),
]


class ClientBalanceOperation(models.Model):
    _name = "client.balance.operation"
    _description = "Client Balance Operation"
    _order = "date desc, id desc"
    _check_company_auto = True
    _rec_names_search = ["name", "description", "invoice_id.name", "partner_id.name"]

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
    partner_id = fields.Many2one(related="account_id.partner_id", store=True, string="Requisite")
    commercial_partner_id = fields.Many2one(
        related="account_id.commercial_partner_id", store=True, string="Client"
    )
    type_id = fields.Many2one(related="account_id.type_id", store=True)
    company_id = fields.Many2one(related="account_id.company_id", store=True, index=True)
    currency_id = fields.Many2one(related="account_id.currency_id", store=True)
    amount = fields.Monetary(
        readonly=True, help="Effect on the balance: positive credits it, negative debits it."
    )
    date = fields.Date(required=True, readonly=True, index=True)
    user_id = fields.Many2one("res.users", string="User", readonly=True, required=True)
    invoice_id = fields.Many2one(
        "account.move", string="Invoice", readonly=True, index="btree_not_null", check_company=True
    )
    payment_id = fields.Many2one(
        "account.payment",
        string="Payment",
        readonly=True,
        index="btree_not_null",
        check_company=True,
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

    _sql_constraints = [
        ("move_uniq", "unique(move_id)", "A journal entry belongs to one operation only."),
        (
            "reversal_uniq",
            "unique(reversed_operation_id)",
            "An operation is reversed once only.",
        ),
    ]

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

    def action_print_receipt(self):
        self.ensure_one()
        return self.env.ref("client_balance.client_balance_advance_receipt_report").report_action(
            self
        )

    def reverse(self, date=False):
        """Cancel this operation with a reversing entry. Returns the id of the
        reversing operation."""
        self.ensure_one()
        account = self.account_id
        account._check_group("client_balance.client_balance_group_manager")
        self.check_access("read")
        if self.kind == "reversal":
            raise UserError(self.env._("A reversal cannot be reversed: record a new operation."))
        if self.state != "posted":
            raise UserError(
                self.env._("%(operation)s is already reversed.", operation=self.display_name)
            )
        account._check_usable()
        date = fields.Date.to_date(date) or fields.Date.context_today(self)
        journal = (
            account.type_id._get_accounting(account.company_id)["journal"]
            if self.kind == "credit_difference"
            else self.move_id.journal_id
        )
        account._check_lock_date(date, journal)
        if self.amount > 0:
            account._lock()
            account._check_available(self.amount)
        if self.kind == "credit_difference":
            reversal_move = self._reverse_credit_difference(date)
        else:
            reversal_move = self._reverse_move(date)
        return account._record_operation(
            "reversal",
            -self.amount,
            date,
            reversal_move,
            invoice_id=self.invoice_id.id,
            payment_id=self.payment_id.id,
            reversed_operation_id=self.id,
            description=self.env._("Reversal of %(operation)s", operation=self.display_name),
        ).id

    def _reverse_move(self, date):
        """Post the reversal of the operation's entry and close both against
        each other on every reconcilable account but the balance's own."""
        self.ensure_one()
        operation = self.sudo().with_company(self.company_id)
        move = operation.move_id
        if self.kind in ("spend", "debit_difference"):
            # Give the invoice its amount due back before cancelling the spend.
            move.line_ids.filtered(lambda line: line.account_id.reconcile).remove_move_reconcile()
        reversal_move = move._reverse_moves(
            [
                {
                    "date": date,
                    "ref": self.env._("Reversal of %(name)s", name=move.name),
                }
            ],
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

    def _reverse_credit_difference(self, date):
        """Take a credited overpayment back from the balance: the payment
        stays as it is and the amount becomes an open credit of the client on
        the payment's receivable account, to be refunded or applied."""
        self.ensure_one()
        payment = self.payment_id.sudo()
        return self.account_id._create_spend_move(
            payment.partner_id.commercial_partner_id,
            payment.destination_account_id,
            self.amount,
            date,
            self.env._("Reversal of %(name)s", name=self.move_id.name),
        )
