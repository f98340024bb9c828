from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import UserError

STATEMENT_REPORT = "client_balance.client_balance_allowance_statement_report"


class ClientBalanceAllowanceStatements(models.TransientModel):
    """Print or send the staff allowance statement of each company with
    charges in a period (by default the current month)."""

    _name = "client.balance.allowance.statements"
    _description = "Staff Allowance Statements"

    date_from = fields.Date(
        required=True, default=lambda self: fields.Date.context_today(self).replace(day=1)
    )
    date_to = fields.Date(
        required=True,
        default=lambda self: (
            fields.Date.context_today(self).replace(day=1) + relativedelta(months=1, days=-1)
        ),
    )
    employer_ids = fields.Many2many(
        "res.partner",
        string="Companies",
        compute="_compute_employer_ids",
        store=True,
        readonly=False,
        help="The companies with charges in the period.",
    )

    @api.depends("date_from", "date_to")
    def _compute_employer_ids(self):
        Charge = self.env["client.balance.allowance.charge"]
        for wizard in self:
            wizard.employer_ids = Charge.search(
                [
                    ("date", ">=", wizard.date_from),
                    ("date", "<=", wizard.date_to),
                    ("state", "!=", "cancelled"),
                ]
            ).employer_id

    def _data(self):
        # The web client prints a report with data by its data alone.
        return {
            "date_from": fields.Date.to_string(self.date_from),
            "date_to": fields.Date.to_string(self.date_to),
            "employer_ids": self.employer_ids.ids,
        }

    def _check(self):
        self.ensure_one()
        self.env["client.balance.account"]._check_group("client_balance.client_balance_group_user")
        if not self.employer_ids:
            raise UserError(self.env._("No company has staff allowance charges in this period."))
        if self.date_to < self.date_from:
            raise UserError(self.env._("The period ends before it starts."))

    def action_print(self):
        self._check()
        action = self.env.ref(STATEMENT_REPORT).report_action(self.employer_ids, data=self._data())
        return dict(action, close_on_report_download=True)

    def action_send(self):
        """E-mail each company its statement; returns a notification naming
        the companies without an e-mail address."""
        self._check()
        template = self.env.ref("client_balance.email_template_allowance_statement")
        missing = self.employer_ids.filtered(lambda partner: not partner.email)
        for employer in self.employer_ids - missing:
            self._send(employer, template)
        message = self.env._("%(count)s statements sent.", count=len(self.employer_ids - missing))
        return self.env["res.partner"]._client_balance_sent_notification(message, missing)

    def _send(self, employer, template):
        return employer._client_balance_send_statement(
            STATEMENT_REPORT,
            template,
            self._data(),
            self.env._(
                "Staff allowance statement %(company)s %(date_from)s - %(date_to)s.pdf",
                company=employer.name,
                date_from=self.date_from,
                date_to=self.date_to,
            ),
        )


class ReportAllowanceStatement(models.AbstractModel):
    _name = "report.client_balance.report_allowance_statement"
    _description = "Staff Allowance Statement"

    @api.model
    def _get_report_values(self, docids, data=None):
        data = data or {}
        today = fields.Date.context_today(self)
        date_from = fields.Date.to_date(data.get("date_from")) or today.replace(day=1)
        date_to = fields.Date.to_date(data.get("date_to")) or (
            date_from + relativedelta(months=1, days=-1)
        )
        employers = self.env["res.partner"].browse(docids or data.get("employer_ids") or [])
        Charge = self.env["client.balance.allowance.charge"]
        statements = {}
        for employer in employers:
            charges = Charge.search(
                [
                    ("employer_id", "=", employer.id),
                    ("date", ">=", date_from),
                    ("date", "<=", date_to),
                    ("state", "!=", "cancelled"),
                ],
                order="person_id, date, id",
            )
            statements[employer.id] = [
                (person, charges.filtered(lambda charge, person=person: charge.person_id == person))
                for person in charges.person_id
            ]
        return {
            "doc_ids": employers.ids,
            "doc_model": "res.partner",
            "docs": employers,
            "date_from": date_from,
            "date_to": date_to,
            "statements": statements,
        }
