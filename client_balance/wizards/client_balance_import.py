import base64
import io
import re
from datetime import date, datetime

import openpyxl
import xlrd
import xlsxwriter

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import float_is_zero

COLUMNS = [
    ("client", "Client (reference, name, VAT or e-mail)"),
    ("requisite", "Requisite (optional)"),
    ("type", "Type"),
    ("currency", "Currency"),
    ("amount", "Opening balance"),
    ("date", "Date"),
    ("user", "Opened by (login, optional)"),
    ("note", "Note"),
]
ACTIONS = [
    ("open", "Open the account"),
    ("add", "Add an opening balance"),
    ("skip", "Already imported: skipped"),
    ("error", "Error"),
]


class ClientBalanceImport(models.TransientModel):
    """Import opening balances from Excel: preview every row with what it
    will do, then import all of it in one transaction, or nothing while a
    row has an error."""

    _name = "client.balance.import"
    _description = "Import Opening Balances"

    file = fields.Binary(string="Excel File", required=True)
    filename = fields.Char()
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company
    )
    line_ids = fields.One2many("client.balance.import.line", "import_id", string="Rows")
    error_count = fields.Integer(compute="_compute_counts")
    ready_count = fields.Integer(compute="_compute_counts")
    state = fields.Selection(
        [("upload", "Upload"), ("preview", "Preview"), ("done", "Done")], default="upload"
    )
    summary = fields.Text(readonly=True)

    @api.depends("line_ids.action")
    def _compute_counts(self):
        for wizard in self:
            wizard.error_count = len(wizard.line_ids.filtered(lambda line: line.action == "error"))
            wizard.ready_count = len(
                wizard.line_ids.filtered(lambda line: line.action in ("open", "add"))
            )

    # ------------------------------------------------------------------
    # Template and reading
    # ------------------------------------------------------------------

    @api.model
    def _template_xlsx(self):
        output = io.BytesIO()
        workbook = xlsxwriter.Workbook(output, {"in_memory": True})
        sheet = workbook.add_worksheet(self.env._("Opening balances")[:31])
        bold = workbook.add_format({"bold": True})
        for column, (_key, label) in enumerate(COLUMNS):
            sheet.write(0, column, self.env._(label), bold)
            sheet.set_column(column, column, 24)
        example = [
            "C-001",
            "",
            self.env.ref("client_balance.client_balance_type_deposits").name,
            self.env.company.currency_id.name,
            120.0,
            "2026-01-01",
            "",
            "Migrated",
        ]
        for column, value in enumerate(example):
            sheet.write(1, column, value)
        workbook.close()
        return output.getvalue()

    def action_download_template(self):
        return {
            "type": "ir.actions.act_url",
            "url": "/client_balance/import/template",
            "target": "download",
        }

    def _read_rows(self):
        """The file's rows after the header, as lists of cell values."""
        self.ensure_one()
        content = base64.b64decode(self.file or b"")
        name = (self.filename or "").lower()
        try:
            if name.endswith(".xls"):
                book = xlrd.open_workbook(file_contents=content)
                sheet = book.sheet_by_index(0)
                rows = []
                for index in range(1, sheet.nrows):
                    row = []
                    for cell in sheet.row(index):
                        if cell.ctype == xlrd.XL_CELL_DATE:
                            row.append(xlrd.xldate.xldate_as_datetime(cell.value, book.datemode))
                        else:
                            row.append(cell.value)
                    rows.append(row)
                return rows
            book = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
            return [list(row) for row in book.worksheets[0].iter_rows(min_row=2, values_only=True)]
        except Exception as error:  # any unreadable file gets the same answer
            raise UserError(
                self.env._(
                    "The file cannot be read as an Excel workbook (.xlsx or .xls): %(error)s",
                    error=error,
                )
            ) from error

    # ------------------------------------------------------------------
    # Preview
    # ------------------------------------------------------------------

    def action_preview(self):
        self.ensure_one()
        self.env["client.balance.account"]._check_group(
            "client_balance.client_balance_group_manager"
        )
        rows = [
            (index, row)
            for index, row in enumerate(self._read_rows(), start=2)
            if any(cell not in (None, "") for cell in row)
        ]
        if not rows:
            raise UserError(self.env._("The file has no row to import below its header."))
        self.line_ids.unlink()
        self.line_ids = [(0, 0, vals) for vals in self._resolve(rows)]
        self.state = "preview"
        return self._reopen()

    def _reopen(self):
        return {
            "type": "ir.actions.act_window",
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "target": "new",
        }

    @staticmethod
    def _parse_amount(value):
        """A number, or a text of digits with at most one decimal separator
        (a point, or a comma followed by one or two digits); anything that
        could be read two ways ("1,200") is refused."""
        if not isinstance(value, str):
            return value
        text = value.replace(" ", "").replace("\xa0", "").strip()
        if text.count(",") == 1 and "." not in text and len(text.split(",")[1]) in (1, 2):
            text = text.replace(",", ".")
        if not re.fullmatch(r"-?\d+(\.\d+)?", text):
            return None
        return float(text)

    @staticmethod
    def _text(value):
        if value is None:
            return ""
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        return str(value).strip()

    def _resolve(self, rows):
        """What each row will do, with one lookup per kind of record for the
        whole file (clients, types, currencies, users, accounts)."""
        company = self.company_id
        Partner = self.env["res.partner"].with_context(active_test=False)
        cells = [
            {
                key: row[column] if column < len(row) else None
                for column, (key, _l) in enumerate(COLUMNS)
            }
            for _index, row in rows
        ]
        keys = {self._text(cell["client"]) for cell in cells} - {""}
        lowered = [key.lower() for key in keys]
        candidates = Partner.search(
            [
                "|",
                "|",
                "|",
                ("ref", "in", list(keys)),
                ("vat", "in", list(keys)),
                ("email_normalized", "in", lowered),
                ("name", "in", list(keys)),
            ]
        )
        types = self.env["client.balance.type"].search(
            [("name", "in", list({self._text(cell["type"]) for cell in cells}))]
        )
        currencies = (
            self.env["res.currency"]
            .with_context(active_test=False)
            .search(
                [("name", "in", list({self._text(cell["currency"]).upper() for cell in cells}))]
            )
        )
        logins = list({self._text(cell["user"]) for cell in cells} - {""})
        users = (
            self.env["res.users"].search([("login", "in", logins)])
            if logins
            else self.env["res.users"]
        )
        accounts = self.env["client.balance.account"].search(
            [
                ("commercial_partner_id", "in", candidates.commercial_partner_id.ids),
                ("company_id", "=", company.id),
            ]
        )
        openings = self.env["client.balance.operation"].search(
            [("account_id", "in", accounts.ids), ("kind", "=", "opening"), ("state", "=", "posted")]
        )
        imported = {(op.account_id.id, op.date, op.currency_id.round(op.amount)) for op in openings}
        seen = set()
        opened = set()
        result = []
        for (index, _row), cell in zip(rows, cells, strict=True):
            vals = {"row": index, "action": "error"}
            try:
                vals.update(
                    self._resolve_row(
                        cell,
                        candidates,
                        types,
                        currencies,
                        users,
                        accounts,
                        imported,
                        seen,
                        opened,
                    )
                )
            except UserError as error:
                vals["message"] = error.args[0]
            vals.setdefault("client_text", self._text(cell["client"]))
            result.append(vals)
        return result

    def _resolve_row(
        self, cell, candidates, types, currencies, users, accounts, imported, seen, opened
    ):
        _ = self.env._
        key = self._text(cell["client"])
        if not key:
            raise UserError(_("The client is missing."))
        lowered = key.lower()
        client = next(
            (
                found
                for matcher in (
                    lambda partner: partner.ref == key,
                    lambda partner: partner.vat == key,
                    lambda partner: (partner.email_normalized or "") == lowered,
                    lambda partner: partner.name == key,
                )
                for found in [candidates.filtered(matcher).commercial_partner_id]
                if found
            ),
            self.env["res.partner"],
        )
        if not client:
            raise UserError(_("No client has the reference, VAT, e-mail or name %(key)s.", key=key))
        if len(client) > 1:
            raise UserError(_("%(key)s matches several clients: use their reference.", key=key))
        requisite_key = self._text(cell["requisite"])
        if requisite_key:
            requisite = self.env["res.partner"].search(
                [
                    ("commercial_partner_id", "=", client.id),
                    "|",
                    ("ref", "=", requisite_key),
                    ("name", "=", requisite_key),
                ]
            )
            if len(requisite) != 1:
                raise UserError(
                    _(
                        "%(requisite)s is not one requisite of %(client)s: give the name or "
                        "reference of the client or of one of its contacts.",
                        requisite=requisite_key,
                        client=client.display_name,
                    )
                )
        else:
            requisite = client._client_balance_default_requisite()
        type_name = self._text(cell["type"])
        balance_type = types.filtered(lambda record: record.name == type_name)[:1]
        if not balance_type:
            raise UserError(_("No balance type is named %(type)s.", type=type_name or "-"))
        if not balance_type._is_available_in(self.company_id):
            raise UserError(
                _(
                    "The balance type %(type)s is not available in %(company)s.",
                    type=type_name,
                    company=self.company_id.name,
                )
            )
        if client.company_id and client.company_id != self.company_id:
            raise UserError(
                _(
                    "%(client)s belongs to %(company)s: import its balances in that company.",
                    client=client.display_name,
                    company=client.company_id.name,
                )
            )
        accounting = balance_type._get_accounting_or_empty(self.company_id)
        if not accounting["opening_account"] or not accounting["journal"]:
            raise UserError(
                _(
                    "Set the opening counterpart account and the journal of %(type)s first.",
                    type=type_name,
                )
            )
        code = self._text(cell["currency"]).upper()
        currency = currencies.filtered(lambda record: record.name == code)
        if not currency or not currency.active:
            raise UserError(_("%(currency)s is not an active currency.", currency=code or "-"))
        if balance_type.currency_ids and currency not in balance_type.currency_ids:
            raise UserError(
                _(
                    "The balance type %(type)s does not allow %(currency)s.",
                    type=type_name,
                    currency=code,
                )
            )
        amount = self._parse_amount(cell["amount"])
        if amount is None or isinstance(amount, bool) or not isinstance(amount, (int, float)):
            raise UserError(
                _(
                    "The opening balance must be a number, written without thousands "
                    "separators (1200.50)."
                )
            )
        if not float_is_zero(
            amount - currency.round(amount), precision_digits=currency.decimal_places + 4
        ):
            raise UserError(
                _(
                    "%(amount)s has more decimals than %(currency)s allows.",
                    amount=amount,
                    currency=code,
                )
            )
        day = cell["date"]
        if isinstance(day, datetime):
            day = day.date()
        elif not isinstance(day, date):
            try:
                day = fields.Date.to_date(self._text(day)) if self._text(day) else None
            except ValueError:
                day = None
        if not day:
            raise UserError(_("The date must be a date (YYYY-MM-DD)."))
        lock_date = self.company_id.sudo()._get_user_fiscal_lock_date(accounting["journal"])
        if lock_date and day <= lock_date:
            raise UserError(
                _("The books are locked until %(lock)s: choose a later date.", lock=lock_date)
            )
        minimum = sum(
            balance_type.minimum_ids.filtered(lambda line: line.currency_id == currency).mapped(
                "min_balance"
            )
        )
        if (
            currency.compare_amounts(amount, 0) < 0
            and currency.compare_amounts(amount, minimum) < 0
        ):
            raise UserError(
                _(
                    "A debt of %(amount)s is beyond what the balance type %(type)s allows "
                    "(%(minimum)s).",
                    amount=currency.format(amount),
                    type=type_name,
                    minimum=currency.format(minimum),
                )
            )
        login = self._text(cell["user"])
        user = (
            users.filtered(lambda record: record.login == login) if login else self.env["res.users"]
        )
        if login and not user:
            raise UserError(_("No user has the login %(login)s.", login=login))
        account = accounts.filtered(
            lambda record: (
                record.partner_id == requisite
                and record.type_id == balance_type
                and record.currency_id == currency
            )
        )
        fingerprint = (requisite.id, balance_type.id, currency.id, day, currency.round(amount))
        if fingerprint in seen:
            raise UserError(_("The same row appears twice in the file."))
        seen.add(fingerprint)
        vals = {
            "client_id": client.id,
            "requisite_id": requisite.id,
            "type_id": balance_type.id,
            "currency_id": currency.id,
            "amount": amount,
            "date": day,
            "user_id": user.id,
            "note": self._text(cell["note"]),
            "account_id": account.id,
        }
        if account and (account.id, day, currency.round(amount)) in imported:
            return {
                **vals,
                "action": "skip",
                "message": _("This opening balance is already booked."),
            }
        if account and account.state != "open":
            raise UserError(
                _("%(account)s is closed: reopen it first.", account=account.display_name)
            )
        if account and currency.is_zero(amount):
            return {
                **vals,
                "action": "skip",
                "message": _("The account exists and the amount is zero."),
            }
        key = (requisite.id, balance_type.id, currency.id)
        if not account and key in opened:
            # An earlier row of the file opens it.
            return {**vals, "action": "add", "message": False}
        opened.add(key)
        return {**vals, "action": "add" if account else "open", "message": False}

    # ------------------------------------------------------------------
    # Import
    # ------------------------------------------------------------------

    def action_import(self):
        """Import every row, in one transaction: nothing while a row has an
        error."""
        self.ensure_one()
        Account = self.env["client.balance.account"]
        Account._check_group("client_balance.client_balance_group_manager")
        if self.state != "preview" or not self.line_ids:
            raise UserError(self.env._("Preview the file first."))
        errors = self.line_ids.filtered(lambda line: line.action == "error")
        if errors:
            raise UserError(
                self.env._(
                    "%(count)s rows have errors (rows %(rows)s): correct the file and preview it "
                    "again. Nothing is imported.",
                    count=len(errors),
                    rows=", ".join(str(row) for row in errors.mapped("row")),
                )
            )
        opened = added = 0
        Account = Account.with_company(self.company_id)
        with self.env.cr.savepoint():
            for line in self.line_ids.sorted("row"):
                try:
                    opened, added = line._import_row(Account, opened, added)
                except UserError as error:
                    raise UserError(
                        self.env._("Row %(row)s: %(error)s", row=line.row, error=error.args[0])
                    ) from error
        skipped = len(self.line_ids.filtered(lambda line: line.action == "skip"))
        self.summary = self.env._(
            "%(opened)s accounts opened, %(added)s opening balances added to existing accounts, "
            "%(skipped)s rows skipped (already imported).",
            opened=opened,
            added=added,
            skipped=skipped,
        )
        self.state = "done"
        return self._reopen()


class ClientBalanceImportLine(models.TransientModel):
    _name = "client.balance.import.line"
    _description = "Row of an Opening Balances Import"
    _order = "row"

    import_id = fields.Many2one("client.balance.import", required=True, ondelete="cascade")
    row = fields.Integer(readonly=True)
    client_text = fields.Char(string="Client in the File", readonly=True)
    client_id = fields.Many2one("res.partner", string="Client", readonly=True)
    requisite_id = fields.Many2one("res.partner", string="Requisite", readonly=True)
    type_id = fields.Many2one("client.balance.type", string="Type", readonly=True)
    currency_id = fields.Many2one("res.currency", readonly=True)
    amount = fields.Monetary(string="Opening Balance", readonly=True)
    date = fields.Date(readonly=True)
    user_id = fields.Many2one("res.users", string="Opened By", readonly=True)
    note = fields.Char(readonly=True)
    account_id = fields.Many2one("client.balance.account", string="Existing Account", readonly=True)
    action = fields.Selection(ACTIONS, readonly=True)
    message = fields.Char(readonly=True)

    def _import_row(self, Account, opened, added):
        """Book this row; returns the counts of accounts opened and opening
        balances added so far."""
        self.ensure_one()
        company = self.import_id.company_id
        description = self.note or self.env._("Opening balance")
        account = self.account_id or Account.search(
            [
                ("partner_id", "=", self.requisite_id.id),
                ("type_id", "=", self.type_id.id),
                ("currency_id", "=", self.currency_id.id),
                ("company_id", "=", company.id),
            ]
        )
        if self.action == "open" and not account:
            Account._open_account(
                self.requisite_id,
                self.type_id,
                self.currency_id,
                company,
                initial_amount=self.amount,
                date_open=self.date,
                user=self.user_id or None,
                description=description,
            )
            return opened + 1, added
        if self.action in ("open", "add") and not self.currency_id.is_zero(self.amount):
            account.with_company(company)._book_opening(
                self.amount, date=self.date, description=description
            )
            return opened, added + 1
        return opened, added
