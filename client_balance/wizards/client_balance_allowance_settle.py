from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import UserError

METHODS = [
    ("bank_matched", "Bank, matched to the charges"),
    ("bank_unmatched", "Bank, not matched"),
    ("cash", "Cash, one receipt per document"),
]


class ClientBalanceAllowanceSettle(models.TransientModel):
    """Settle what a company owes on its staff allowance: one bank payment
    matched to chosen open charges, one bank payment not matched to any
    document, or cash with one payment (and receipt) per document."""

    _name = "client.balance.allowance.settle"
    _description = "Settle Staff Allowance Charges"

    employer_id = fields.Many2one(
        "res.partner",
        string="Company",
        required=True,
        domain="[('client_balance_allowance_charge_ids', '!=', False)]",
    )
    date_from = fields.Date(
        string="Charges From", default=lambda self: fields.Date.context_today(self).replace(day=1)
    )
    date_to = fields.Date(
        string="Charges To",
        default=lambda self: (
            fields.Date.context_today(self).replace(day=1) + relativedelta(months=1, days=-1)
        ),
    )
    charge_ids = fields.Many2many(
        "client.balance.allowance.charge",
        "client_balance_allowance_settle_charge_rel",
        "settle_id",
        "charge_id",
        string="Charges",
        compute="_compute_charge_ids",
        store=True,
        readonly=False,
        domain="[('employer_id', '=', employer_id), ('state', '=', 'open')]",
    )
    method = fields.Selection(METHODS, required=True, default="bank_matched")
    journal_id = fields.Many2one(
        "account.journal",
        string="Journal",
        required=True,
        domain="[('type', 'in', ('bank', 'cash'))]",
    )
    currency_id = fields.Many2one(
        "res.currency", related="employer_id.client_balance_allowance_currency_id"
    )
    amount_open = fields.Monetary(
        compute="_compute_amount_open", store=True, string="Open on the Charges"
    )
    amount = fields.Monetary(
        compute="_compute_amount_open",
        store=True,
        readonly=False,
        help="Received from the company; matched or not, it reduces its debt.",
    )
    payment_date = fields.Date(required=True, default=fields.Date.context_today)
    memo = fields.Char(string="Reference", help="Bank statement or cheque reference.")

    @api.depends("employer_id", "date_from", "date_to")
    def _compute_charge_ids(self):
        Charge = self.env["client.balance.allowance.charge"]
        for wizard in self:
            domain = [("employer_id", "=", wizard.employer_id.id), ("state", "=", "open")]
            if wizard.date_from:
                domain.append(("date", ">=", wizard.date_from))
            if wizard.date_to:
                domain.append(("date", "<=", wizard.date_to))
            wizard.charge_ids = Charge.search(domain) if wizard.employer_id else Charge

    @api.depends("charge_ids")
    def _compute_amount_open(self):
        for wizard in self:
            wizard.amount_open = sum(wizard.charge_ids.mapped("amount_open"))
            wizard.amount = wizard.amount_open

    def action_confirm(self):
        self.ensure_one()
        payments = self._settle()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Payments"),
            "res_model": "account.payment",
            "view_mode": "list,form",
            "domain": [("id", "in", payments.ids)],
            "context": {"create": False},
        }

    def _settle(self):
        """Create the company's payment(s); returns them."""
        self.ensure_one()
        self.env["client.balance.account"]._check_group("client_balance.client_balance_group_user")
        if self.method == "bank_unmatched":
            return self._settle_unmatched()
        charges = self.charge_ids.filtered(lambda charge: charge.state == "open")
        if not charges:
            raise UserError(self.env._("Choose the open charges to settle."))
        if charges.employer_id != self.employer_id:
            raise UserError(
                self.env._(
                    "Settle the charges of %(company)s only.", company=self.employer_id.display_name
                )
            )
        if charges.invoice_id.commercial_partner_id != self.employer_id:
            raise UserError(
                self.env._(
                    "Some charged documents are no longer billed to %(company)s: settle them "
                    "on their own.",
                    company=self.employer_id.display_name,
                )
            )
        if len(charges.invoice_id.company_id) > 1:
            raise UserError(self.env._("Settle the charges of one invoicing company at a time."))
        return (
            self.env["account.payment.register"]
            .with_context(active_model="account.move", active_ids=charges.invoice_id.ids)
            .create(
                {
                    "journal_id": self.journal_id.id,
                    "payment_date": self.payment_date,
                    # Cash: one payment, hence one receipt, per document.
                    "group_payment": self.method == "bank_matched",
                    **({"communication": self.memo} if self.memo else {}),
                }
            )
            ._create_payments()
        )

    def _settle_unmatched(self):
        """A payment of the company tied to no document: its debt drops, the
        charges stay open until the payment is matched with them."""
        if self.currency_id.compare_amounts(self.amount, 0) <= 0:
            raise UserError(self.env._("Enter the amount received from the company."))
        payment = self.env["account.payment"].create(
            {
                "payment_type": "inbound",
                "partner_type": "customer",
                "partner_id": self.employer_id.id,
                "amount": self.amount,
                "currency_id": self.currency_id.id,
                "journal_id": self.journal_id.id,
                "date": self.payment_date,
                "memo": self.memo
                or self.env._("Staff allowance of %(company)s", company=self.employer_id.name),
            }
        )
        payment.action_post()
        return payment
