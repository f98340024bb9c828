from odoo import api, fields, models


class ClientBalanceOpen(models.TransientModel):
    _name = "client.balance.open"
    _description = "Open a Client Account"
    _inherit = ["client.balance.amount.mixin"]
    _client_balance_amount_fields = {"initial_amount": "currency_id"}

    partner_id = fields.Many2one("res.partner", string="Client", required=True)
    requisite_id = fields.Many2one(
        "res.partner",
        string="Requisite",
        required=True,
        domain="[('commercial_partner_id', '=', commercial_partner_id)]",
        help="Billing entity holding the balance: the client company or one of its invoice "
        "addresses.",
    )
    commercial_partner_id = fields.Many2one(related="partner_id.commercial_partner_id")
    type_id = fields.Many2one(
        "client.balance.type",
        string="Type",
        required=True,
        default=lambda self: self.env["client.balance.type"].search([], limit=1),
    )
    company_id = fields.Many2one("res.company", default=lambda self: self.env.company)
    currency_id = fields.Many2one(
        "res.currency", required=True, default=lambda self: self.env.company.currency_id
    )
    initial_amount = fields.Monetary(
        string="Opening Balance",
        help="Balance brought from another system, booked against the type's opening "
        "counterpart account. Managers only.",
    )
    user_id = fields.Many2one("res.users", string="Opened By", default=lambda self: self.env.user)

    @api.onchange("partner_id")
    def _onchange_partner_id(self):
        if self.partner_id:
            self.requisite_id = self.partner_id._client_balance_default_requisite()

    def action_open(self):
        self.ensure_one()
        account_id = self.partner_id.client_balance_open(
            self.type_id.id,
            currency_id=self.currency_id.id,
            initial_amount=self.initial_amount,
            requisite_id=self.requisite_id.id,
        )
        account = self.env["client.balance.account"].browse(account_id)
        if self.user_id and self.user_id != account.user_id:
            account.sudo().user_id = self.user_id
        return {
            "type": "ir.actions.act_window",
            "res_model": "client.balance.account",
            "res_id": account_id,
            "view_mode": "form",
        }
