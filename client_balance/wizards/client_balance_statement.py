import logging

from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import UserError

REPORT = "client_balance.client_balance_statement_report"

_logger = logging.getLogger(__name__)


class ClientBalanceStatementWizard(models.TransientModel):
    """Client statements for a period: print them, or e-mail them (several
    clients are queued and sent by a scheduled action)."""

    _name = "client.balance.statement.wizard"
    _description = "Client Balance Statements"

    partner_ids = fields.Many2many("res.partner", string="Clients", required=True)
    date_from = fields.Date(
        required=True,
        default=lambda self: (
            fields.Date.context_today(self).replace(day=1) - relativedelta(months=1)
        ),
    )
    date_to = fields.Date(
        required=True,
        default=lambda self: fields.Date.context_today(self).replace(day=1) - relativedelta(days=1),
    )

    def _data(self):
        self.ensure_one()
        if self.date_to < self.date_from:
            raise UserError(self.env._("The period ends before it starts."))
        return {
            "partner_ids": self.partner_ids.commercial_partner_id.ids,
            "date_from": fields.Date.to_string(self.date_from),
            "date_to": fields.Date.to_string(self.date_to),
        }

    def action_print(self):
        self.env["client.balance.account"]._check_group("client_balance.client_balance_group_user")
        data = self._data()
        action = self.env.ref(REPORT).report_action(
            self.env["res.partner"].browse(data["partner_ids"]), data=data
        )
        return dict(action, close_on_report_download=True)

    def action_send(self):
        """One client: sent now. Several: queued for the scheduled action,
        so that one request does not render them all."""
        self.env["client.balance.account"]._check_group("client_balance.client_balance_group_user")
        data = self._data()
        clients = self.env["res.partner"].browse(data["partner_ids"])
        missing = clients.filtered(lambda client: not client.email)
        Queue = self.env["client.balance.statement.queue"].sudo()
        queued = Queue.create(
            [
                {
                    "partner_id": client.id,
                    "date_from": self.date_from,
                    "date_to": self.date_to,
                    "user_id": self.env.uid,
                }
                for client in clients - missing
            ]
        )
        if len(queued) == 1:
            queued._send()
            message = self.env._("The statement is sent.")
        else:
            self.env.ref("client_balance.client_balance_statement_cron")._trigger()
            message = self.env._(
                "%(count)s statements are queued and sent in the background.", count=len(queued)
            )
        return self.env["res.partner"]._client_balance_sent_notification(message, missing)


class ClientBalanceStatementQueue(models.Model):
    """A client statement waiting to be sent by e-mail."""

    _name = "client.balance.statement.queue"
    _description = "Client Balance Statement to Send"
    _order = "id"

    partner_id = fields.Many2one("res.partner", required=True, ondelete="cascade")
    date_from = fields.Date(required=True)
    date_to = fields.Date(required=True)
    user_id = fields.Many2one("res.users", string="Requested By")

    def _send(self):
        """Render and e-mail each statement with the rights, companies and
        language of the user who asked for it; a statement that fails is
        logged and dropped, the others are sent."""
        for request in self:
            try:
                with self.env.cr.savepoint():
                    request._send_one()
            except Exception:  # one client's failure must not block the others
                _logger.exception(
                    "Balance statement of %s not sent", request.partner_id.display_name
                )
        self.unlink()

    def _send_one(self):
        self.ensure_one()
        user = self.user_id or self.env.user
        env = self.with_user(user).with_context(allowed_company_ids=user.company_ids.ids).env
        template = env.ref("client_balance.email_template_client_statement")
        self.partner_id.with_env(env)._client_balance_send_statement(
            REPORT,
            template,
            {
                "partner_ids": self.partner_id.ids,
                "date_from": fields.Date.to_string(self.date_from),
                "date_to": fields.Date.to_string(self.date_to),
            },
            env._(
                "Balance statement %(client)s %(date_from)s - %(date_to)s.pdf",
                client=self.partner_id.name,
                date_from=self.date_from,
                date_to=self.date_to,
            ),
        )

    @api.model
    def _cron_send(self, batch=50):
        """Send the queued statements, a batch at a time."""
        queued = self.search([], limit=batch)
        queued._send()
        if self.search_count([], limit=1):
            self.env.ref("client_balance.client_balance_statement_cron")._trigger()
        return len(queued)


class ReportClientBalanceStatement(models.AbstractModel):
    _name = "report.client_balance.report_client_statement"
    _description = "Client Balance Statement"

    @api.model
    def _get_report_values(self, docids, data=None):
        data = data or {}
        today = fields.Date.context_today(self)
        date_from = fields.Date.to_date(data.get("date_from")) or today.replace(day=1)
        date_to = fields.Date.to_date(data.get("date_to")) or today
        clients = self.env["res.partner"].browse(docids or data.get("partner_ids") or [])
        Account = self.env["client.balance.account"]
        Operation = self.env["client.balance.operation"]
        Line = self.env["client.balance.report.line"]
        statements = {}
        for client in clients:
            domain = [("commercial_partner_id", "=", client.commercial_partner_id.id)]
            if data.get("account_ids"):
                domain.append(("id", "in", data["account_ids"]))
            accounts = Account.search(domain)
            opening = dict(
                Line._read_group(
                    [("account_id", "in", accounts.ids), ("date", "<", date_from)],
                    ["account_id"],
                    ["balance:sum"],
                )
            )
            sections = []
            for account in accounts:
                operations = Operation.search(
                    [
                        ("account_id", "=", account.id),
                        ("state", "!=", "draft"),
                        ("date", ">=", date_from),
                        ("date", "<=", date_to),
                    ],
                    order="date, id",
                )
                running = opening.get(account, 0.0)
                lines = []
                for operation in operations:
                    running += operation.amount
                    lines.append((operation, running))
                sections.append(
                    {
                        "account": account,
                        "opening": opening.get(account, 0.0),
                        "lines": lines,
                        "closing": running,
                    }
                )
            statements[client.id] = sections
        kinds = dict(Operation._fields["kind"]._description_selection(self.env))
        return {
            "doc_ids": clients.ids,
            "doc_model": "res.partner",
            "docs": clients,
            "date_from": date_from,
            "date_to": date_to,
            "statements": statements,
            "kinds": kinds,
            "current": date_to >= today,
        }
