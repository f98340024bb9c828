from datetime import date

from odoo.tests import tagged

from .common import ClientBalanceCommon

REPORT = "client_balance.client_balance_statement_report"


@tagged("post_install", "-at_install")
class TestClientStatement(ClientBalanceCommon):
    """Per client and period: the opening balance, every operation with the
    running balance, the closing balance; printed or e-mailed."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.client.email = "salon.client@example.com"
        cls.other = cls.env["res.partner"].create(
            {"name": "Gym Client", "is_company": True, "email": "gym@example.com"}
        )
        cls.account = cls._open_with(cls.client)
        for amount, day in (
            (100.0, date(2026, 1, 10)),
            (50.0, date(2026, 2, 5)),
            (20.0, date(2026, 3, 1)),
        ):
            cls.account.with_user(cls.user_front_desk).topup(amount, cls.bank_journal.id, day)
        cls._open_with(cls.other).topup(5.0, cls.bank_journal.id, date(2026, 2, 7))

    @classmethod
    def _open_with(cls, partner):
        return cls.env["client.balance.account"].browse(
            partner.with_user(cls.user_front_desk).client_balance_open(cls.deposits.id)
        )

    def _wizard(self, partners):
        return (
            self.env["client.balance.statement.wizard"]
            .with_user(self.user_front_desk)
            .create(
                {
                    "partner_ids": [(6, 0, partners.ids)],
                    "date_from": date(2026, 2, 1),
                    "date_to": date(2026, 2, 28),
                }
            )
        )

    def test_figures(self):
        wizard = self._wizard(self.client)
        values = self.env["report.client_balance.report_client_statement"]._get_report_values(
            None, wizard._data()
        )
        (section,) = values["statements"][self.client.id]
        self.assertEqual(section["account"], self.account)
        self.assertEqual(section["opening"], 100.0)
        self.assertEqual(
            [(op.amount, running) for op, running in section["lines"]], [(50.0, 150.0)]
        )
        self.assertEqual(section["closing"], 150.0)
        action = wizard.action_print()
        action = action.get("context", {}).get("report_action") or action
        html = (
            self.env["ir.actions.report"]
            ._render_qweb_html(REPORT, None, data=action["data"])[0]
            .decode()
        )
        for text in ("Balance Statement", "Opening balance", "100.00", "150.00", "Closing balance"):
            self.assertIn(text, html)
        self.assertNotIn("Gym Client", html)

    def test_send_one_now_and_many_queued(self):
        Mail = self.env["mail.mail"]
        before = Mail.search_count([])
        self._wizard(self.client).action_send()
        self.assertEqual(Mail.search_count([]), before + 1)
        mail = Mail.search([], order="id desc", limit=1)
        self.assertEqual(mail.recipient_ids, self.client)
        self.assertEqual(mail.attachment_ids.mimetype, "application/pdf")

        result = self._wizard(self.client | self.other).action_send()
        self.assertIn("queued", result["params"]["message"])
        Queue = self.env["client.balance.statement.queue"]
        self.assertEqual(Queue.search_count([]), 2)
        self.assertEqual(Mail.search_count([]), before + 1, "nothing rendered in the request")
        self.assertEqual(Queue._cron_send(), 2)
        self.assertEqual(Mail.search_count([]), before + 3)
        self.assertFalse(Queue.search_count([]))
