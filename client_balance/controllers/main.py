from werkzeug.exceptions import NotFound

from odoo import http
from odoo.http import content_disposition, request


class ClientBalanceReportController(http.Controller):
    @http.route(
        "/client_balance/report/xlsx/<int:wizard_id>",
        type="http",
        auth="user",
        readonly=True,
    )
    def report_xlsx(self, wizard_id):
        """The Client Balances report as XLSX, built on the fly: nothing is
        written, so it may run on a read-only replica."""
        wizard = request.env["client.balance.report.wizard"].browse(wizard_id).exists()
        if not wizard or wizard.create_uid != request.env.user:
            raise NotFound()
        content = wizard._xlsx()
        filename = f"client_balances_{wizard.date}.xlsx"
        return request.make_response(
            content,
            headers=[
                (
                    "Content-Type",
                    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                ),
                ("Content-Disposition", content_disposition(filename)),
            ],
        )

    @http.route("/client_balance/import/template", type="http", auth="user", readonly=True)
    def import_template(self):
        """The Excel template of the opening balances import."""
        request.env["client.balance.account"]._check_group(
            "client_balance.client_balance_group_manager"
        )
        content = request.env["client.balance.import"]._template_xlsx()
        return request.make_response(
            content,
            headers=[
                (
                    "Content-Type",
                    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                ),
                ("Content-Disposition", content_disposition("opening_balances_template.xlsx")),
            ],
        )
