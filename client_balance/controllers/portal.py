from werkzeug.exceptions import NotFound

from odoo import fields, http
from odoo.http import request

from odoo.addons.portal.controllers.portal import CustomerPortal
from odoo.addons.portal.controllers.portal import pager as portal_pager

PAGE_SIZE = 20


class ClientBalancePortal(CustomerPortal):
    """The client's balances in its portal: its own commercial entity's
    accounts and operations only (record rules for portal users, and the
    domain below for everyone). Read-only routes: nothing is written."""

    def _client_balance_domain(self):
        return [
            ("commercial_partner_id", "=", request.env.user.partner_id.commercial_partner_id.id)
        ]

    def _client_balance_accounts(self, domain=()):
        Account = request.env["client.balance.account"]
        if not Account.has_access("read"):
            return Account
        return Account.search([*self._client_balance_domain(), *domain])

    def _prepare_home_portal_values(self, counters):
        values = super()._prepare_home_portal_values(counters)
        if "client_balance_count" in counters:
            values["client_balance_count"] = len(self._client_balance_accounts())
        return values

    @http.route(["/my/balances"], type="http", auth="user", website=True, readonly=True)
    def portal_my_balances(self, currency=None, requisite=None, **kw):
        domain = []
        if currency:
            domain.append(("currency_id.name", "=", currency))
        if requisite and str(requisite).isdigit():
            domain.append(("partner_id", "=", int(requisite)))
        all_accounts = self._client_balance_accounts()
        accounts = self._client_balance_accounts(domain) if domain else all_accounts
        totals = {}
        for account in accounts:
            total = totals.setdefault(account.currency_id, [0.0, 0.0, 0.0])
            total[0] += account.balance
            total[1] += account.available
            total[2] += account.pending_deposit
        values = self._prepare_portal_layout_values()
        values.update(
            {
                "page_name": "client_balances",
                "accounts": accounts,
                "totals": totals,
                "currencies": all_accounts.currency_id.sorted("name"),
                "requisites": all_accounts.partner_id,
                "currency": currency,
                "requisite": int(requisite) if requisite and str(requisite).isdigit() else False,
                "default_url": "/my/balances",
            }
        )
        return request.render("client_balance.portal_my_balances", values)

    @http.route(
        ["/my/balances/<int:account_id>", "/my/balances/<int:account_id>/page/<int:page>"],
        type="http",
        auth="user",
        website=True,
        readonly=True,
    )
    def portal_my_balance(
        self, account_id, page=1, date_from=None, date_to=None, search=None, **kw
    ):
        account = self._client_balance_accounts([("id", "=", account_id)])
        if not account:
            raise NotFound()
        Operation = request.env["client.balance.operation"]
        domain = [("account_id", "=", account.id), ("state", "!=", "draft")]
        url_args = {}
        for name, value, operator in (
            ("date_from", date_from, ">="),
            ("date_to", date_to, "<="),
        ):
            day = self._client_balance_date(value)
            if day:
                domain.append(("date", operator, day))
                url_args[name] = value
        if search:
            domain += [
                "|",
                "|",
                ("name", "ilike", search),
                ("description", "ilike", search),
                ("invoice_ids.name", "ilike", search),
            ]
            url_args["search"] = search
        count = Operation.search_count(domain)
        pager = portal_pager(
            url=f"/my/balances/{account.id}",
            url_args=url_args,
            total=count,
            page=page,
            step=PAGE_SIZE,
        )
        offset = pager["offset"]
        if offset > count / 2:
            # Nearer the end of a long history: walk it from its other end.
            limit = min(PAGE_SIZE, count - offset)
            operations = Operation.search(
                domain, limit=limit, offset=count - offset - limit, order="date, id"
            )[::-1]
        else:
            operations = Operation.search(domain, limit=PAGE_SIZE, offset=offset)
        values = self._prepare_portal_layout_values()
        values.update(
            {
                "page_name": "client_balance",
                "account": account,
                "operations": operations,
                "pager": pager,
                "kinds": dict(Operation._fields["kind"]._description_selection(request.env)),
                "date_from": date_from or "",
                "date_to": date_to or "",
                "search": search or "",
                "default_url": f"/my/balances/{account.id}",
            }
        )
        return request.render("client_balance.portal_my_balance", values)

    @http.route(
        ["/my/balances/<int:account_id>/statement"],
        type="http",
        auth="user",
        website=True,
        readonly=True,
    )
    def portal_my_balance_statement(self, account_id, date_from=None, date_to=None, **kw):
        """The statement of one of the client's own accounts, as a PDF."""
        account = self._client_balance_accounts([("id", "=", account_id)])
        if not account:
            raise NotFound()
        today = fields.Date.context_today(account)
        data = {
            "partner_ids": account.commercial_partner_id.ids,
            "account_ids": account.ids,
            "date_from": fields.Date.to_string(
                self._client_balance_date(date_from) or account.date_open
            ),
            "date_to": fields.Date.to_string(self._client_balance_date(date_to) or today),
        }
        # The access to the account is checked above.
        pdf, _format = (
            request.env["ir.actions.report"]
            .sudo()
            ._render_qweb_pdf(
                "client_balance.client_balance_statement_report",
                account.commercial_partner_id.ids,
                data=data,
            )
        )
        return request.make_response(
            pdf,
            headers=[
                ("Content-Type", "application/pdf"),
                ("Content-Length", len(pdf)),
                (
                    "Content-Disposition",
                    http.content_disposition(f"balance_statement_{account.id}.pdf"),
                ),
            ],
        )

    @staticmethod
    def _client_balance_date(value):
        try:
            return fields.Date.to_date(value) if value else False
        except ValueError:
            return False
