from odoo.tests import tagged

from .common import ClientBalanceCommon


@tagged("post_install", "-at_install")
class TestPartnerList(ClientBalanceCommon):
    """The customers list shows each client's balance per currency, for a
    whole page in one grouped query, with filters."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.eur = cls.setup_other_currency("EUR")
        cls.credit_type = cls.env["client.balance.type"].create(
            {
                "name": "Credit line",
                "minimum_ids": [(0, 0, {"currency_id": cls.currency.id, "min_balance": -100.0})],
            }
        )
        cls.partners = cls.env["res.partner"].create(
            [{"name": f"List Client {index:02d}", "is_company": True} for index in range(80)]
        )

    def test_column_and_filters(self):
        usd = self._open(partner=self.client, requisite=self.client)
        self._topup(usd, 1200.0)
        # The invoice address's own account counts on the client's row.
        eur = self._open(
            partner=self.client, currency=self.eur, requisite=self.client_invoice_address
        )
        self._topup(eur, 300.0)
        debtor = self.partners[0]
        owing = self._open(partner=debtor, balance_type=self.credit_type)
        owing.with_user(self.user_manager).adjust(-30.0, self.income_account.id, "Meals")
        self.assertEqual(
            self.client.client_balance_list,
            f"{self.eur.format(300.0)} · {self.currency.format(1200.0)}",
        )
        self.assertEqual(self.client_invoice_address.client_balance_list, self.eur.format(300.0))
        self.assertEqual(debtor.client_balance_list, self.currency.format(-30.0))
        self.assertFalse(self.partners[1].client_balance_list)

        Partner = self.env["res.partner"].with_user(self.user_front_desk)
        among = [("id", "in", (self.partners | self.client | self.client_invoice_address).ids)]
        self.assertEqual(
            Partner.search([*among, ("client_balance_has_balance", "=", True)]),
            self.client | self.client_invoice_address | debtor,
        )
        self.assertEqual(Partner.search([*among, ("client_balance_negative", "=", True)]), debtor)
        self.assertEqual(
            Partner.search([*among, ("client_balance_currency_ids", "ilike", "EUR")]),
            self.client | self.client_invoice_address,
        )
        self.assertEqual(
            len(Partner.search([*among, ("client_balance_has_balance", "=", False)])), 79
        )

    def test_subsidiary_is_a_client_of_its_own(self):
        """A subsidiary company's balance is its own, whatever else the page
        shows."""
        parent = self.partners[1]
        subsidiary = self.env["res.partner"].create(
            {"name": "Subsidiary", "is_company": True, "parent_id": parent.id}
        )
        self._topup(self._open(partner=subsidiary), 40.0)
        self.assertFalse(parent.client_balance_list)
        self.assertFalse((parent | subsidiary).mapped("client_balance_list")[0])
        self.assertEqual(subsidiary.client_balance_list, self.currency.format(40.0))

    def test_one_query_for_a_page(self):
        """Reading the column costs as many queries for 80 partners as for
        one: one grouped query, no query per row."""
        for partner in self.partners[:20]:
            self._topup(self._open(partner=partner), 10.0)
        self.env.flush_all()

        def queries(partners):
            self.env.invalidate_all()
            partners = partners.with_user(self.user_front_desk)
            partners.mapped("name")  # the page's own fields, read by the list anyway
            before = self.env.cr.sql_log_count
            partners.mapped("client_balance_list")
            return self.env.cr.sql_log_count - before

        queries(self.partners[1:2])  # warm Odoo's caches (languages, access rights)
        one = queries(self.partners[:1])
        self.assertLessEqual(one, 8)
        self.assertEqual(queries(self.partners), one)
        self.env.invalidate_all()
        page = self.partners.with_user(self.user_front_desk)
        page.mapped("name")
        with self.assertQueryCount(one):
            page.mapped("client_balance_list")
