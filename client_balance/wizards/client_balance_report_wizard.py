import io

import xlsxwriter

from odoo import fields, models
from odoo.tools import SQL, float_is_zero, format_date

GROUPINGS = [
    ("commercial_partner_id", "Client"),
    ("partner_id", "Requisite"),
    ("type_id", "Type"),
]


class ClientBalanceReportWizard(models.TransientModel):
    """The Client Balances report: per client (requisite, type), one column
    per currency, as of any date, from the posted journal items up to it."""

    _name = "client.balance.report.wizard"
    _description = "Client Balances Report"

    date = fields.Date(string="As of", required=True, default=fields.Date.context_today)
    group_by = fields.Selection(
        GROUPINGS, string="One Row per", required=True, default=GROUPINGS[0][0]
    )
    company_ids = fields.Many2many(
        "res.company", string="Companies", default=lambda self: self.env.companies
    )
    type_ids = fields.Many2many("client.balance.type", string="Types")
    currency_ids = fields.Many2many("res.currency", string="Currencies")
    partner_ids = fields.Many2many("res.partner", string="Requisites")
    category_ids = fields.Many2many("res.partner.category", string="Client Tags")
    user_ids = fields.Many2many("res.users", string="Salespersons")

    def _domain(self):
        self.ensure_one()
        domain = [("date", "<=", self.date)]
        for field_name, values in (
            ("company_id", self.company_ids),
            ("type_id", self.type_ids),
            ("currency_id", self.currency_ids),
            ("partner_id", self.partner_ids),
            ("commercial_partner_id.category_id", self.category_ids),
            ("user_id", self.user_ids),
        ):
            if values:
                domain.append((field_name, "in", values.ids))
        return domain

    def _filters_text(self):
        """The filters in words, for the export's header."""
        self.ensure_one()
        parts = []
        for label, values in (
            (self.env._("Types"), self.type_ids),
            (self.env._("Currencies"), self.currency_ids),
            (self.env._("Requisites"), self.partner_ids),
            (self.env._("Client tags"), self.category_ids),
            (self.env._("Salespersons"), self.user_ids),
        ):
            if values:
                parts.append(f"{label}: {', '.join(values.mapped('display_name'))}")
        return "; ".join(parts) or self.env._("none")

    def _rows(self):
        """``(rows, currencies, totals)``: per row record, the balance in each
        currency as of the date (one grouped query over the journal items),
        and the available amount where it differs (today or later only:
        the available amount of a past date is not kept)."""
        self.ensure_one()
        groups = self._sums("client.balance.report.line", self._domain(), "balance")
        group_model = self.env["client.balance.report.line"]._fields[self.group_by].comodel_name
        records = self._browse_all(group_model, {group_id for group_id, _c, _b in groups})
        currencies = self._browse_all(
            "res.currency", {currency_id for _g, currency_id, _b in groups}
        )
        roundings = {currency_id: currency.rounding for currency_id, currency in currencies.items()}
        rows = {}
        totals = {}
        for group_id, currency_id, balance in groups:
            currency = currencies[currency_id]
            rows.setdefault(records[group_id], {})[currency] = {"balance": balance}
            totals[currency] = totals.get(currency, 0.0) + balance
        if self.date >= fields.Date.context_today(self):
            # The same filters on the accounts (whose user_id is who opened
            # them: the salesperson is the client's).
            account_domain = [
                (name, op, value)
                for name, op, value in self._domain()
                if name not in ("date", "user_id")
            ]
            if self.user_ids:
                account_domain.append(("commercial_partner_id.user_id", "in", self.user_ids.ids))
            for group_id, currency_id, available in self._sums(
                "client.balance.account", account_domain, "available"
            ):
                cell = rows.get(records.get(group_id), {}).get(currencies.get(currency_id))
                if cell is not None and not float_is_zero(
                    available - cell["balance"], precision_rounding=roundings[currency_id]
                ):
                    cell["available"] = available
        currencies = self.env["res.currency"].browse(list(currencies))
        return rows, currencies.sorted("name"), totals

    def _sums(self, model, domain, measure):
        """``(group id, currency id, sum of measure)`` of the records of
        ``model`` in ``domain`` (with the user's record rules), grouped by the
        report's row and currency, in one query: tens of thousands of groups
        without a recordset each."""
        Model = self.env[model]
        query = Model._search(domain)
        group = Model._field_to_sql(Model._table, self.group_by, query)
        currency = Model._field_to_sql(Model._table, "currency_id", query)
        query.groupby = SQL("%s, %s", group, currency)
        return [
            (group_id, currency_id, float(amount or 0.0))
            for group_id, currency_id, amount in self.env.execute_query(
                query.select(
                    group,
                    currency,
                    SQL("SUM(%s)", Model._field_to_sql(Model._table, measure, query)),
                )
            )
            if group_id and currency_id
        ]

    def _browse_all(self, model, ids):
        """Records of ``ids`` by id, browsed together (one prefetch)."""
        return {record.id: record for record in self.env[model].browse(sorted(ids))}

    def _title(self):
        return self.env._("Client Balances as of %(date)s", date=format_date(self.env, self.date))

    def action_open(self):
        """The report in pivot, graph and list views."""
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "client_balance.client_balance_report_line_action"
        )
        action["domain"] = self._domain()
        action["display_name"] = self._title()
        action["context"] = {
            "pivot_row_groupby": [self.group_by],
            "pivot_column_groupby": ["currency_id"],
            "pivot_measures": ["balance"],
            "graph_groupbys": [self.group_by, "currency_id"],
        }
        return action

    def action_export_xlsx(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_url",
            "url": f"/client_balance/report/xlsx/{self.id}",
            "target": "download",
        }

    def _xlsx(self):
        """The report as an XLSX file: a header naming the date, the
        companies and the filters, then one row per client (requisite, type)
        and one column per currency, with the available amount next to it
        where it differs, and totals."""
        self.ensure_one()
        rows, currencies, totals = self._rows()
        with_available = {
            currency
            for cells in rows.values()
            for currency, cell in cells.items()
            if "available" in cell
        }
        output = io.BytesIO()
        workbook = xlsxwriter.Workbook(output, {"in_memory": True})
        sheet = workbook.add_worksheet(self.env._("Client Balances")[:31])
        bold = workbook.add_format({"bold": True})
        sheet.write(0, 0, self._title(), bold)
        sheet.write(
            1,
            0,
            self.env._(
                "Companies: %(companies)s", companies=", ".join(self.company_ids.mapped("name"))
            ),
        )
        sheet.write(2, 0, self.env._("Filters: %(filters)s", filters=self._filters_text()))
        header_row = 4
        label = dict(self._fields["group_by"]._description_selection(self.env))[self.group_by]
        sheet.write(header_row, 0, label, bold)
        columns = []
        for currency in currencies:
            columns.append((currency, "balance"))
            sheet.write(header_row, len(columns), currency.name, bold)
            if currency in with_available:
                columns.append((currency, "available"))
                sheet.write(
                    header_row,
                    len(columns),
                    self.env._("%(currency)s available", currency=currency.name),
                    bold,
                )
        formats = {
            currency: workbook.add_format(
                {
                    "num_format": "#,##0." + "0" * currency.decimal_places
                    if currency.decimal_places
                    else "#,##0"
                }
            )
            for currency in currencies
        }
        row_index = header_row
        for record in sorted(rows, key=lambda record: record.display_name or ""):
            row_index += 1
            sheet.write(row_index, 0, record.display_name)
            for column, (currency, key) in enumerate(columns, start=1):
                value = rows[record].get(currency, {}).get(key)
                if value is not None:
                    sheet.write_number(row_index, column, value, formats[currency])
        row_index += 1
        sheet.write(row_index, 0, self.env._("Total"), bold)
        for column, (currency, key) in enumerate(columns, start=1):
            if key == "balance":
                sheet.write_number(row_index, column, totals[currency], formats[currency])
        sheet.set_column(0, 0, 40)
        sheet.set_column(1, len(columns), 16)
        workbook.close()
        return output.getvalue()
