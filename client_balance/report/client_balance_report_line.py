from odoo import fields, models, tools
from odoo.tools import SQL

from ..models.client_balance_operation import KINDS


class ClientBalanceReportLine(models.Model):
    """One posted journal item of a client balance, with what reports group
    it by: balances as of any date are sums of these up to that date."""

    _name = "client.balance.report.line"
    _description = "Client Balance Report Line"
    _auto = False
    _order = "date desc, id desc"

    date = fields.Date(readonly=True)
    account_id = fields.Many2one("client.balance.account", string="Client Account", readonly=True)
    partner_id = fields.Many2one("res.partner", string="Requisite", readonly=True)
    commercial_partner_id = fields.Many2one("res.partner", string="Client", readonly=True)
    type_id = fields.Many2one("client.balance.type", string="Type", readonly=True)
    currency_id = fields.Many2one("res.currency", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    user_id = fields.Many2one("res.users", string="Salesperson", readonly=True)
    move_id = fields.Many2one("account.move", string="Journal Entry", readonly=True)
    operation_id = fields.Many2one(
        "client.balance.operation",
        string="Operation",
        readonly=True,
        help="The operation that booked this journal item.",
    )
    kind = fields.Selection(KINDS, readonly=True)
    description = fields.Text(readonly=True)
    balance = fields.Monetary(readonly=True, help="Effect on the balance, in its currency.")

    def action_open_operation(self):
        """A row of the report opens the operation behind it."""
        self.ensure_one()
        if not self.operation_id:
            return self.move_id.get_formview_action()
        return {
            "type": "ir.actions.act_window",
            "res_model": "client.balance.operation",
            "res_id": self.operation_id.id,
            "view_mode": "form",
            "views": [(False, "form")],
        }

    # The client and the operation are LEFT JOINs on their primary or unique
    # keys: PostgreSQL leaves them out of the queries that do not use their
    # columns (a balance per client and currency reads the items and the
    # client accounts only).
    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(
            SQL(
                """
            CREATE VIEW %s AS (
                SELECT line.id,
                       line.date,
                       line.client_balance_account_id AS account_id,
                       account.partner_id,
                       account.commercial_partner_id,
                       account.type_id,
                       account.currency_id,
                       account.company_id,
                       client.user_id,
                       line.move_id,
                       operation.id AS operation_id,
                       operation.kind,
                       operation.description,
                       -line.amount_currency AS balance
                  FROM account_move_line line
                  JOIN client_balance_account account
                    ON account.id = line.client_balance_account_id
             LEFT JOIN res_partner client ON client.id = account.commercial_partner_id
             LEFT JOIN client_balance_operation operation
                    ON operation.move_id = line.move_id
                   AND operation.account_id = line.client_balance_account_id
                 WHERE line.parent_state = 'posted'
            )
            """,
                SQL.identifier(self._table),
            )
        )
