from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import AccessError
from odoo.tools import SQL

ISSUE_KINDS = [
    ("ledger_mismatch", "General Ledger Mismatch"),
    ("balance_mismatch", "Balance Mismatch"),
    ("unlinked_item", "Unlinked Journal Item"),
    ("misplaced_item", "Misplaced Journal Item"),
    ("unposted_operation", "Unposted Operation"),
]

# Columns of the check queries naming a record, and the record's model.
ISSUE_COLUMNS = {
    "company_id": "res.company",
    "liability_account_id": "account.account",
    "partner_id": "res.partner",
    "client_account_id": "client.balance.account",
    "currency_id": "res.currency",
    "move_line_id": "account.move.line",
    "operation_id": "client.balance.operation",
    "move_id": "account.move",
    "line_account_id": "account.account",
    "line_currency_id": "res.currency",
    "line_company_id": "res.company",
}

# Ids returned with every discrepancy (False when it names no such record).
ISSUE_KEYS = (
    "company_id",
    "liability_account_id",
    "partner_id",
    "client_account_id",
    "currency_id",
    "move_line_id",
    "operation_id",
)

# Lines listed in the notification of the scheduled check; the rest is counted.
NOTIFY_LIMIT = 50


class ClientBalanceIntegrityIssue(models.TransientModel):
    _name = "client.balance.integrity.issue"
    _description = "Client Balance Integrity Issue"
    _order = "kind, company_id, id"

    kind = fields.Selection(ISSUE_KINDS, required=True, readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    liability_account_id = fields.Many2one("account.account", readonly=True)
    partner_id = fields.Many2one("res.partner", string="Requisite", readonly=True)
    client_account_id = fields.Many2one("client.balance.account", readonly=True)
    currency_id = fields.Many2one("res.currency", readonly=True)
    move_line_id = fields.Many2one("account.move.line", string="Journal Item", readonly=True)
    operation_id = fields.Many2one("client.balance.operation", readonly=True)
    expected = fields.Monetary(
        readonly=True,
        help="What the general ledger says, or the amount of an unposted operation.",
    )
    found = fields.Monetary(
        readonly=True,
        help="What the client balances say, or the amount of a stray journal item.",
    )
    message = fields.Text(readonly=True)


class ClientBalanceAccount(models.Model):
    _inherit = "client.balance.account"

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------

    @api.model
    def action_check_integrity(self):
        """Check the allowed companies; list what is wrong, if anything."""
        issues = self.check_integrity()
        if not issues:
            return {
                "type": "ir.actions.client",
                "tag": "display_notification",
                "params": {
                    "type": "success",
                    "title": self.env._("Integrity Check"),
                    "message": self.env._("The client balances agree with the general ledger."),
                    "sticky": False,
                },
            }
        records = self.env["client.balance.integrity.issue"].create(issues)
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "client_balance.client_balance_integrity_issue_action"
        )
        action["domain"] = [("id", "in", records.ids)]
        return action

    # ------------------------------------------------------------------
    # Public API (XML-RPC / JSON-RPC)
    # ------------------------------------------------------------------

    @api.model
    def check_integrity(self, company_ids=None):
        """Compare the client balances with the general ledger in
        ``company_ids`` (empty: the allowed companies). Returns one dict per
        discrepancy, an empty list when the books agree."""
        self._check_group("client_balance.client_balance_group_manager")
        companies = self._integrity_companies(company_ids)
        self.env.flush_all()
        checker = self.sudo()
        liability_accounts = self.env["client.balance.type"].sudo()._liability_accounts(companies)
        return [
            *checker._integrity_ledger(companies, liability_accounts),
            *checker._integrity_balances(companies),
            *checker._integrity_unlinked_items(companies, liability_accounts),
            *checker._integrity_misplaced_items(companies),
            *checker._integrity_unposted_operations(companies),
        ]

    # ------------------------------------------------------------------
    # Scheduled action
    # ------------------------------------------------------------------

    @api.model
    def _cron_check_integrity(self):
        """Check every company and tell the client balance managers what
        is wrong; nothing is sent when the books agree."""
        checker = self.sudo()
        issues = checker.check_integrity(checker.env["res.company"].search([]).ids)
        if issues:
            checker._notify_integrity_issues(issues)
        return issues

    @api.model
    def _notify_integrity_issues(self, issues):
        """Send the managers one message listing ``issues``; returns it."""
        managers = self.env.ref("client_balance.client_balance_group_manager").users
        partners = managers.filtered(lambda user: not user.share).partner_id
        if not partners:
            return self.env["mail.message"]
        body = Markup("<p>%s</p><ul>%s</ul>") % (
            self.env._(
                "The scheduled integrity check found %(count)s discrepancies between the "
                "client balances and the general ledger:",
                count=len(issues),
            ),
            Markup().join(
                Markup("<li>%s</li>") % issue["message"] for issue in issues[:NOTIFY_LIMIT]
            ),
        )
        if len(issues) > NOTIFY_LIMIT:
            body += Markup("<p>%s</p>") % self.env._(
                "… and %(count)s more: open Client Balances > Integrity Check to see them all.",
                count=len(issues) - NOTIFY_LIMIT,
            )
        return self.env["mail.thread"].message_notify(
            partner_ids=partners.ids,
            subject=self.env._("Client balances: integrity check"),
            body=body,
        )

    # ------------------------------------------------------------------
    # Checks: one aggregate query each
    # ------------------------------------------------------------------

    @api.model
    def _integrity_companies(self, company_ids):
        # An empty list checks the allowed companies too: a monitoring call
        # passing no company must not pass for a clean check.
        if not company_ids:
            return self.env.companies
        companies = self.env["res.company"].browse(company_ids)
        if not self.env.su and companies - self.env.user.company_ids:
            raise AccessError(
                self.env._("You can check the client balances of your own companies only.")
            )
        return companies

    @api.model
    def _integrity_issue(self, kind, row, message):
        """One discrepancy as returned by check_integrity: the ids and
        amounts of ``row``, False where it has none."""
        currency = row["records"]["currency_id"]
        issue = {"kind": kind}
        issue.update({key: row.get(key) or False for key in ISSUE_KEYS})
        issue.update(
            {
                key: currency.round(row[key]) if row.get(key) is not None else False
                for key in ("expected", "found")
            }
        )
        issue["message"] = message
        return issue

    @api.model
    def _integrity_fetch(self, query):
        """The rows of ``query`` as dicts; ``row["records"]`` holds the
        records each row names, browsed together to read their names at once."""
        self.env.cr.execute(query)
        rows = self.env.cr.dictfetchall()
        records = {}
        for column, model in ISSUE_COLUMNS.items():
            ids = {row[column] for row in rows if row.get(column)}
            records.update({(column, rec.id): rec for rec in self.env[model].browse(ids)})
        for row in rows:
            row["records"] = {
                column: records.get((column, row.get(column)), self.env[model])
                for column, model in ISSUE_COLUMNS.items()
            }
        return rows

    def _integrity_ledger(self, companies, liability_accounts):
        """Per company, liability account, requisite and currency: the
        general ledger against the stored balances of the client accounts."""
        rows = self._integrity_fetch(
            SQL(
                """
                WITH ledger AS (
                    SELECT company_id, account_id AS liability_account_id, partner_id,
                           currency_id, -SUM(amount_currency) AS amount
                      FROM account_move_line
                     WHERE parent_state = 'posted'
                       AND account_id = ANY(%(accounts)s)
                       AND company_id = ANY(%(companies)s)
                  GROUP BY 1, 2, 3, 4
                ), balances AS (
                    SELECT company_id, liability_account_id, partner_id, currency_id,
                           SUM(balance) AS amount
                      FROM client_balance_account
                     WHERE company_id = ANY(%(companies)s)
                  GROUP BY 1, 2, 3, 4
                )
                SELECT company_id, liability_account_id, partner_id, currency_id,
                       COALESCE(ledger.amount, 0) AS expected,
                       COALESCE(balances.amount, 0) AS found
                  FROM ledger
             FULL JOIN balances
                 USING (company_id, liability_account_id, partner_id, currency_id)
                  JOIN res_currency currency ON currency.id = currency_id
                 WHERE ROUND(
                           (COALESCE(ledger.amount, 0) - COALESCE(balances.amount, 0))
                           / currency.rounding
                       ) <> 0
              ORDER BY company_id, liability_account_id, partner_id, currency_id
                """,
                accounts=liability_accounts.ids,
                companies=companies.ids,
            )
        )
        return [
            self._integrity_issue(
                "ledger_mismatch",
                row,
                self.env._(
                    "%(account)s (%(company)s): the general ledger holds %(expected)s for "
                    "%(partner)s, the client accounts %(found)s.",
                    account=row["records"]["liability_account_id"].display_name,
                    company=row["records"]["company_id"].display_name,
                    partner=row["records"]["partner_id"].display_name or self.env._("no partner"),
                    expected=row["records"]["currency_id"].format(row["expected"]),
                    found=row["records"]["currency_id"].format(row["found"]),
                ),
            )
            for row in rows
        ]

    def _integrity_balances(self, companies):
        """Each stored balance against the sum of its posted journal items."""
        rows = self._integrity_fetch(
            SQL(
                """
                SELECT account.id AS client_account_id, account.company_id,
                       account.liability_account_id, account.partner_id, account.currency_id,
                       -COALESCE(SUM(line.amount_currency), 0) AS expected,
                       COALESCE(account.balance, 0) AS found
                  FROM client_balance_account account
                  JOIN res_currency currency ON currency.id = account.currency_id
             LEFT JOIN account_move_line line
                    ON line.client_balance_account_id = account.id
                   AND line.parent_state = 'posted'
                 WHERE account.company_id = ANY(%(companies)s)
              GROUP BY account.id, currency.rounding
                HAVING ROUND(
                           (COALESCE(account.balance, 0) + COALESCE(SUM(line.amount_currency), 0))
                           / currency.rounding
                       ) <> 0
              ORDER BY account.id
                """,
                companies=companies.ids,
            )
        )
        return [
            self._integrity_issue(
                "balance_mismatch",
                row,
                self.env._(
                    "%(account)s shows a balance of %(found)s, its posted journal items sum "
                    "to %(expected)s.",
                    account=row["records"]["client_account_id"].display_name,
                    expected=row["records"]["currency_id"].format(row["expected"]),
                    found=row["records"]["currency_id"].format(row["found"]),
                ),
            )
            for row in rows
        ]

    def _integrity_unlinked_items(self, companies, liability_accounts):
        """Posted items on a client balance liability account that belong
        to no client account."""
        rows = self._integrity_fetch(
            SQL(
                """
                SELECT id AS move_line_id, company_id, account_id AS liability_account_id,
                       partner_id, currency_id, -amount_currency AS found
                  FROM account_move_line
                 WHERE parent_state = 'posted'
                   AND client_balance_account_id IS NULL
                   AND account_id = ANY(%(accounts)s)
                   AND company_id = ANY(%(companies)s)
              ORDER BY id
                """,
                accounts=liability_accounts.ids,
                companies=companies.ids,
            )
        )
        return [
            self._integrity_issue(
                "unlinked_item",
                row,
                self.env._(
                    "The journal item %(item)s (%(amount)s) is on %(account)s but belongs to "
                    "no client account.",
                    item=row["records"]["move_line_id"].display_name,
                    amount=row["records"]["currency_id"].format(row["found"]),
                    account=row["records"]["liability_account_id"].display_name,
                ),
            )
            for row in rows
        ]

    def _integrity_misplaced_items(self, companies):
        """Posted items linked to a client account but booked on another
        account, currency or company than the client account's."""
        rows = self._integrity_fetch(
            SQL(
                """
                SELECT line.id AS move_line_id, account.id AS client_account_id,
                       account.company_id, account.liability_account_id, account.partner_id,
                       account.currency_id, line.account_id AS line_account_id,
                       line.currency_id AS line_currency_id, line.company_id AS line_company_id,
                       -line.amount_currency AS found
                  FROM account_move_line line
                  JOIN client_balance_account account
                    ON account.id = line.client_balance_account_id
                 WHERE line.parent_state = 'posted'
                   AND (account.company_id = ANY(%(companies)s)
                        OR line.company_id = ANY(%(companies)s))
                   AND (line.account_id <> account.liability_account_id
                        OR line.currency_id <> account.currency_id
                        OR line.company_id <> account.company_id)
              ORDER BY line.id
                """,
                companies=companies.ids,
            )
        )
        return [
            self._integrity_issue(
                "misplaced_item",
                row,
                self.env._(
                    "The journal item %(item)s (%(amount)s) of %(client_account)s is booked on "
                    "%(account)s in %(currency)s (%(company)s) instead of %(expected_account)s "
                    "in %(expected_currency)s (%(expected_company)s).",
                    item=row["records"]["move_line_id"].display_name,
                    amount=row["records"]["line_currency_id"].format(row["found"]),
                    client_account=row["records"]["client_account_id"].display_name,
                    account=row["records"]["line_account_id"].display_name,
                    currency=row["records"]["line_currency_id"].name,
                    company=row["records"]["line_company_id"].display_name,
                    expected_account=row["records"]["liability_account_id"].display_name,
                    expected_currency=row["records"]["currency_id"].name,
                    expected_company=row["records"]["company_id"].display_name,
                ),
            )
            for row in rows
        ]

    def _integrity_unposted_operations(self, companies):
        """Operations whose journal entry is missing or not posted."""
        rows = self._integrity_fetch(
            SQL(
                """
                SELECT operation.id AS operation_id, account.id AS client_account_id,
                       account.company_id, account.liability_account_id, account.partner_id,
                       account.currency_id, operation.amount AS expected, move.id AS move_id
                  FROM client_balance_operation operation
                  JOIN client_balance_account account ON account.id = operation.account_id
             LEFT JOIN account_move move ON move.id = operation.move_id
                 WHERE account.company_id = ANY(%(companies)s)
                   AND (move.id IS NULL OR move.state <> 'posted')
              ORDER BY operation.id
                """,
                companies=companies.ids,
            )
        )
        issues = []
        for row in rows:
            values = {
                "operation": row["records"]["operation_id"].display_name,
                "account": row["records"]["client_account_id"].display_name,
                "amount": row["records"]["currency_id"].format(row["expected"]),
            }
            if row["move_id"]:
                message = self.env._(
                    "The journal entry %(move)s of the operation %(operation)s of %(account)s "
                    "(%(amount)s) is not posted.",
                    move=row["records"]["move_id"].display_name,
                    **values,
                )
            else:
                message = self.env._(
                    "The operation %(operation)s of %(account)s (%(amount)s) has no journal entry.",
                    **values,
                )
            issues.append(self._integrity_issue("unposted_operation", row, message))
        return issues
