from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import float_is_zero


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
    min_balance = fields.Float(related="type_id.min_balance", string="Minimum Balance")
    available = fields.Monetary(
        compute="_compute_available",
        store=True,
        help="What can be spent now: the balance minus the type's minimum balance.",
    )

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

    @api.depends("move_line_ids.amount_currency", "move_line_ids.parent_state")
    def _compute_balance(self):
        totals = {}
        if self.ids:
            groups = (
                self.env["account.move.line"]
                .sudo()
                ._read_group(
                    [
                        ("client_balance_account_id", "in", self.ids),
                        ("parent_state", "=", "posted"),
                    ],
                    ["client_balance_account_id"],
                    ["amount_currency:sum"],
                )
            )
            totals = {account.id: amount for account, amount in groups}
        for account in self:
            account.balance = -totals.get(account._origin.id, 0.0)

    @api.depends("balance", "type_id.min_balance")
    def _compute_available(self):
        for account in self:
            account.available = account.currency_id.round(
                account.balance - account.type_id.min_balance
            )

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
        for account in self.filtered("is_default"):
            others = self.search_count(
                [
                    ("id", "!=", account.id),
                    ("is_default", "=", True),
                    ("commercial_partner_id", "=", account.commercial_partner_id.id),
                    ("currency_id", "=", account.currency_id.id),
                    ("company_id", "=", account.company_id.id),
                ]
            )
            if others:
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
        for vals in vals_list:
            if vals.get("type_id") and not vals.get("liability_account_id"):
                company = self.env["res.company"].browse(vals.get("company_id")) or self.env.company
                balance_type = self.env["client.balance.type"].browse(vals["type_id"])
                vals["liability_account_id"] = balance_type._get_accounting(company)[
                    "liability_account"
                ].id
        return super().create(vals_list)

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
                            "closing it.",
                            account=account.display_name,
                            balance=account._format(account.balance),
                        )
                    )
        return super().write(vals)

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------

    def action_close(self):
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

    # ------------------------------------------------------------------
    # Public API (XML-RPC / JSON-RPC)
    # ------------------------------------------------------------------

    def topup(self, amount, journal_id, date=False, memo=False):
        """Receive ``amount`` on the cash or bank journal ``journal_id`` and
        credit it to this balance. Returns the id of the top-up operation."""
        self.ensure_one()
        self._check_group("client_balance.client_balance_group_user")
        self._check_usable()
        self._check_amount(amount)
        journal = self.env["account.journal"].browse(journal_id).exists()
        if (
            not journal
            or journal.type not in ("bank", "cash")
            or journal.company_id != self.company_id
        ):
            raise UserError(
                self.env._(
                    "Top up on a bank or cash journal of %(company)s.",
                    company=self.company_id.display_name,
                )
            )
        date = fields.Date.to_date(date) or fields.Date.context_today(self)
        self._check_lock_date(date, journal)
        account = self.sudo().with_company(self.company_id)
        payment = account.env["account.payment"].create(
            account._prepare_topup_payment_vals(amount, journal, date, memo)
        )
        payment.action_post()
        if not payment.move_id:
            raise UserError(
                self.env._(
                    "The journal %(journal)s records payments without a journal entry: set an "
                    "outstanding receipts account on its incoming payment method.",
                    journal=journal.display_name,
                )
            )
        return self._record_operation(
            "topup", amount, date, payment.move_id, payment_id=payment.id, description=memo
        ).id

    def spend(self, invoice_id, amount=False):
        """Pay the customer invoice ``invoice_id`` from this balance, by
        ``amount`` or by as much as possible. Returns the operation id."""
        self.ensure_one()
        self._check_group("client_balance.client_balance_group_spend")
        invoice = self.env["account.move"].browse(invoice_id).exists()
        self._check_usable()
        self._check_invoice(invoice)
        self._lock()
        if not amount:
            amount = min(invoice.amount_residual, self.available)
            if self.currency_id.compare_amounts(amount, 0) <= 0:
                raise UserError(
                    self.env._(
                        "%(account)s has no available balance to pay %(invoice)s.",
                        account=self.display_name,
                        invoice=invoice.display_name,
                    )
                )
        self._check_amount(amount)
        if self.currency_id.compare_amounts(amount, invoice.amount_residual) > 0:
            raise UserError(
                self.env._(
                    "%(invoice)s has only %(due)s left to pay: spend at most that.",
                    invoice=invoice.display_name,
                    due=self._format(invoice.amount_residual),
                )
            )
        self._check_available(amount)
        date = fields.Date.context_today(self)
        self._check_lock_date(date, self.type_id._get_accounting(self.company_id)["journal"])
        receivable_lines = invoice.line_ids.filtered(
            lambda line: line.display_type == "payment_term" and not line.reconciled
        )
        return self._post_spend(
            "spend", receivable_lines, amount, date, invoice.name, invoice_id=invoice.id
        ).id

    def adjust(self, amount, counterpart_account_id, description):
        """Move ``amount`` (signed: positive credits the balance) between this
        balance and ``counterpart_account_id``. Returns the operation id."""
        self.ensure_one()
        self._check_group("client_balance.client_balance_group_manager")
        self._check_usable()
        if not (description or "").strip():
            raise UserError(self.env._("Describe why the balance is adjusted."))
        self._check_amount(abs(amount) if amount else amount)
        counterpart = self.env["account.account"].browse(counterpart_account_id).exists()
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
        if counterpart in self.env["client.balance.type"]._liability_accounts(self.company_id):
            raise UserError(
                self.env._(
                    "The counterpart of an adjustment cannot be a client balance account: "
                    "choose an income, expense or other account."
                )
            )
        if amount < 0:
            self._lock()
            self._check_available(-amount)
        date = fields.Date.context_today(self)
        accounting = self.type_id._get_accounting(self.company_id)
        self._check_lock_date(date, accounting["journal"])
        return self._book_against(
            "adjustment", amount, counterpart, date, accounting["journal"], description
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

    def _open_with(self, amount):
        """Book the opening balance ``amount`` (negative: a debt) against the
        type's opening counterpart."""
        self.ensure_one()
        self._check_amount(abs(amount))
        if self.currency_id.compare_amounts(amount, self.type_id.min_balance) < 0:
            raise UserError(
                self.env._(
                    "The opening balance cannot be below the minimum balance of %(type)s "
                    "(%(minimum)s).",
                    type=self.type_id.display_name,
                    minimum=self._format(self.type_id.min_balance),
                )
            )
        accounting = self.type_id._get_accounting(self.company_id)
        if not accounting["opening_account"]:
            raise UserError(
                self.env._(
                    "Set the opening counterpart account of %(type)s first.",
                    type=self.type_id.display_name,
                )
            )
        self._check_lock_date(self.date_open, accounting["journal"])
        return self._book_against(
            "opening",
            amount,
            accounting["opening_account"],
            self.date_open,
            accounting["journal"],
            self.env._("Opening balance"),
        )

    def _book_against(self, kind, amount, counterpart, date, journal, description):
        """Post one entry moving ``amount`` between the balance and
        ``counterpart`` and record it as an operation of ``kind``."""
        self.ensure_one()
        account = self.sudo().with_company(self.company_id)
        move = account.env["account.move"].create(
            account._prepare_counterpart_move_vals(amount, counterpart, date, journal, description)
        )
        move.action_post()
        return self._record_operation(
            kind, amount, date, move, counterpart_account_id=counterpart.id, description=description
        )

    def _post_spend(self, kind, receivable_lines, amount, date, ref, **links):
        """Post a spend of ``amount`` (Dr liability / Cr receivable),
        reconcile it with the open ``receivable_lines`` of the invoices it
        pays and record it as an operation of ``kind``. The caller has
        checked rights, amount, availability and lock date."""
        self.ensure_one()
        receivable = receivable_lines.account_id[:1]
        move = self._create_spend_move(
            receivable_lines.partner_id.commercial_partner_id[:1], receivable, amount, date, ref
        )
        (move.line_ids | receivable_lines.sudo()).filtered(
            lambda line: line.account_id == receivable and not line.reconciled
        ).reconcile()
        return self._record_operation(kind, -amount, date, move, **links)

    def _create_spend_move(self, partner, receivable, amount, date, ref):
        """Post Dr liability / Cr ``receivable`` of ``partner`` for ``amount``
        in the type's journal and return the entry (as superuser)."""
        self.ensure_one()
        account = self.sudo().with_company(self.company_id)
        journal = self.type_id._get_accounting(self.company_id)["journal"]
        move = account.env["account.move"].create(
            account._prepare_spend_move_vals(partner, receivable, amount, date, journal, ref)
        )
        move.action_post()
        return move

    def _record_operation(self, kind, amount, date, move, **links):
        """Record the operation owning the posted entry ``move``. Operations
        are created here only, once the caller has checked rights and input."""
        self.ensure_one()
        return (
            self.env["client.balance.operation"]
            .sudo()
            .create(
                {
                    "kind": kind,
                    "account_id": self.id,
                    "amount": amount,
                    "date": date,
                    "move_id": move.id,
                    "user_id": self.env.uid,
                    **links,
                }
            )
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

    def _check_usable(self):
        for account in self:
            if account.state != "open":
                raise UserError(
                    self.env._(
                        "%(account)s is closed: reopen it first.", account=account.display_name
                    )
                )
            if not account.type_id.active:
                raise UserError(
                    self.env._(
                        "The balance type %(type)s is archived.", type=account.type_id.display_name
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

    def _check_amount(self, amount):
        self.ensure_one()
        self._check_amount_in(amount, self.currency_id)

    @api.model
    def _check_amount_in(self, amount, currency):
        """A positive number with no more decimals than ``currency`` has."""
        if not isinstance(amount, (int, float)) or isinstance(amount, bool):
            raise UserError(self.env._("The amount must be a number."))
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

    def _check_available(self, amount):
        self.ensure_one()
        if self.currency_id.compare_amounts(amount, self.available) > 0:
            raise UserError(
                self.env._(
                    "%(account)s has %(available)s available: %(amount)s cannot be taken from it.",
                    account=self.display_name,
                    available=self._format(self.available),
                    amount=self._format(amount),
                )
            )

    def _check_lock_date(self, date, journal):
        self.ensure_one()
        lock_date = self.company_id.sudo()._get_user_fiscal_lock_date(journal)
        if lock_date and date <= lock_date:
            raise UserError(
                self.env._(
                    "The books of %(company)s are locked until %(lock)s: choose a later date.",
                    company=self.company_id.display_name,
                    lock=lock_date,
                )
            )

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

    def _lock(self):
        """Lock the account rows until the end of the transaction, then read
        the balance again: a concurrent spend waits here, and under Odoo's
        repeatable-read isolation fails and is retried once the first one
        has committed."""
        self.env.cr.execute(
            "SELECT id FROM client_balance_account WHERE id IN %s FOR UPDATE", [tuple(self.ids)]
        )
        self.invalidate_recordset(["balance", "available"])

    def _format(self, amount):
        self.ensure_one()
        return self.currency_id.format(amount)

    def _line_pair_vals(self, amount, date, name, other_vals):
        """Two balanced journal items: one moving ``amount`` (positive credits
        the balance) on the liability account, linked to this client account,
        and its counterpart made of ``other_vals``."""
        self.ensure_one()
        company = self.company_id
        balance = self.currency_id._convert(-amount, company.currency_id, company, date)
        return [
            fields.Command.create(
                {
                    "name": name,
                    "account_id": self.liability_account_id.id,
                    "partner_id": self.partner_id.id,
                    "currency_id": self.currency_id.id,
                    "amount_currency": -amount,
                    "balance": balance,
                    "client_balance_account_id": self.id,
                }
            ),
            fields.Command.create(
                {
                    "name": name,
                    "currency_id": self.currency_id.id,
                    "amount_currency": amount,
                    "balance": -balance,
                    **other_vals,
                }
            ),
        ]

    def _prepare_topup_payment_vals(self, amount, journal, date, memo):
        self.ensure_one()
        return {
            "payment_type": "inbound",
            "partner_type": "customer",
            "partner_id": self.partner_id.id,
            "amount": amount,
            "currency_id": self.currency_id.id,
            "journal_id": journal.id,
            "date": date,
            "memo": memo or self.env._("Top-up of %(account)s", account=self.display_name),
            "destination_account_id": self.liability_account_id.id,
            "client_balance_account_id": self.id,
        }

    def _prepare_spend_move_vals(self, partner, receivable, amount, date, journal, ref):
        self.ensure_one()
        label = self.env._("Paid from %(account)s", account=self.display_name)
        return {
            "move_type": "entry",
            "journal_id": journal.id,
            "date": date,
            "ref": ref,
            "currency_id": self.currency_id.id,
            "partner_id": partner.id,
            "line_ids": self._line_pair_vals(
                -amount, date, label, {"account_id": receivable.id, "partner_id": partner.id}
            ),
        }

    def _prepare_counterpart_move_vals(self, amount, counterpart, date, journal, description):
        self.ensure_one()
        return {
            "move_type": "entry",
            "journal_id": journal.id,
            "date": date,
            "ref": description,
            "currency_id": self.currency_id.id,
            "partner_id": self.partner_id.id,
            "line_ids": self._line_pair_vals(
                amount,
                date,
                description,
                {"account_id": counterpart.id, "partner_id": self.partner_id.id},
            ),
        }
