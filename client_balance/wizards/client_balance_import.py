import base64
import io
import re
from collections import defaultdict
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
# Opening balances booked in one journal entry at most.
BATCH_SIZE = 500
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
        """The wizard again, with the menu's title and size (the preview's
        rows and their messages need the width)."""
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Import Opening Balances"),
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "target": "new",
            "context": {"dialog_size": "extra-large"},
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
        whole file (clients, requisites, types, currencies, users, accounts)
        and dictionaries to find them row by row."""
        company = self.company_id
        Partner = self.env["res.partner"].with_context(active_test=False)
        cells = [
            {
                key: row[column] if column < len(row) else None
                for column, (key, _l) in enumerate(COLUMNS)
            }
            for _index, row in rows
        ]
        keys = list({self._text(cell["client"]) for cell in cells} - {""})
        candidates = Partner.search(
            [
                "|",
                "|",
                "|",
                ("ref", "in", keys),
                ("vat", "in", keys),
                ("email_normalized", "in", [key.lower() for key in keys]),
                ("name", "in", keys),
            ]
        )
        # Matched by reference first, then VAT, e-mail and name.
        clients = [defaultdict(set) for _matcher in range(4)]
        for partner in candidates:
            for index, value in enumerate(
                (partner.ref, partner.vat, partner.email_normalized, partner.name)
            ):
                if value:
                    clients[index][value].add(partner.commercial_partner_id.id)
        # What finding each client's default requisite (its invoice address)
        # reads, read at once.
        candidates.commercial_partner_id.child_ids.child_ids.mapped("type")
        requisite_keys = list({self._text(cell["requisite"]) for cell in cells} - {""})
        requisites = defaultdict(set)
        if requisite_keys:
            for partner in Partner.search(
                [
                    ("commercial_partner_id", "in", candidates.commercial_partner_id.ids),
                    "|",
                    ("ref", "in", requisite_keys),
                    ("name", "in", requisite_keys),
                ]
            ):
                for value in {partner.ref, partner.name} - {False}:
                    requisites[partner.commercial_partner_id.id, value].add(partner.id)
        types = {
            balance_type.name: balance_type
            for balance_type in self.env["client.balance.type"].search(
                [("name", "in", list({self._text(cell["type"]) for cell in cells}))]
            )
        }
        currencies = {
            currency.name: currency
            for currency in self.env["res.currency"]
            .with_context(active_test=False)
            .search(
                [("name", "in", list({self._text(cell["currency"]).upper() for cell in cells}))]
            )
        }
        logins = list({self._text(cell["user"]) for cell in cells} - {""})
        users = {
            user.login: user
            for user in (self.env["res.users"].search([("login", "in", logins)]) if logins else ())
        }
        accounts = {
            (account.partner_id.id, account.type_id.id, account.currency_id.id): account
            for account in self.env["client.balance.account"].search(
                [
                    ("commercial_partner_id", "in", candidates.commercial_partner_id.ids),
                    ("company_id", "=", company.id),
                ]
            )
        }
        openings = self.env["client.balance.operation"].search(
            [
                ("account_id", "in", [account.id for account in accounts.values()]),
                ("kind", "=", "opening"),
                ("state", "=", "posted"),
            ]
        )
        lookup = {
            "clients": clients,
            "requisites": requisites,
            "types": types,
            "currencies": currencies,
            "users": users,
            "accounts": accounts,
            "imported": {
                (op.account_id.id, op.date, op.currency_id.round(op.amount)) for op in openings
            },
            "accounting": {},
            "seen": set(),
            "opened": set(),
        }
        result = []
        for (index, _row), cell in zip(rows, cells, strict=True):
            vals = {"row": index, "action": "error"}
            try:
                vals.update(self._resolve_row(cell, lookup))
            except UserError as error:
                vals["message"] = error.args[0]
            vals.setdefault("client_text", self._text(cell["client"]))
            result.append(vals)
        return result

    def _resolve_row(self, cell, lookup):
        _ = self.env._
        Partner = self.env["res.partner"]
        key = self._text(cell["client"])
        if not key:
            raise UserError(_("The client is missing."))
        client_ids = next(
            (
                found
                for found in (
                    matches.get(value)
                    for matches, value in zip(
                        lookup["clients"], (key, key, key.lower(), key), strict=True
                    )
                )
                if found
            ),
            set(),
        )
        if not client_ids:
            raise UserError(_("No client has the reference, VAT, e-mail or name %(key)s.", key=key))
        if len(client_ids) > 1:
            raise UserError(_("%(key)s matches several clients: use their reference.", key=key))
        client = Partner.browse(client_ids)
        requisite_key = self._text(cell["requisite"])
        if requisite_key:
            requisite = Partner.browse(lookup["requisites"].get((client.id, requisite_key), ()))
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
        balance_type = lookup["types"].get(type_name)
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
        if balance_type not in lookup["accounting"]:
            lookup["accounting"][balance_type] = dict(
                balance_type._get_accounting_or_empty(self.company_id)
            )
        accounting = lookup["accounting"][balance_type]
        if not accounting["opening_account"] or not accounting["journal"]:
            raise UserError(
                _(
                    "Set the opening counterpart account and the journal of %(type)s first.",
                    type=type_name,
                )
            )
        if "lock_date" not in accounting:
            accounting["lock_date"] = self.company_id.sudo()._get_user_fiscal_lock_date(
                accounting["journal"]
            )
        code = self._text(cell["currency"]).upper()
        currency = lookup["currencies"].get(code)
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
        lock_date = accounting["lock_date"]
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
        user = lookup["users"].get(login) or self.env["res.users"]
        if login and not user:
            raise UserError(_("No user has the login %(login)s.", login=login))
        account = lookup["accounts"].get(
            (requisite.id, balance_type.id, currency.id), self.env["client.balance.account"]
        )
        fingerprint = (requisite.id, balance_type.id, currency.id, day, currency.round(amount))
        if fingerprint in lookup["seen"]:
            raise UserError(_("The same row appears twice in the file."))
        lookup["seen"].add(fingerprint)
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
        if account and (account.id, day, currency.round(amount)) in lookup["imported"]:
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
        if not account and key in lookup["opened"]:
            # An earlier row of the file opens it.
            return {**vals, "action": "add", "message": False}
        lookup["opened"].add(key)
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
        with self.env.cr.savepoint():
            opened, booked = self._import_lines(Account.with_company(self.company_id))
        skipped = len(self.line_ids.filtered(lambda line: line.action == "skip"))
        self.summary = self.env._(
            "%(opened)s accounts opened, %(booked)s opening balances booked, %(skipped)s rows "
            "skipped (already imported).",
            opened=opened,
            booked=booked,
            skipped=skipped,
        )
        self.state = "done"
        return self._reopen()

    def _import_lines(self, Account):
        """Open the accounts the file opens, at once, then book its opening
        balances in batches of one journal entry each (one per date, type
        journal and counterpart, an account once per entry, at most
        ``BATCH_SIZE`` accounts). Returns the counts of accounts opened and
        opening balances booked."""
        company = self.company_id
        lines = self.line_ids.filtered(lambda line: line.action in ("open", "add")).sorted("row")
        existing = Account.search(
            [
                ("partner_id", "in", lines.requisite_id.ids),
                ("type_id", "in", lines.type_id.ids),
                ("currency_id", "in", lines.currency_id.ids),
                ("company_id", "=", company.id),
            ]
        )
        accounts = {
            (account.partner_id.id, account.type_id.id, account.currency_id.id): account
            for account in existing
        }
        to_open = {}
        for line in lines:
            key = line._account_key()
            if key not in accounts and key not in to_open:
                to_open[key] = {
                    "partner_id": key[0],
                    "type_id": key[1],
                    "currency_id": key[2],
                    "company_id": company.id,
                    "user_id": (line.user_id or self.env.user).id,
                    "date_open": line.date,
                }
        if to_open:
            # Like Odoo's own import, without a chatter message per record.
            opened = Account.with_context(tracking_disable=True)._open_accounts(
                list(to_open.values())
            )
            for key, account in zip(to_open, opened.with_env(Account.env), strict=True):
                accounts[key] = account
        batches = []  # [journal, counterpart, date, movements, account ids]
        current = {}  # (journal, counterpart, date): index in batches
        last_batch = {}  # account id: index of the batch of its last row
        accountings = {
            balance_type: balance_type._get_accounting(company) for balance_type in lines.type_id
        }
        for line in lines.filtered(lambda line: not line.currency_id.is_zero(line.amount)):
            account = accounts[line._account_key()]
            accounting = accountings[line.type_id]
            key = (accounting["journal"], accounting["opening_account"], line.date)
            index = current.get(key)
            if (
                index is None
                or index <= last_batch.get(account.id, -1)
                or len(batches[index][3]) >= BATCH_SIZE
            ):
                index = current[key] = len(batches)
                batches.append([*key, []])
            batches[index][3].append(
                {
                    "account": account,
                    "amount": line.amount,
                    "description": line.note or self.env._("Opening balance"),
                    "label": self.env._("Row %(row)s", row=line.row),
                }
            )
            last_batch[account.id] = index
        Operation = self.env["client.balance.operation"]
        ref = self.env._("Opening balances from %(file)s", file=self.filename or "Excel")
        for journal, counterpart, day, movements in batches:
            Operation._book_batch("opening", movements, journal, day, counterpart, ref=ref)
        return len(to_open), sum(len(batch[3]) for batch in batches)


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

    def _account_key(self):
        self.ensure_one()
        return (self.requisite_id.id, self.type_id.id, self.currency_id.id)
