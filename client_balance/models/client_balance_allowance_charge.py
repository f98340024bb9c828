from odoo import api, fields, models
from odoo.exceptions import UserError


class ClientBalanceAllowanceCharge(models.Model):
    """A document charged to a company's staff allowance: the company takes
    over ``company_share`` of it (what stays due on the company's
    receivable), the person paid ``person_share`` at once. The limit of a
    period is computed from these records."""

    _name = "client.balance.allowance.charge"
    _description = "Staff Allowance Charge"
    _order = "date desc, id desc"
    _check_company_auto = True

    name = fields.Char(related="invoice_id.name", store=True, string="Document")
    person_id = fields.Many2one(
        "res.partner", string="Person", required=True, readonly=True, index=True
    )
    employer_id = fields.Many2one(
        "res.partner", string="Company", required=True, readonly=True, index=True
    )
    company_id = fields.Many2one(
        "res.company", string="Invoicing Company", required=True, readonly=True, index=True
    )
    currency_id = fields.Many2one("res.currency", required=True, readonly=True)
    invoice_id = fields.Many2one(
        "account.move",
        string="Invoice",
        required=True,
        readonly=True,
        index=True,
        ondelete="restrict",
        check_company=True,
    )
    date = fields.Date(required=True, readonly=True, index=True, help="Day of the charge.")
    period = fields.Selection(
        [("day", "Day"), ("week", "Week"), ("month", "Month")], required=True, readonly=True
    )
    period_start = fields.Date(required=True, readonly=True)
    period_end = fields.Date(required=True, readonly=True)
    amount_total = fields.Monetary(string="Total", readonly=True)
    company_share = fields.Monetary(
        readonly=True, help="The part the company takes over: due by the company."
    )
    person_share = fields.Monetary(readonly=True, help="The part the person paid at once.")
    person_payment_id = fields.Many2one(
        "account.payment", string="Person's Payment", readonly=True, check_company=True
    )
    cancel_payment_id = fields.Many2one(
        "account.payment",
        string="Payment of the Cancelled Share",
        readonly=True,
        check_company=True,
        help="The person's payment of the share the company no longer takes over.",
    )
    cancelled = fields.Boolean(readonly=True)
    user_id = fields.Many2one("res.users", string="Charged By", readonly=True)
    amount_open = fields.Monetary(
        compute="_compute_state",
        store=True,
        string="Open",
        help="What the company still owes on this charge.",
    )
    state = fields.Selection(
        [("open", "Open"), ("settled", "Settled"), ("cancelled", "Cancelled")],
        compute="_compute_state",
        store=True,
        index=True,
    )

    _sql_constraints = [
        (
            "shares_positive",
            "CHECK(company_share >= 0 AND person_share >= 0)",
            "The shares of a charge are not negative.",
        ),
    ]

    @api.depends("cancelled", "company_share", "invoice_id.amount_residual")
    def _compute_state(self):
        for charge in self:
            residual = charge.invoice_id.amount_residual
            if charge.cancelled:
                charge.state = "cancelled"
                charge.amount_open = 0.0
            elif charge.currency_id.is_zero(residual):
                charge.state = "settled"
                charge.amount_open = 0.0
            else:
                charge.state = "open"
                charge.amount_open = min(charge.company_share, residual)

    def _compute_display_name(self):
        for charge in self:
            charge.display_name = f"{charge.name} - {charge.person_id.display_name}"

    def action_cancel(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "client_balance.client_balance_allowance_cancel_action"
        )
        action["context"] = {"default_charge_id": self.id}
        return action

    def cancel(self, journal_id):
        """Cancel this open charge (managers): the company no longer takes
        over its share, which the person pays now on ``journal_id``.
        Returns the person's payment id (none when nothing was due)."""
        self.ensure_one()
        self.env["client.balance.account"]._check_group(
            "client_balance.client_balance_group_manager"
        )
        self.check_access("read")
        if self.state != "open":
            raise UserError(
                self.env._(
                    "%(charge)s is %(state)s: only open charges can be cancelled.",
                    charge=self.display_name,
                    state=dict(self._fields["state"]._description_selection(self.env))[self.state],
                )
            )
        if self.currency_id.compare_amounts(self.amount_open, self.company_share) != 0:
            raise UserError(
                self.env._(
                    "The company already paid %(paid)s of %(charge)s: a charge is cancelled "
                    "only while the company has paid nothing of it.",
                    paid=self.currency_id.format(self.company_share - self.amount_open),
                    charge=self.display_name,
                )
            )
        partner = self.env["res.partner"]
        partner._client_balance_lock_card(self.person_id)
        payment = self.env["account.payment"]
        if not self.currency_id.is_zero(self.amount_open):
            journal = partner._client_balance_payment_journal(journal_id, self.invoice_id)
            payment = partner._client_balance_register_payment(
                self.invoice_id,
                self.amount_open,
                journal,
                self.env._("%(person)s's share", person=self.person_id.display_name),
            )
        self.sudo().write({"cancelled": True, "cancel_payment_id": payment.id})
        self.invoice_id.message_post(
            body=self.env._(
                "The staff allowance charge of %(person)s is cancelled: the person pays the "
                "company's share.",
                person=self.person_id.display_name,
            )
        )
        return payment.id
