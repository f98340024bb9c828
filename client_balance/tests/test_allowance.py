from datetime import date, datetime

from freezegun import freeze_time

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, tagged

from .common import ClientBalanceCommon


@tagged("post_install", "-at_install")
class TestStaffAllowance(ClientBalanceCommon):
    """The canteen: a client company takes over up to 20.00 a day of each
    employee's bill; the employee pays the rest at the till."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.partner_id.tz = "Europe/Sofia"
        cls.employer = cls.env["res.partner"].create(
            {
                "name": "Acme Staff Ltd",
                "is_company": True,
                "client_balance_allowance_enabled": True,
                "client_balance_allowance_period": "day",
                "client_balance_allowance_limit": 20.0,
                "client_balance_allowance_currency_id": cls.currency.id,
                "client_balance_allowance_date_start": date(2026, 1, 1),
            }
        )
        cls.ivan = cls.env["res.partner"].create(
            {
                "name": "Ivan Petrov",
                "parent_id": cls.employer.id,
                "client_balance_card_code": "C-001",
            }
        )
        cls.maria = cls.env["res.partner"].create(
            {"parent_id": cls.employer.id, "client_balance_card_code": " c-002 "}
        )
        cls.Partner = cls.env["res.partner"]

    def _meal(self, amount, person=None):
        return self._invoice(amount, partner=person or self.ivan)

    def _charge(self, code, invoice, journal=None, user=None):
        return self.Partner.with_user(user or self.user_cashier).client_balance_card_charge(
            code, invoice.id, journal.id if journal else False
        )

    @freeze_time("2026-11-26 10:00:00")
    def test_three_meal_day_api(self):
        """15.00: the company takes 15.00; 18.00: 5.00 and 13.00 paid; 9.00:
        paid in full; the next day the limit is back to 20.00."""
        lookup = self.Partner.with_user(self.user_front_desk).client_balance_card_lookup("C-001")
        self.assertEqual(
            lookup,
            {
                "partner_id": self.ivan.id,
                "company_id": self.employer.id,
                "period_start": "2026-11-26",
                "period_end": "2026-11-26",
                "currency": self.currency.name,
                "limit": 20.0,
                "used": 0.0,
                "remaining": 20.0,
            },
        )
        first = self._meal(15.0)
        result = self._charge("C-001", first)
        self.assertEqual((result["company_share"], result["person_share"]), (15.0, 0.0))
        self.assertEqual(first.amount_residual, 15.0, "the company's share stays due")
        self.assertEqual(first.commercial_partner_id, self.employer)

        second = self._meal(18.0)
        result = self._charge("c-001 ", second, self.cash_journal)
        self.assertEqual((result["company_share"], result["person_share"]), (5.0, 13.0))
        self.assertEqual(second.amount_residual, 5.0)
        charge = self.env["client.balance.allowance.charge"].browse(result["charge_id"])
        self.assertEqual(charge.person_payment_id.amount, 13.0)
        self.assertEqual(charge.person_payment_id.journal_id, self.cash_journal)
        self.assertEqual(charge.state, "open")

        third = self._meal(9.0)
        result = self._charge("C-001", third, self.cash_journal)
        self.assertEqual((result["company_share"], result["person_share"]), (0.0, 9.0))
        self.assertIn(third.payment_state, ("paid", "in_payment"))
        lookup = self.Partner.client_balance_card_lookup("C-001")
        self.assertEqual((lookup["used"], lookup["remaining"]), (20.0, 0.0))
        self.assertEqual(self.employer.client_balance_allowance_open, 20.0)

        with freeze_time("2026-11-27 08:00:00"):
            lookup = self.Partner.client_balance_card_lookup("C-001")
            self.assertEqual(lookup["period_start"], "2026-11-27")
            self.assertEqual((lookup["used"], lookup["remaining"]), (0.0, 20.0))

    @freeze_time("2026-11-26 10:00:00")
    def test_three_meal_day_wizard(self):
        results = []
        for amount, journal in ((15.0, None), (18.0, self.cash_journal), (9.0, self.cash_journal)):
            invoice = self._meal(amount)
            action = invoice.action_client_balance_card()
            card = Form(
                self.env["client.balance.card"]
                .with_user(self.user_cashier)
                .with_context(**action["context"])
            )
            card.code = "C-001"
            self.assertEqual(card.person_id, self.ivan)
            remaining = card.remaining
            if journal:
                card.journal_id = journal
            shares = (card.company_share, card.person_share)
            card.save().action_charge()
            results.append((remaining, *shares))
        self.assertEqual(results, [(20.0, 15.0, 0.0), (5.0, 5.0, 13.0), (0.0, 0.0, 9.0)])

    def test_periods_follow_the_company_time_zone(self):
        # 23:30 UTC on Wednesday 25 November is already Thursday in Sofia.
        with freeze_time(datetime(2026, 11, 25, 23, 30)):
            self.assertEqual(self.Partner._client_balance_today(), date(2026, 11, 26))
            self.employer.client_balance_allowance_period = "week"
            self.assertEqual(
                self.employer._client_balance_period(), (date(2026, 11, 23), date(2026, 11, 29))
            )
            self.employer.client_balance_allowance_period = "month"
            self.assertEqual(
                self.employer._client_balance_period(), (date(2026, 11, 1), date(2026, 11, 30))
            )

    @freeze_time("2026-11-26 10:00:00")
    def test_own_limit_and_cancel(self):
        self.maria.client_balance_allowance_own_limit = 8.0
        self.assertEqual(self.maria.name, "c-002", "a code alone names the person")
        meal = self._meal(12.0, person=self.maria)
        result = self._charge("C-002", meal, self.cash_journal)
        self.assertEqual((result["company_share"], result["person_share"]), (8.0, 4.0))
        charge = self.env["client.balance.allowance.charge"].browse(result["charge_id"])
        with self.assertRaises(AccessError):
            charge.with_user(self.user_cashier).cancel(self.cash_journal.id)
        payment_id = charge.with_user(self.user_manager).cancel(self.cash_journal.id)
        self.assertEqual(charge.state, "cancelled")
        self.assertEqual(self.env["account.payment"].browse(payment_id).amount, 8.0)
        self.assertIn(meal.payment_state, ("paid", "in_payment"))
        lookup = self.Partner.client_balance_card_lookup("C-002")
        self.assertEqual((lookup["used"], lookup["remaining"]), (0.0, 8.0))
        # A cancelled invoice can be charged again.
        self.assertFalse(self.employer.client_balance_allowance_open)

    @freeze_time("2026-11-26 10:00:00")
    def test_generate_card_codes(self):
        anna = self.env["res.partner"].create({"name": "Anna", "parent_id": self.employer.id})
        with self.assertRaises(AccessError):
            anna.with_user(self.user_cashier).action_client_balance_generate_card_codes()
        (anna | self.ivan).with_user(self.user_manager).action_client_balance_generate_card_codes()
        self.assertEqual(self.ivan.client_balance_card_code, "C-001", "existing codes are kept")
        self.assertRegex(anna.client_balance_card_code, r"^045\d{9}$")
        html = (
            self.env["ir.actions.report"]
            ._render_qweb_html("client_balance.client_balance_card_badge_report", anna.ids)[0]
            .decode()
        )
        self.assertIn(anna.client_balance_card_code, html)
        self.assertIn("Code128", html)
        self.assertIn("Acme Staff Ltd", html)

    @freeze_time("2026-11-26 10:00:00")
    def test_bad_input(self):
        Partner = self.env["res.partner"]
        for code in ("C-001", "c-001", "  C-001 "):
            with self.assertRaises(ValidationError):
                Partner.create({"name": "Copy", "client_balance_card_code": code})
        charge = self.Partner.with_user(self.user_cashier).client_balance_card_charge
        lookup = self.Partner.with_user(self.user_front_desk).client_balance_card_lookup
        with self.assertRaisesRegex(UserError, "No client card"):
            lookup("NOPE")
        self.assertRaisesRegex(
            AccessError,
            "Only members",
            self.Partner.with_user(self.user_plain).client_balance_card_lookup,
            "C-001",
        )
        meal = self._meal(10.0)
        self.assertRaisesRegex(
            AccessError,
            "Only members",
            self.Partner.with_user(self.user_front_desk).client_balance_card_charge,
            "C-001",
            meal.id,
        )

        def refused(pattern, *args):
            count = self.env["client.balance.allowance.charge"].search_count([])
            payments = self.env["account.payment"].search_count([])
            with self.assertRaisesRegex(UserError, pattern):
                charge(*args)
            self.assertEqual(self.env["client.balance.allowance.charge"].search_count([]), count)
            self.assertEqual(self.env["account.payment"].search_count([]), payments)

        refused("not to Acme Staff Ltd, c-002", "C-002", meal.id, False)
        draft = self._meal(5.0)
        draft.button_draft()
        refused("not a posted invoice", "C-001", draft.id, False)
        bill = self.env["account.move"].create(
            {
                "move_type": "in_invoice",
                "partner_id": self.ivan.id,
                "invoice_date": self.today,
                "invoice_line_ids": [(0, 0, {"name": "x", "price_unit": 5.0, "tax_ids": []})],
            }
        )
        bill.action_post()
        refused("Only customer invoices", "C-001", bill.id, False)
        other_currency = self._invoice(
            10.0, partner=self.ivan, currency=self.setup_other_currency("EUR")
        )
        refused("allowance of Acme Staff Ltd in", "C-001", other_currency.id, False)
        self._charge("C-001", meal)
        refused("already charged", "C-001", meal.id, False)
        # The person's share must be paid at once.
        big = self._meal(30.0)
        refused("Choose the cash or bank journal", "C-001", big.id, False)
        # Archived person, disabled allowance, after the end date.
        self.ivan.active = False
        refused("archived", "C-001", big.id, self.cash_journal.id)
        self.ivan.active = True
        self.employer.client_balance_allowance_date_end = date(2026, 11, 25)
        refused("pays the whole bill today", "C-001", big.id, self.cash_journal.id)
        self.employer.client_balance_allowance_enabled = False
        refused("no staff allowance enabled", "C-001", big.id, self.cash_journal.id)
        for limit in (0.0, -5.0):
            with self.assertRaisesRegex(ValidationError, "positive limit"):
                self.employer.write(
                    {
                        "client_balance_allowance_enabled": True,
                        "client_balance_allowance_limit": limit,
                    }
                )
        with self.assertRaises(AccessError):
            self.employer.with_user(self.user_cashier).client_balance_allowance_limit = 50.0

    # ------------------------------------------------------------------
    # Settlement and statements
    # ------------------------------------------------------------------

    def _day_of_meals(self):
        """15.00 and 18.00 for Ivan (the company owes 15.00 and 5.00), 6.00
        for Maria: 26.00 open on three documents."""
        meals = self._meal(15.0) | self._meal(18.0) | self._meal(6.0, person=self.maria)
        self._charge("C-001", meals[0])
        self._charge("C-001", meals[1], self.cash_journal)
        self._charge("C-002", meals[2])
        self.assertEqual(self.employer.client_balance_allowance_open, 26.0)
        return meals

    def _settle(self, method, **values):
        action = self.employer.action_client_balance_allowance_settle()
        wizard = (
            self.env["client.balance.allowance.settle"]
            .with_user(self.user_cashier)
            .with_context(**action["context"])
            .create({"method": method, "journal_id": self.bank_journal.id, **values})
        )
        return wizard, self.env["account.payment"].search(wizard.action_confirm()["domain"])

    @freeze_time("2026-11-26 10:00:00")
    def test_settle_by_bank_matched(self):
        meals = self._day_of_meals()
        wizard, payments = self._settle("bank_matched", memo="Statement 2026/47")
        self.assertEqual(len(wizard.charge_ids), 3)
        self.assertEqual(len(payments), 1)
        self.assertEqual(payments.amount, 26.0)
        self.assertEqual(payments.partner_id, self.employer)
        for meal in meals:
            self.assertIn(meal.payment_state, ("paid", "in_payment"))
        charges = self.env["client.balance.allowance.charge"].search(
            [("employer_id", "=", self.employer.id)]
        )
        self.assertEqual(set(charges.mapped("state")), {"settled"})
        self.employer.invalidate_recordset(["client_balance_allowance_open"])
        self.assertEqual(self.employer.client_balance_allowance_open, 0.0)

    @freeze_time("2026-11-26 10:00:00")
    def test_settle_in_cash_one_receipt_per_document(self):
        meals = self._day_of_meals()
        _wizard, payments = self._settle("cash", journal_id=self.cash_journal.id)
        self.assertEqual(sorted(payments.mapped("amount")), [5.0, 6.0, 15.0])
        for payment in payments:
            self.assertEqual(len(payment.reconciled_invoice_ids), 1)
        self.assertEqual(payments.reconciled_invoice_ids, meals)
        html = (
            self.env["ir.actions.report"]
            ._render_qweb_html("account.action_report_payment_receipt", payments[:1].ids)[0]
            .decode()
        )
        self.assertIn(payments[:1].name, html)

    @freeze_time("2026-11-26 10:00:00")
    def test_settle_by_bank_without_matching(self):
        self._day_of_meals()
        receivable = self.company_data["default_account_receivable"]

        def debt():
            return sum(
                self.env["account.move.line"]
                .search(
                    [
                        ("partner_id", "=", self.employer.id),
                        ("account_id", "=", receivable.id),
                        ("parent_state", "=", "posted"),
                    ]
                )
                .mapped("balance")
            )

        self.assertEqual(debt(), 26.0)
        _wizard, payments = self._settle("bank_unmatched", amount=20.0)
        self.assertEqual(payments.amount, 20.0)
        self.assertEqual(payments.state, "in_process")
        self.assertFalse(payments.reconciled_invoice_ids)
        self.assertEqual(debt(), 6.0)
        charges = self.env["client.balance.allowance.charge"].search(
            [("employer_id", "=", self.employer.id)]
        )
        self.assertEqual(set(charges.mapped("state")), {"open"}, "listed open until matched")

    @freeze_time("2026-11-26 10:00:00")
    def test_statement(self):
        self._day_of_meals()
        self.employer.email = "accounts@acme.example.com"
        action = self.employer.action_client_balance_allowance_statement()
        wizard = (
            self.env["client.balance.allowance.statements"]
            .with_user(self.user_front_desk)
            .with_context(**action["context"])
            .create({})
        )
        self.assertEqual(wizard.employer_ids, self.employer)
        self.assertEqual(
            (wizard.date_from, wizard.date_to), (date(2026, 11, 1), date(2026, 11, 30))
        )
        html = (
            self.env["ir.actions.report"]
            ._render_qweb_html(
                "client_balance.client_balance_allowance_statement_report",
                self.employer.ids,
                data=wizard._data(),
            )[0]
            .decode()
        )
        for text in (
            "Staff Allowance Statement",
            "Ivan Petrov",
            "c-002",
            "18.00",
            "13.00",
            "26.00",
        ):
            self.assertIn(text, html)
        mails_before = self.env["mail.mail"].search_count([])
        result = wizard.action_send()
        self.assertEqual(result["params"]["type"], "success")
        mail = self.env["mail.mail"].search([], order="id desc", limit=1)
        self.assertEqual(self.env["mail.mail"].search_count([]), mails_before + 1)
        self.assertEqual(mail.recipient_ids, self.employer)
        self.assertEqual(len(mail.attachment_ids), 1)
        self.assertEqual(mail.attachment_ids.mimetype, "application/pdf")

    @freeze_time("2026-11-26 10:00:00")
    def test_statement_printed_from_its_action(self):
        """The web client prints a report that has data by the data alone."""
        self._day_of_meals()
        wizard = self.env["client.balance.allowance.statements"].create(
            {"employer_ids": [(6, 0, self.employer.ids)]}
        )
        action = wizard.action_print()
        # A company without a document layout yet is asked for one first.
        action = action.get("context", {}).get("report_action") or action
        html = (
            self.env["ir.actions.report"]
            ._render_qweb_html(action["report_name"], None, data=action["data"])[0]
            .decode()
        )
        self.assertIn("Ivan Petrov", html)
        self.assertIn("26.00", html)

    @freeze_time("2026-11-26 10:00:00")
    def test_guards_around_charges(self):
        meals = self._day_of_meals()
        charge = self.env["client.balance.allowance.charge"].search(
            [("invoice_id", "=", meals[0].id)]
        )
        # The charged invoice keeps its amounts while the charge is open.
        with self.assertRaisesRegex(UserError, "cancels the charge first"):
            meals[0].button_draft()
        with self.assertRaisesRegex(UserError, "cancels the charge first"):
            meals[0]._reverse_moves()
        # Once the company paid part of it, the charge is not cancelled.
        self.env["account.payment.register"].with_context(
            active_model="account.move", active_ids=meals[0].ids
        ).create({"amount": 10.0, "journal_id": self.bank_journal.id})._create_payments()
        with self.assertRaisesRegex(UserError, "already paid"):
            charge.with_user(self.user_manager).cancel(self.cash_journal.id)
        # Codes stay unique through write too; limits stay positive.
        with self.assertRaises(ValidationError):
            self.maria.client_balance_card_code = " c-001"
        with self.assertRaisesRegex(ValidationError, "cannot be negative"):
            self.maria.client_balance_allowance_own_limit = -1.0
        with self.assertRaisesRegex(UserError, "No client card"):
            self._charge("C-404", meals[1], self.cash_journal)

    @freeze_time("2026-11-26 10:00:00")
    def test_person_moving_to_another_company(self):
        meal = self._meal(10.0)
        other = self.employer.copy({"name": "Other Employer Ltd"})
        self.assertFalse(other.client_balance_allowance_enabled, "the set-up is not copied")
        other.write(
            {
                "client_balance_allowance_enabled": True,
                "client_balance_allowance_limit": 20.0,
                "client_balance_allowance_date_start": date(2026, 1, 1),
            }
        )
        # Odoo moves the person's invoices to the new company's receivable:
        # the new company's allowance takes them over.
        self.ivan.parent_id = other
        result = self._charge("C-001", meal)
        charge = self.env["client.balance.allowance.charge"].browse(result["charge_id"])
        self.assertEqual(charge.employer_id, other)
        self.assertEqual(meal.commercial_partner_id, other)

    def test_merge_keeps_the_card(self):
        partner_manager = self.env["res.users"].create(
            {
                "name": "Partner Manager",
                "login": "cb_partner_manager",
                "groups_id": [
                    (
                        6,
                        0,
                        [
                            self.env.ref("base.group_user").id,
                            self.env.ref("base.group_partner_manager").id,
                            self.env.ref("account.group_account_invoice").id,
                        ],
                    )
                ],
            }
        )
        duplicate = self.env["res.partner"].create(
            {"name": "Ivan P.", "parent_id": self.employer.id}
        )
        self.env["base.partner.merge.automatic.wizard"].with_user(partner_manager)._merge(
            [self.ivan.id, duplicate.id], duplicate
        )
        self.assertFalse(self.ivan.exists())
        self.assertEqual(duplicate.client_balance_card_code, "C-001")

    def test_contact_form_with_a_card_only(self):
        """In the contact form, a card code alone names the person; users
        without the client balance right get the form without the card."""
        person = Form(self.env["res.partner"])
        person.parent_id = self.employer
        person.client_balance_card_code = " C-777 "
        self.assertEqual(person.name, "C-777")
        saved = person.save()
        self.assertEqual(saved.name, "C-777")
        # The form still loads for a user who cannot see card codes.
        views = (
            self.env["res.partner"]
            .with_user(self.user_plain)
            .get_views([(False, "form")])["views"]["form"]["arch"]
        )
        self.assertNotIn("client_balance_card_code", views)
