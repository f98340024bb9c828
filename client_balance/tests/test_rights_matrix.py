import json
import xmlrpc.client

from odoo.service import server
from odoo.tests import HttpCase, new_test_user, tagged

# Who calls: not logged in, a portal user of the client, a portal user of
# another client, an internal user with invoicing rights and no client
# balance right, the three client balance levels (User, Pay from Balance, Manager), and a manager of
# another company only.
CALLERS = (
    "public",
    "portal",
    "portal_other",
    "internal",
    "user",
    "pay",
    "manager",
    "manager_other_company",
)

# Every public method of the integration contract (README, "Integration")
# against every caller: A allowed, R refused with an AccessError (for the
# public caller, with Odoo's "access denied"). A refused call writes nothing.
# The manager of another company opens accounts in its own company, reads
# only its own company's accounts (an empty summary) and looks client cards
# up (a staff allowance is the employer's, whichever company serves).
MATRIX = {
    #                                   pub  port  other int  user pay  man  man2
    "client_balance_open": "R R R R A A A A",
    "client_balance_summary": "R R R R A A A A",
    "topup": "R R R R A A A R",
    "spend": "R R R R R A A R",
    "adjust": "R R R R R R A R",
    "payout": "R R R R R R A R",
    "transfer": "R R R R R A A R",
    "client_balance_refund_to_balance": "R R R R R A A R",
    "request_deposit": "R R R R A A A R",
    "client_balance_card_lookup": "R R R R A A A A",
    "client_balance_card_charge": "R R R R R A A R",
    "reverse": "R R R R R R A R",
    "check_integrity": "R R R R R R A R",
    "register_payment_credit_difference": "R R R R R A A R",
    "register_payment_debit": "R R R R R A A R",
    "register_payment_refund": "R R R R R A A R",
}

# What an allowed call writes: (column of the snapshot, how many more), the
# columns being operations, client accounts, journal entries, payments and
# allowance charges; a reading method writes nothing.
EFFECTS = {
    "client_balance_open": (1, 1),
    "topup": (0, 1),
    "spend": (0, 1),
    "adjust": (0, 1),
    "payout": (0, 1),
    "transfer": (0, 2),
    "client_balance_refund_to_balance": (0, 1),
    "request_deposit": (2, 1),
    "client_balance_card_charge": (4, 1),
    "reverse": (0, 1),
    "register_payment_credit_difference": (0, 1),
    "register_payment_debit": (0, 1),
    "register_payment_refund": (0, 1),
}

# Methods of the guarded path and its helpers: no caller reaches them.
PRIVATE = (
    ("client.balance.operation", "_book"),
    ("client.balance.operation", "_book_batch"),
    ("client.balance.operation", "_lock_accounts"),
    ("client.balance.operation", "_create_entry"),
    ("client.balance.operation", "_check_available"),
    ("client.balance.account", "_recompute_balance"),
    ("client.balance.account", "_open_accounts"),
    ("account.move", "_client_balance_book_credit"),
    ("res.partner", "_client_balance_charge"),
)


@tagged("post_install", "-at_install")
class TestRightsMatrix(HttpCase):
    """Each public method over XML-RPC as each kind of caller, against the
    matrix above. Needs Odoo's HTTP server: ``./dev test`` runs it with
    Odoo's own test runner."""

    def setUp(self):
        super().setUp()
        if not server.server:
            self.skipTest("needs Odoo's HTTP server: run by Odoo's test runner")
        env = self.env(user=self.env.ref("base.user_admin"))
        self.admin_env = env
        self.company = env.company
        self.deposits = env.ref("client_balance.client_balance_type_deposits")
        journals = env["account.journal"].search([("company_id", "=", self.company.id)])
        self.bank = journals.filtered(lambda journal: journal.type == "bank")[:1]
        self.cash = journals.filtered(lambda journal: journal.type == "cash")[:1]
        self.income = env["account.account"].search(
            [("account_type", "=", "income"), ("company_ids", "in", self.company.ids)], limit=1
        )
        Partner = env["res.partner"]
        self.client = Partner.create({"name": "Matrix Client", "is_company": True})
        self.other_client = Partner.create({"name": "Matrix Other Client", "is_company": True})
        self.account = env["client.balance.account"].browse(
            self.client.client_balance_open(self.deposits.id)
        )
        self.other_account = env["client.balance.account"].browse(
            self.other_client.client_balance_open(self.deposits.id)
        )
        self.account.topup(100000.0, self.bank.id)
        self.canteen = Partner.create(
            {
                "name": "Matrix Canteen Client",
                "is_company": True,
                "client_balance_allowance_enabled": True,
                "client_balance_allowance_period": "day",
                "client_balance_allowance_limit": 100000.0,
                "client_balance_allowance_date_start": "2020-01-01",
            }
        )
        self.employee = Partner.create(
            {
                "name": "Matrix Employee",
                "parent_id": self.canteen.id,
                "client_balance_card_code": "MATRIX-CARD-1",
            }
        )
        # Every internal caller has Odoo's invoicing rights, as front desks
        # and cashiers do; ./dev test makes them imply Pay from Balance for
        # Odoo's own Register Payment tests: not here.
        invoicing = "account.group_account_invoice"
        env.ref(invoicing).implied_ids -= env.ref("client_balance.client_balance_group_spend")
        self.other_company = env["res.company"].create({"name": "Matrix Other Company"})
        env["account.chart.template"].try_loading(
            "generic_coa", company=self.other_company, install_demo=False
        )
        self.users = {
            "portal": self._user("cb_matrix_portal", "base.group_portal", self.client),
            "portal_other": self._user(
                "cb_matrix_portal_other", "base.group_portal", self.other_client
            ),
            "internal": self._user("cb_matrix_internal", invoicing),
            "user": self._user(
                "cb_matrix_user", f"{invoicing},client_balance.client_balance_group_user"
            ),
            "pay": self._user(
                "cb_matrix_pay", f"{invoicing},client_balance.client_balance_group_spend"
            ),
            "manager": self._user(
                "cb_matrix_manager",
                "account.group_account_manager,client_balance.client_balance_group_manager",
            ),
            "manager_other_company": self._user(
                "cb_matrix_manager_b",
                "account.group_account_manager,client_balance.client_balance_group_manager",
                company=self.other_company,
            ),
        }

    def _user(self, login, groups, parent=None, company=None):
        company = company or self.company
        user = new_test_user(
            self.admin_env,
            login=login,
            groups=groups,
            company_id=company.id,
            company_ids=company.ids,
        )
        if parent:
            user.partner_id.parent_id = parent
        return user

    # What each method needs, made fresh for each call (as the
    # administrator), and the call itself: (model, method, args, kwargs).

    def _invoice(self, amount, partner=None, move_type="out_invoice"):
        invoice = self.admin_env["account.move"].create(
            {
                "move_type": move_type,
                "partner_id": (partner or self.client).id,
                "invoice_line_ids": [
                    (0, 0, {"name": "Matrix service", "price_unit": amount, "tax_ids": []})
                ],
            }
        )
        invoice.action_post()
        return invoice

    def _register(self, invoice, values):
        context = {"active_model": "account.move", "active_ids": invoice.ids}
        return ("account.payment.register", "create", [values], {"context": context})

    def _prepare(self, method):
        account = self.account.id
        if method == "client_balance_open":
            newcomer = self.admin_env["res.partner"].create({"name": "Matrix Newcomer"})
            return ("res.partner", method, [newcomer.ids, self.deposits.id], {})
        if method == "client_balance_summary":
            return ("res.partner", method, [[self.client.id]], {})
        if method == "topup":
            return ("client.balance.account", method, [[account], 10.0, self.bank.id], {})
        if method == "spend":
            invoice = self._invoice(10.0)
            return ("client.balance.account", method, [[account], invoice.id], {})
        if method == "adjust":
            args = [[account], 5.0, self.income.id, "Matrix adjustment"]
            return ("client.balance.account", method, args, {})
        if method == "payout":
            return ("client.balance.account", method, [[account], 5.0, self.cash.id], {})
        if method == "transfer":
            args = [[account], self.other_account.id, 5.0]
            return ("client.balance.account", method, args, {})
        if method == "client_balance_refund_to_balance":
            refund = self._invoice(10.0, move_type="out_refund")
            return ("account.move", method, [refund.ids], {})
        if method == "request_deposit":
            return ("client.balance.account", method, [[account], 50.0], {})
        if method == "client_balance_card_lookup":
            return ("res.partner", method, ["MATRIX-CARD-1"], {})
        if method == "client_balance_card_charge":
            meal = self._invoice(5.0, partner=self.employee)
            return ("res.partner", method, ["MATRIX-CARD-1", meal.id], {})
        if method == "reverse":
            operation = self.account.topup(1.0, self.bank.id)
            return ("client.balance.operation", method, [[operation]], {})
        if method == "check_integrity":
            return ("client.balance.account", method, [], {"company_ids": self.company.ids})
        if method == "register_payment_credit_difference":
            invoice = self._invoice(10.0)
            values = {"amount": 12.0, "client_balance_credit_difference": True}
            return self._register(invoice, values)
        if method == "register_payment_debit":
            invoice = self._invoice(10.0)
            return self._register(invoice, {"amount": 8.0, "client_balance_debit": True})
        if method == "register_payment_refund":
            refund = self._invoice(10.0, move_type="out_refund")
            return self._register(refund, {"client_balance_refund": True})
        raise AssertionError(method)

    def _snapshot(self):
        """What a refused call must leave as it was."""
        self.env.flush_all()
        self.env.cr.execute(
            """
            SELECT (SELECT COUNT(*) FROM client_balance_operation),
                   (SELECT COUNT(*) FROM client_balance_account),
                   (SELECT COUNT(*) FROM account_move),
                   (SELECT COUNT(*) FROM account_payment),
                   (SELECT COUNT(*) FROM client_balance_allowance_charge),
                   (SELECT COALESCE(SUM(balance), 0) FROM client_balance_account)
            """
        )
        return self.env.cr.fetchone()

    def _call(self, caller, model, method, args, kwargs):
        """Call over XML-RPC as ``caller``; the wizard of Register Payment is
        created, then confirmed, as a web client does."""
        db = self.env.cr.dbname
        if caller == "public":
            uid, password = self.env.ref("base.public_user").id, "not a password"
        else:
            user = self.users[caller]
            uid, password = user.id, user.login
        result = self.xmlrpc_object.execute_kw(db, uid, password, model, method, args, kwargs)
        if model == "account.payment.register":
            self.xmlrpc_object.execute_kw(
                db, uid, password, model, "action_create_payments", [[result]], kwargs
            )
        return result

    def test_rights_matrix(self):
        cells = 0
        for method, row in MATRIX.items():
            expected_row = row.split()
            self.assertEqual(len(expected_row), len(CALLERS), method)
            for caller, expected in zip(CALLERS, expected_row, strict=True):
                with self.subTest(method=method, caller=caller):
                    model, name, args, kwargs = self._prepare(method)
                    before = self._snapshot()
                    try:
                        result = self._call(caller, model, name, args, kwargs)
                    except xmlrpc.client.Fault as fault:
                        self.env.invalidate_all()
                        self.assertEqual(
                            expected, "R", f"refused: {fault.faultString.splitlines()[-1]}"
                        )
                        code = 3 if caller == "public" else 4
                        self.assertEqual(
                            fault.faultCode, code, f"an access error: {fault.faultString[-300:]}"
                        )
                        self.assertEqual(self._snapshot(), before, "a refused call writes nothing")
                    else:
                        self.env.invalidate_all()
                        self.assertEqual(expected, "A", f"allowed, returned {result!r}")
                        after = self._snapshot()
                        column, more = EFFECTS.get(method, (0, 0))
                        self.assertEqual(after[column], before[column] + more, "what it wrote")
                        if method not in EFFECTS:
                            self.assertEqual(after, before, "a reading method writes nothing")
                        if caller == "manager_other_company" and method.endswith("summary"):
                            self.assertEqual(result, [], "nothing of another company's books")
                        if caller == "manager_other_company" and method.endswith("open"):
                            opened = self.admin_env["client.balance.account"].browse(result)
                            self.assertEqual(opened.company_id, self.other_company)
                    cells += 1
        self.assertEqual(cells, len(MATRIX) * len(CALLERS))

    def test_private_methods_unreachable(self):
        manager = self.users["manager"]
        db = self.env.cr.dbname
        for model, method in PRIVATE:
            with self.subTest(model=model, method=method):
                before = self._snapshot()
                with self.assertRaises(xmlrpc.client.Fault) as caught:
                    self.xmlrpc_object.execute_kw(
                        db, manager.id, manager.login, model, method, [[]], {}
                    )
                self.assertEqual(caught.exception.faultCode, 4)
                self.assertIn("cannot be called remotely", caught.exception.faultString)
                self.assertEqual(self._snapshot(), before)

    def _json_call(self, model, method, args, kwargs=None):
        response = self.url_open(
            f"/web/dataset/call_kw/{model}/{method}",
            data=json.dumps(
                {
                    "jsonrpc": "2.0",
                    "method": "call",
                    "params": {
                        "model": model,
                        "method": method,
                        "args": args,
                        "kwargs": kwargs or {},
                    },
                }
            ),
            headers={"Content-Type": "application/json"},
        )
        self.assertEqual(response.status_code, 200)
        return response.json()

    def test_json_rpc(self):
        """The web client's JSON-RPC route refuses the same callers: without
        a session, and as a portal user or an internal user without the
        right; as the cashier it books."""
        before = self._snapshot()
        reply = self._json_call(
            "client.balance.account", "topup", [[self.account.id], 10.0, self.bank.id]
        )
        self.assertEqual(reply["error"]["data"]["name"], "odoo.http.SessionExpiredException")
        self.assertEqual(self._snapshot(), before, "a refused call writes nothing")
        for caller in ("portal", "internal", "user"):
            self.authenticate(self.users[caller].login, self.users[caller].login)
            invoice = self._invoice(10.0)
            before = self._snapshot()
            reply = self._json_call(
                "client.balance.account", "spend", [[self.account.id], invoice.id]
            )
            self.assertEqual(reply["error"]["data"]["name"], "odoo.exceptions.AccessError", caller)
            self.assertEqual(self._snapshot(), before, "a refused call writes nothing")
        self.authenticate(self.users["pay"].login, self.users["pay"].login)
        reply = self._json_call(
            "client.balance.account", "spend", [[self.account.id], self._invoice(10.0).id]
        )
        self.assertIsInstance(reply.get("result"), int, reply)
