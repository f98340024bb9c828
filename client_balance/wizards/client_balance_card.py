from odoo import api, fields, models
from odoo.exceptions import UserError


class ClientBalanceCard(models.TransientModel):
    """Client Card: scan or type a card code, see what the card's company
    still takes over this period, and charge an invoice to it."""

    _name = "client.balance.card"
    _description = "Client Card"

    code = fields.Char(string="Card Code")
    message = fields.Char(compute="_compute_card", string="Card Problem")
    person_id = fields.Many2one("res.partner", string="Person", compute="_compute_card")
    employer_id = fields.Many2one("res.partner", string="Company", compute="_compute_card")
    period_start = fields.Date(compute="_compute_card", string="Period From")
    period_end = fields.Date(compute="_compute_card", string="Period To")
    currency_id = fields.Many2one("res.currency", compute="_compute_card")
    limit = fields.Monetary(compute="_compute_card")
    used = fields.Monetary(compute="_compute_card", string="Used This Period")
    remaining = fields.Monetary(compute="_compute_card")
    invoice_id = fields.Many2one(
        "account.move",
        string="Invoice",
        domain="[('move_type', '=', 'out_invoice'), ('state', '=', 'posted'),"
        " ('payment_state', 'in', ('not_paid', 'partial')), ('partner_id', '=', person_id)]",
    )
    company_id = fields.Many2one(related="invoice_id.company_id", string="Invoicing Company")
    amount_due = fields.Monetary(related="invoice_id.amount_residual", string="Amount Due")
    company_share = fields.Monetary(compute="_compute_shares")
    person_share = fields.Monetary(compute="_compute_shares", string="Person Pays Now")
    journal_id = fields.Many2one(
        "account.journal",
        string="Paid On",
        domain="[('type', 'in', ('bank', 'cash')), ('company_id', 'parent_of', company_id)]",
        help="The cash desk or bank journal the person pays their share on.",
    )

    @api.depends("code")
    def _compute_card(self):
        Partner = self.env["res.partner"]
        for wizard in self:
            values = {
                "message": False,
                "person_id": False,
                "employer_id": False,
                "period_start": False,
                "period_end": False,
                "currency_id": False,
                "limit": 0.0,
                "used": 0.0,
                "remaining": 0.0,
            }
            if wizard.code:
                try:
                    person = Partner._client_balance_find_card(wizard.code)
                except UserError as error:
                    values["message"] = error.args[0]
                else:
                    state = Partner._client_balance_card_state(person)
                    values.update(
                        person_id=person.id,
                        employer_id=state["company_id"],
                        period_start=state["period_start"],
                        period_end=state["period_end"],
                        currency_id=person.commercial_partner_id.client_balance_allowance_currency_id.id,
                        limit=state["limit"],
                        used=state["used"],
                        remaining=state["remaining"],
                    )
            wizard.update(values)

    @api.depends("remaining", "invoice_id", "amount_due")
    def _compute_shares(self):
        for wizard in self:
            due = wizard.amount_due if wizard.invoice_id else 0.0
            wizard.company_share = min(wizard.remaining, due)
            wizard.person_share = due - wizard.company_share

    @api.onchange("person_id")
    def _onchange_person_id(self):
        if self.person_id and self.invoice_id and self.invoice_id.partner_id != self.person_id:
            self.invoice_id = False

    def action_charge(self):
        self.ensure_one()
        if not self.invoice_id:
            raise UserError(self.env._("Choose the invoice to charge."))
        shown = self.person_share
        charge = self.env["res.partner"]._client_balance_charge(
            self.code, self.invoice_id.id, self.journal_id.id
        )
        if charge.currency_id.compare_amounts(charge.person_share, shown) != 0:
            # Another till charged the card meanwhile: nothing is charged.
            raise UserError(
                self.env._(
                    "The card was charged meanwhile: %(person)s now pays %(share)s. Look the "
                    "card up again.",
                    person=charge.person_id.display_name,
                    share=charge.currency_id.format(charge.person_share),
                )
            )
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "success",
                "message": self.env._(
                    "%(company)s takes over %(company_share)s; %(person)s paid %(person_share)s.",
                    company=charge.employer_id.display_name,
                    company_share=charge.currency_id.format(charge.company_share),
                    person=charge.person_id.display_name,
                    person_share=charge.currency_id.format(charge.person_share),
                ),
                "next": {"type": "ir.actions.act_window_close"},
            },
        }


class ClientBalanceAllowanceCancel(models.TransientModel):
    _name = "client.balance.allowance.cancel"
    _description = "Cancel a Staff Allowance Charge"

    charge_id = fields.Many2one("client.balance.allowance.charge", required=True)
    person_id = fields.Many2one(related="charge_id.person_id")
    currency_id = fields.Many2one(related="charge_id.currency_id")
    amount_open = fields.Monetary(related="charge_id.amount_open", string="Person Pays Now")
    company_id = fields.Many2one(related="charge_id.company_id")
    journal_id = fields.Many2one(
        "account.journal",
        string="Paid On",
        domain="[('type', 'in', ('bank', 'cash')), ('company_id', 'parent_of', company_id)]",
    )

    def action_confirm(self):
        self.ensure_one()
        self.charge_id.cancel(self.journal_id.id)
        return {"type": "ir.actions.act_window_close"}
