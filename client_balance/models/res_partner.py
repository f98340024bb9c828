import secrets
from datetime import timedelta

import pytz
from dateutil.relativedelta import relativedelta
from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError

ALLOWANCE_FIELDS = {
    "client_balance_allowance_enabled",
    "client_balance_allowance_period",
    "client_balance_allowance_limit",
    "client_balance_allowance_currency_id",
    "client_balance_allowance_date_start",
    "client_balance_allowance_date_end",
    "client_balance_allowance_own_limit",
}
MANAGER = "client_balance.client_balance_group_manager"
SPEND = "client_balance.client_balance_group_spend"
USER = "client_balance.client_balance_group_user"


# Generated client card codes start with it (12 digits in all).
CARD_CODE_PREFIX = "045"


class ResPartner(models.Model):
    _inherit = "res.partner"

    client_balance_account_ids = fields.One2many(
        "client.balance.account", "partner_id", string="Client Balance Accounts"
    )
    client_balance_account_count = fields.Integer(
        compute="_compute_client_balance", string="Client Balance Account Count"
    )
    client_balance_summary_html = fields.Html(
        compute="_compute_client_balance", string="Client Balances", sanitize=False
    )
    client_balance_list = fields.Char(
        compute="_compute_client_balance_list",
        string="Client Balance",
        help="The client's balance in each currency: its own accounts and those of its requisites.",
    )
    client_balance_has_balance = fields.Boolean(
        compute="_compute_client_balance_list",
        search="_search_client_balance_has_balance",
        string="Has a Client Balance",
    )
    client_balance_negative = fields.Boolean(
        compute="_compute_client_balance_list",
        search="_search_client_balance_negative",
        string="Has a Negative Client Balance",
    )
    client_balance_currency_ids = fields.Many2many(
        "res.currency",
        compute="_compute_client_balance_list",
        search="_search_client_balance_currency_ids",
        string="Client Balance Currencies",
    )

    # Staff allowance: the company's settings ...
    client_balance_allowance_enabled = fields.Boolean(
        copy=False,
        string="Enable Staff Allowance",
        help="The company takes over its employees' documents up to a limit per person and "
        "period; each person pays the rest at once.",
    )
    client_balance_allowance_period = fields.Selection(
        [("day", "Day"), ("week", "Week"), ("month", "Month")],
        string="Allowance Period",
        default="day",
        help="Periods follow the company's time zone: a day runs midnight to midnight, a week "
        "is the ISO week (Monday to Sunday), a month the calendar month.",
    )
    client_balance_allowance_limit = fields.Monetary(
        copy=False,
        string="Limit per Person",
        currency_field="client_balance_allowance_currency_id",
        help="What the company takes over per person and period.",
    )
    client_balance_allowance_currency_id = fields.Many2one(
        "res.currency",
        string="Allowance Currency",
        default=lambda self: self.env.company.currency_id,
    )
    client_balance_allowance_date_start = fields.Date(
        copy=False, string="Allowance From", help="The first day documents can be charged."
    )
    client_balance_allowance_date_end = fields.Date(
        copy=False,
        string="Allowance Until",
        help="The last day documents can be charged. Empty: no end.",
    )
    # ... and each employee's card.
    client_balance_card_code = fields.Char(
        string="Client Card",
        copy=False,
        groups="client_balance.client_balance_group_user",
        index="btree_not_null",
        help="Barcode, magnetic or contactless card number, or a code typed by hand: unique, "
        "whatever the case and surrounding spaces.",
    )
    client_balance_allowance_own_limit = fields.Monetary(
        copy=False,
        string="Own Limit",
        currency_field="client_balance_allowance_currency_id",
        help="This person's limit per period, instead of the company's. Empty: the company's.",
    )
    client_balance_card_charged_at = fields.Datetime(readonly=True, copy=False)
    client_balance_allowance_charge_ids = fields.One2many(
        "client.balance.allowance.charge", "employer_id", string="Staff Allowance Charges"
    )
    client_balance_allowance_open = fields.Monetary(
        compute="_compute_client_balance_allowance",
        currency_field="client_balance_allowance_currency_id",
        string="Open Charges",
        help="What the company owes on its employees' charged documents.",
    )
    client_balance_allowance_usage_html = fields.Html(
        compute="_compute_client_balance_allowance",
        string="Usage This Period",
        sanitize=False,
    )

    def _client_balance_domain(self):
        # The client's form shows every requisite below it, an entity's form its own.
        return [
            ("partner_id", "child_of", self.ids),
            ("company_id", "in", self.env.companies.ids),
        ]

    def _compute_client_balance(self):
        Account = self.env["client.balance.account"]
        readable = Account.has_access("read")
        for partner in self:
            if not readable or not partner._origin.id:
                partner.client_balance_account_count = 0
                partner.client_balance_summary_html = False
                continue
            groups = Account._read_group(
                partner._origin._client_balance_domain(),
                ["currency_id"],
                ["__count", "balance:sum", "available:sum", "debt:sum"],
            )
            partner.client_balance_account_count = sum(count for _c, count, *_sums in groups)
            rows = [
                self.env._(
                    "%(balance)s (available %(available)s, owed %(debt)s)",
                    balance=currency.format(balance),
                    available=currency.format(available),
                    debt=currency.format(debt),
                )
                if debt
                else self.env._(
                    "%(balance)s (available %(available)s)",
                    balance=currency.format(balance),
                    available=currency.format(available),
                )
                for currency, _count, balance, available, debt in groups
            ]
            partner.client_balance_summary_html = "<br/>".join(rows) if rows else False

    # ------------------------------------------------------------------
    # Staff allowance
    # ------------------------------------------------------------------

    @api.model
    def _client_balance_normalize_code(self, code):
        return (code or "").strip() or False

    @api.model_create_multi
    def create(self, vals_list):
        batch_codes = set()
        for vals in vals_list:
            if "client_balance_card_code" in vals:
                code = self._client_balance_normalize_code(vals["client_balance_card_code"])
                vals["client_balance_card_code"] = code
                self.browse()._client_balance_check_code_free(code)
                if code and code.lower() in batch_codes:
                    raise ValidationError(
                        self.env._(
                            "The client card %(code)s is given twice: choose another code.",
                            code=code,
                        )
                    )
                batch_codes.add(code and code.lower())
                # A person may be entered with a card code only.
                if code and not vals.get("name"):
                    vals["name"] = code
            # Period and currency have defaults (a user's partner gets them):
            # only what sets an allowance up needs the right.
            guarded = ALLOWANCE_FIELDS - {
                "client_balance_allowance_period",
                "client_balance_allowance_currency_id",
            }
            if any(vals.get(name) for name in guarded):
                self._client_balance_check_allowance_right()
        return super().create(vals_list)

    def write(self, vals):
        if "client_balance_card_code" in vals:
            code = self._client_balance_normalize_code(vals["client_balance_card_code"])
            if code and len(self) > 1:
                raise ValidationError(self.env._("A client card code belongs to one contact only."))
            if any(partner.client_balance_card_code != code for partner in self):
                self._client_balance_check_code_free(code)
            vals = dict(vals, client_balance_card_code=code)
        if self._client_balance_allowance_changes(vals):
            self._client_balance_check_allowance_right()
        return super().write(vals)

    def _client_balance_allowance_changes(self, vals):
        """Whether ``vals`` changes the staff allowance set-up of any of these
        partners (Odoo's contact merge writes every field, changed or not)."""
        for name in ALLOWANCE_FIELDS & set(vals):
            field = self._fields[name]
            for partner in self:
                new = field.convert_to_record(field.convert_to_cache(vals[name], partner), partner)
                if new != partner[name]:
                    return True
        return False

    @api.model
    def _client_balance_check_allowance_right(self):
        if not self.env.su and not self.env.user.has_group(MANAGER):
            raise AccessError(
                self.env._(
                    "Only client balance managers set up staff allowances. Ask an "
                    "administrator for the right."
                )
            )

    def init(self):
        res = super().init()
        # The ORM check gives the clear message; this index settles races.
        self.env.cr.execute(
            """
            CREATE UNIQUE INDEX IF NOT EXISTS res_partner_client_balance_card_code_uniq
                ON res_partner (lower(client_balance_card_code))
             WHERE client_balance_card_code IS NOT NULL
            """
        )
        return res

    @api.model
    def _client_balance_search_code(self, code, exclude_ids=()):
        """The contact (archived ones too) carrying the card ``code``,
        whatever its case: an exact match, no wildcard."""
        self.env["res.partner"].flush_model(["client_balance_card_code"])
        self.env.cr.execute(
            "SELECT id FROM res_partner WHERE lower(client_balance_card_code) = lower(%s) "
            "AND NOT id = ANY(%s) LIMIT 1",
            [code, list(exclude_ids)],
        )
        return (
            self.sudo()
            .with_context(active_test=False)
            .browse([row[0] for row in self.env.cr.fetchall()])
        )

    @api.onchange("client_balance_card_code")
    def _onchange_client_balance_card_code(self):
        # A person may be entered with a card code only.
        code = self._client_balance_normalize_code(self.client_balance_card_code)
        if code and not self.name and not self.is_company:
            self.name = code

    def _client_balance_check_code_free(self, code):
        """No other contact carries ``code``, whatever its case (checked
        before writing: the unique index would only give a raw error)."""
        if not code:
            return
        other = self._client_balance_search_code(code, self.ids)
        if other:
            raise ValidationError(
                self.env._(
                    "The client card %(code)s is already %(other)s's: choose another code.",
                    code=code,
                    other=other.display_name,
                )
            )

    @api.constrains(
        "client_balance_allowance_enabled",
        "client_balance_allowance_limit",
        "client_balance_allowance_own_limit",
        "client_balance_allowance_date_start",
        "client_balance_allowance_date_end",
        "client_balance_allowance_currency_id",
    )
    def _check_client_balance_allowance(self):
        for partner in self:
            if partner.client_balance_allowance_own_limit < 0:
                raise ValidationError(
                    self.env._(
                        "The own limit of %(person)s cannot be negative: leave it empty for the "
                        "company's.",
                        person=partner.display_name,
                    )
                )
            if not partner.client_balance_allowance_enabled:
                continue
            currency = partner.client_balance_allowance_currency_id
            if (
                not currency
                or currency.compare_amounts(partner.client_balance_allowance_limit, 0) <= 0
            ):
                raise ValidationError(
                    self.env._(
                        "The staff allowance of %(company)s needs a positive limit per person "
                        "in a currency.",
                        company=partner.display_name,
                    )
                )
            start = partner.client_balance_allowance_date_start
            end = partner.client_balance_allowance_date_end
            if not start or (end and end < start):
                raise ValidationError(
                    self.env._(
                        "The staff allowance of %(company)s needs the date it applies from, "
                        "before its end date.",
                        company=partner.display_name,
                    )
                )

    def _compute_client_balance_allowance(self):
        Charge = self.env["client.balance.allowance.charge"]
        readable = Charge.has_access("read")
        for partner in self:
            partner.client_balance_allowance_open = 0.0
            partner.client_balance_allowance_usage_html = False
            if not readable or not partner._origin.id or not partner.is_company:
                continue
            partner.client_balance_allowance_open = sum(
                Charge.search(
                    [("employer_id", "=", partner._origin.id), ("state", "=", "open")]
                ).mapped("amount_open")
            )
            if not partner.client_balance_allowance_enabled:
                continue
            start, end = partner._client_balance_period()
            groups = Charge._read_group(
                [
                    ("employer_id", "=", partner._origin.id),
                    ("state", "!=", "cancelled"),
                    ("date", ">=", start),
                    ("date", "<=", end),
                ],
                ["person_id"],
                ["company_share:sum"],
            )
            currency = partner.client_balance_allowance_currency_id
            rows = Markup("").join(
                Markup(
                    "<tr><td>%s</td><td class='text-end'>%s</td><td class='text-end'>%s</td></tr>"
                )
                % (
                    person.display_name,
                    currency.format(used),
                    currency.format(max(person._client_balance_limit() - used, 0.0)),
                )
                for person, used in groups
            )
            partner.client_balance_allowance_usage_html = Markup(
                "<p>%s</p><table class='table table-sm'><thead><tr><th>%s</th>"
                "<th class='text-end'>%s</th><th class='text-end'>%s</th></tr></thead>"
                "<tbody>%s</tbody></table>"
            ) % (
                self.env._("From %(start)s to %(end)s", start=start, end=end),
                self.env._("Person"),
                self.env._("Used"),
                self.env._("Remaining"),
                rows,
            )

    def _client_balance_limit(self):
        """This person's limit per period: their own, else the company's."""
        self.ensure_one()
        return (
            self.client_balance_allowance_own_limit
            or self.commercial_partner_id.client_balance_allowance_limit
        )

    @api.model
    def _client_balance_today(self, company=None):
        """Today in the time zone of ``company`` (default the current one)."""
        company = company or self.env.company
        tz = pytz.timezone(company.partner_id.tz or self.env.user.tz or "UTC")
        return pytz.utc.localize(fields.Datetime.now()).astimezone(tz).date()

    def _client_balance_period(self, day=None):
        """First and last day of this company's allowance period containing
        ``day`` (default today in the current company's time zone)."""
        self.ensure_one()
        day = day or self._client_balance_today()
        period = self.client_balance_allowance_period or "day"
        if period == "week":
            start = day - timedelta(days=day.weekday())
            return start, start + timedelta(days=6)
        if period == "month":
            start = day.replace(day=1)
            return start, start + relativedelta(months=1, days=-1)
        return day, day

    @api.model
    def _client_balance_find_card(self, code):
        """The person carrying the card ``code``, whose company's allowance
        is enabled; a clear error otherwise."""
        normalized = self._client_balance_normalize_code(code if isinstance(code, str) else "")
        if not normalized:
            raise UserError(self.env._("Scan or type a client card code."))
        person = self._client_balance_search_code(normalized)
        if not person:
            raise UserError(self.env._("No client card %(code)s: check the code.", code=normalized))
        if not person.active:
            raise UserError(
                self.env._(
                    "The client card %(code)s belongs to %(person)s, who is archived.",
                    code=normalized,
                    person=person.display_name,
                )
            )
        self._client_balance_check_allowance_enabled(person)
        return person.with_env(self.env)

    @api.model
    def _client_balance_check_allowance_enabled(self, person):
        """``person`` works for a company whose staff allowance is enabled."""
        employer = person.commercial_partner_id
        if employer == person or not employer.client_balance_allowance_enabled:
            raise UserError(
                self.env._(
                    "%(company)s has no staff allowance enabled: %(person)s pays the whole bill.",
                    company=employer.display_name,
                    person=person.display_name,
                )
            )

    @api.model
    def _client_balance_check_allowance_dates(self, person, day):
        """The allowance of ``person``'s company applies on ``day``."""
        employer = person.commercial_partner_id
        start = employer.client_balance_allowance_date_start
        end = employer.client_balance_allowance_date_end
        if day < start or (end and day > end):
            raise UserError(
                self.env._(
                    "The staff allowance of %(company)s applies from %(start)s%(until)s: "
                    "%(person)s pays the whole bill today.",
                    company=employer.display_name,
                    start=start,
                    until=self.env._(" until %(end)s", end=end) if end else "",
                    person=person.display_name,
                )
            )

    @api.model
    def _client_balance_card_state(self, person, day=None):
        employer = person.commercial_partner_id
        start, end = employer._client_balance_period(day)
        used = sum(
            self.env["client.balance.allowance.charge"]
            .sudo()
            .search(
                [
                    ("person_id", "=", person.id),
                    ("state", "!=", "cancelled"),
                    ("date", ">=", start),
                    ("date", "<=", end),
                ]
            )
            .mapped("company_share")
        )
        limit = person._client_balance_limit()
        currency = employer.client_balance_allowance_currency_id
        return {
            "partner_id": person.id,
            "company_id": employer.id,
            "period_start": start,
            "period_end": end,
            "currency": currency.name,
            "limit": limit,
            "used": currency.round(used),
            "remaining": currency.round(max(limit - used, 0.0)),
        }

    @api.model
    def client_balance_card_lookup(self, code):
        """The card ``code``'s person, company, period, limit, what is used
        this period and what remains (public API, User group)."""
        self.env["client.balance.account"]._check_group(USER)
        state = self._client_balance_card_state(self._client_balance_find_card(code))
        return {
            **state,
            "period_start": fields.Date.to_string(state["period_start"]),
            "period_end": fields.Date.to_string(state["period_end"]),
        }

    @api.model
    def client_balance_card_charge(self, code, invoice_id, payment_journal_id=False):
        """Charge the posted customer invoice ``invoice_id`` of the card
        ``code``'s person to the company's allowance: the company takes over
        what remains of the period's limit, the person pays the rest now on
        ``payment_journal_id`` (public API, Pay from Balance group)."""
        charge = self._client_balance_charge(code, invoice_id, payment_journal_id)
        return {
            "company_share": charge.company_share,
            "person_share": charge.person_share,
            "charge_id": charge.id,
        }

    @api.model
    def _client_balance_charge(self, code, invoice_id, payment_journal_id=False):
        self.env["client.balance.account"]._check_group(SPEND)
        person = self._client_balance_find_card(code)
        employer = person.commercial_partner_id
        invoice = self.env["client.balance.account"]._given("account.move", invoice_id)
        self._client_balance_check_charge_invoice(person, invoice)
        self._client_balance_lock_card(person)
        company = invoice.company_id
        today = self._client_balance_today(company)
        state = self._client_balance_card_state(person, today)
        self._client_balance_check_allowance_dates(person, today)
        currency = invoice.currency_id
        due = invoice.amount_residual
        company_share = currency.round(min(state["remaining"], due))
        person_share = currency.round(due - company_share)
        payment = self.env["account.payment"]
        with self.env.cr.savepoint():
            if currency.compare_amounts(person_share, 0) > 0:
                journal = self._client_balance_payment_journal(payment_journal_id, invoice)
                payment = self._client_balance_register_payment(
                    invoice,
                    person_share,
                    journal,
                    self.env._("%(person)s's share", person=person.display_name),
                )
            charge = (
                self.env["client.balance.allowance.charge"]
                .sudo()
                .create(
                    {
                        "person_id": person.id,
                        "employer_id": employer.id,
                        "company_id": company.id,
                        "currency_id": currency.id,
                        "invoice_id": invoice.id,
                        "date": today,
                        "period": employer.client_balance_allowance_period,
                        "period_start": state["period_start"],
                        "period_end": state["period_end"],
                        "amount_total": invoice.amount_total,
                        "company_share": company_share,
                        "person_share": person_share,
                        "person_payment_id": payment.id,
                        "user_id": self.env.uid,
                    }
                )
            )
        invoice.message_post(
            body=self.env._(
                "Charged to the staff allowance of %(company)s: %(company_share)s by the "
                "company, %(person_share)s paid by %(person)s.",
                company=employer.display_name,
                company_share=currency.format(company_share),
                person_share=currency.format(person_share),
                person=person.display_name,
            )
        )
        return charge.with_env(self.env)

    @api.model
    def _client_balance_check_charge_invoice(self, person, invoice):
        employer = person.commercial_partner_id
        if not invoice or invoice.move_type != "out_invoice":
            raise UserError(self.env._("Only customer invoices are charged to an allowance."))
        invoice.check_access("read")
        if invoice.state != "posted" or invoice.currency_id.is_zero(invoice.amount_residual):
            raise UserError(
                self.env._(
                    "%(invoice)s is not a posted invoice with an amount due: post it first.",
                    invoice=invoice.display_name,
                )
            )
        if invoice.partner_id != person:
            raise UserError(
                self.env._(
                    "%(invoice)s is made out to %(partner)s, not to %(person)s who carries "
                    "this card.",
                    invoice=invoice.display_name,
                    partner=invoice.partner_id.display_name,
                    person=person.display_name,
                )
            )
        # The receivable the company's share stays due on: the client of the
        # invoice when it was posted.
        billed = invoice.line_ids.filtered(
            lambda line: line.display_type == "payment_term"
        ).partner_id
        if billed != employer:
            raise UserError(
                self.env._(
                    "%(invoice)s is billed to %(client)s, not to %(company)s whose staff "
                    "allowance the card uses.",
                    invoice=invoice.display_name,
                    client=", ".join(billed.mapped("display_name")),
                    company=employer.display_name,
                )
            )
        currency = employer.client_balance_allowance_currency_id
        if invoice.currency_id != currency:
            raise UserError(
                self.env._(
                    "%(invoice)s is in %(invoice_currency)s and the allowance of %(company)s "
                    "in %(currency)s.",
                    invoice=invoice.display_name,
                    invoice_currency=invoice.currency_id.name,
                    company=employer.display_name,
                    currency=currency.name,
                )
            )
        if invoice.company_id not in self.env.companies:
            raise AccessError(
                self.env._(
                    "%(invoice)s belongs to %(company)s: switch to that company first.",
                    invoice=invoice.display_name,
                    company=invoice.company_id.display_name,
                )
            )
        charged = (
            self.env["client.balance.allowance.charge"]
            .sudo()
            .search([("invoice_id", "=", invoice.id), ("state", "!=", "cancelled")], limit=1)
        )
        if charged:
            raise UserError(
                self.env._(
                    "%(invoice)s is already charged to the staff allowance.",
                    invoice=invoice.display_name,
                )
            )

    @api.model
    def _client_balance_lock_card(self, person):
        """Lock the person's card until the end of the transaction and mark
        it: a second till charging the same card waits, then, under Odoo's
        repeatable-read isolation, fails and is retried once the first has
        committed, reading the usage again."""
        self.env.cr.execute(
            "UPDATE res_partner SET client_balance_card_charged_at = now() at time zone 'utc' "
            "WHERE id = %s",
            [person.id],
        )
        person.invalidate_recordset(["client_balance_card_charged_at"])

    @api.model
    def _client_balance_payment_journal(self, journal_id, invoice):
        journal = (
            self.env["client.balance.account"]._given("account.journal", journal_id)
            if journal_id
            else False
        )
        if (
            not journal
            or journal.type not in ("bank", "cash")
            or journal.company_id not in invoice.company_id.parent_ids
        ):
            raise UserError(
                self.env._(
                    "Choose the cash or bank journal the person pays their share on (a journal "
                    "of %(company)s).",
                    company=invoice.company_id.display_name,
                )
            )
        return journal

    @api.model
    def _client_balance_register_payment(self, invoice, amount, journal, memo):
        """Register ``amount`` paid on ``invoice`` on ``journal``, left
        open for the rest; returns the payment."""
        return (
            self.env["account.payment.register"]
            .with_context(active_model="account.move", active_ids=invoice.ids)
            .create(
                {
                    "amount": amount,
                    "currency_id": invoice.currency_id.id,
                    "journal_id": journal.id,
                    "communication": memo,
                    "payment_difference_handling": "open",
                }
            )
            ._create_payments()
        )

    def action_client_balance_generate_card_codes(self):
        """Give the selected contacts without a client card a unique random
        code."""
        self._client_balance_check_allowance_right()
        for partner in self.filtered(lambda p: not p.client_balance_card_code):
            while True:
                # 045: the prefix a till's barcode rule recognizes as a client card.
                code = CARD_CODE_PREFIX + "".join(
                    secrets.choice("0123456789") for _i in range(12 - len(CARD_CODE_PREFIX))
                )
                if not self._client_balance_search_code(code):
                    break
            partner.sudo().client_balance_card_code = code
        return True

    def action_client_balance_allowance_settle(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "client_balance.client_balance_allowance_settle_action"
        )
        action["context"] = {"default_employer_id": self.commercial_partner_id.id}
        return action

    def action_client_balance_allowance_statement(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "client_balance.client_balance_allowance_statements_action"
        )
        action["context"] = {"default_employer_ids": self.commercial_partner_id.ids}
        return action

    def action_client_balance_allowance_charges(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "client_balance.client_balance_allowance_charge_action"
        )
        action["domain"] = [("employer_id", "=", self.commercial_partner_id.id)]
        action["context"] = {"search_default_open": 1}
        return action

    def _compute_client_balance_list(self):
        """The balances of a whole page of partners in one grouped query:
        per currency, the accounts of each partner and of the requisites
        below it (the client's row shows all of them)."""
        self.client_balance_list = False
        self.client_balance_has_balance = False
        self.client_balance_negative = False
        self.client_balance_currency_ids = False
        Account = self.env["client.balance.account"]
        partners = self.filtered("id")
        if not partners or not Account.has_access("read"):
            return
        groups = Account._read_group(
            [
                ("commercial_partner_id", "in", partners.commercial_partner_id.ids),
                ("company_id", "in", self.env.companies.ids),
            ],
            ["partner_id", "currency_id"],
            ["balance:sum"],
        )
        # Each requisite counts for itself and every partner above it within
        # its client (a subsidiary company is a client of its own).
        above = {}
        for requisite, _currency, _balance in groups:
            chain, ids = requisite, set()
            while chain:
                ids.add(chain.id)
                if chain == requisite.commercial_partner_id:
                    break
                chain = chain.parent_id
            above[requisite] = ids
        for partner in partners:
            totals = {}
            for requisite, currency, balance in groups:
                if partner.id in above[requisite]:
                    totals[currency] = totals.get(currency, 0.0) + balance
            currencies = [
                currency
                for currency in sorted(totals, key=lambda currency: currency.name)
                if not currency.is_zero(totals[currency])
            ]
            partner.client_balance_list = " · ".join(
                currency.format(totals[currency]) for currency in currencies
            )
            partner.client_balance_has_balance = bool(currencies)
            partner.client_balance_negative = any(
                currency.compare_amounts(totals[currency], 0) < 0 for currency in currencies
            )
            partner.client_balance_currency_ids = [(6, 0, [c.id for c in currencies])]

    def _client_balance_partners_with(self, domain, having=None):
        """The clients (and their contacts) whose accounts matching
        ``domain`` sum, per currency, to a total passing ``having``, as the
        column shows them."""
        groups = self.env["client.balance.account"]._read_group(
            [("company_id", "in", self.env.companies.ids), *domain],
            ["commercial_partner_id", "currency_id"],
            ["balance:sum"],
        )
        clients = {
            client.id
            for client, currency, balance in groups
            if having is None or having(currency, balance)
        }
        return list(clients)

    def _client_balance_search(self, operator, value, having):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            raise UserError(self.env._("This filter is searched with = True or = False."))
        clients = self._client_balance_partners_with([], having)
        positive = (operator == "=") == value
        return [("commercial_partner_id", "in" if positive else "not in", clients)]

    def _search_client_balance_has_balance(self, operator, value):
        return self._client_balance_search(
            operator, value, lambda currency, balance: not currency.is_zero(balance)
        )

    def _search_client_balance_negative(self, operator, value):
        return self._client_balance_search(
            operator, value, lambda currency, balance: currency.compare_amounts(balance, 0) < 0
        )

    def _search_client_balance_currency_ids(self, operator, value):
        if operator in ("=", "in") and value:
            currencies = value if isinstance(value, (list, tuple)) else [value]
            if all(isinstance(currency, str) for currency in currencies):
                domain = [("currency_id.name", "in", list(currencies))]
            else:
                domain = [("currency_id", "in", list(currencies))]
            return [("commercial_partner_id", "in", self._client_balance_partners_with(domain))]
        if operator == "ilike" and isinstance(value, str):
            return [
                (
                    "commercial_partner_id",
                    "in",
                    self._client_balance_partners_with([("currency_id.name", "ilike", value)]),
                )
            ]
        raise UserError(self.env._("Search client balance currencies by currency."))

    @api.model
    def _client_balance_sent_notification(self, message, missing):
        """The notification closing a statement wizard: ``message``, and the
        partners ``missing`` an e-mail address, whose statement was not sent."""
        if missing:
            message += " " + self.env._(
                "Without an e-mail address, not sent: %(partners)s.",
                partners=", ".join(missing.mapped("display_name")),
            )
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "warning" if missing else "success",
                "message": message,
                "next": {"type": "ir.actions.act_window_close"},
            },
        }

    def _client_balance_send_statement(self, report, template, data, filename):
        """E-mail this partner ``template`` with the PDF of ``report``
        rendered with ``data`` (its period: ``date_from``, ``date_to``)
        attached; returns the attachment."""
        self.ensure_one()
        pdf, _format = self.env["ir.actions.report"]._render_qweb_pdf(report, self.ids, data=data)
        # Kept on the partner, which whoever sends statements may not edit.
        attachment = (
            self.env["ir.attachment"]
            .sudo()
            .create(
                {
                    "name": filename,
                    "raw": pdf,
                    "res_model": "res.partner",
                    "res_id": self.id,
                    "mimetype": "application/pdf",
                }
            )
        )
        template.with_context(
            statement_date_from=fields.Date.to_date(data["date_from"]),
            statement_date_to=fields.Date.to_date(data["date_to"]),
        ).send_mail(self.id, email_values={"attachment_ids": [attachment.id]})
        return attachment

    def _client_balance_default_requisite(self):
        """The billing entity of a new client account: the invoice address."""
        self.ensure_one()
        return self.browse(self.address_get(["invoice"])["invoice"])

    def client_balance_open(
        self, type_id, currency_id=False, initial_amount=0.0, requisite_id=False
    ):
        """Open a client account of type ``type_id`` for this client (public
        API). The requisite defaults to the client's invoice address and the
        currency to the company's. Returns the client account id."""
        self.ensure_one()
        Account = self.env["client.balance.account"]
        Account._check_group("client_balance.client_balance_group_user")
        company = self.env.company
        requisite = (
            Account._given("res.partner", requisite_id)
            if requisite_id
            else self._client_balance_default_requisite()
        )
        if not requisite or requisite.commercial_partner_id != self.commercial_partner_id:
            raise UserError(
                self.env._(
                    "The requisite must be %(client)s or one of its contacts.",
                    client=self.commercial_partner_id.display_name,
                )
            )
        return Account._open_account(
            requisite,
            Account._given("client.balance.type", type_id),
            Account._given("res.currency", currency_id) if currency_id else company.currency_id,
            company,
            initial_amount,
        ).id

    def client_balance_summary(self):
        """Balances of this client and of its requisites (public API)."""
        self.ensure_one()
        Account = self.env["client.balance.account"]
        Account._check_group("client_balance.client_balance_group_user")
        return [
            {
                "account_id": account.id,
                "type_id": account.type_id.id,
                "requisite_id": account.partner_id.id,
                "currency": account.currency_id.name,
                "balance": account.balance,
                "available": account.available,
            }
            for account in Account.search(self._client_balance_domain())
        ]

    def action_client_balance_accounts(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "client_balance.client_balance_account_action"
        )
        action["domain"] = self._client_balance_domain()
        action["context"] = {"default_partner_id": self.id, "search_default_open": 1}
        return action

    def action_client_balance_operations(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "client_balance.client_balance_operation_action"
        )
        action["domain"] = [
            (
                "account_id",
                "in",
                self.env["client.balance.account"].search(self._client_balance_domain()).ids,
            )
        ]
        return action

    def action_client_balance_open(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "client_balance.client_balance_open_action"
        )
        action["context"] = {"default_partner_id": self.id}
        return action

    def action_client_balance_deposit_invoices(self):
        """The deposit requests and sales of credit of this client's accounts,
        with their payment state."""
        self.ensure_one()
        accounts = self.env["client.balance.account"].search(self._client_balance_domain())
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "account.action_move_out_invoice_type"
        )
        action["domain"] = [("id", "in", accounts.deposit_invoice_ids.ids)]
        action["context"] = {"default_move_type": "out_invoice"}
        return action

    def action_client_balance_request_deposit(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "client_balance.client_balance_deposit_action"
        )
        action["context"] = {"default_partner_id": self.id}
        return action

    def action_client_balance_topup(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "client_balance.client_balance_topup_action"
        )
        action["context"] = {"default_partner_id": self.id}
        return action
