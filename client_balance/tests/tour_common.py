import base64
import os
import re

from odoo import Command
from odoo.service import server
from odoo.tests import HttpCase, new_test_user
from odoo.tests.common import ChromeBrowser

SCREENSHOT_SIGNAL = "client_balance_screenshot:"
SCREENSHOT_NAME = re.compile(r"^[a-z0-9_]+$")


class TourScreenshots:
    """Pictures for the manual, taken by tours (a mixin of HttpCase classes).

    With the environment variable ``CLIENT_BALANCE_SCREENSHOTS`` set to a
    folder, the tours' ``screenshot(name)`` steps save ``name.png`` there, the
    browser window at ``browser_size``: ``./dev screenshots`` makes the
    manual's pictures so. Without it those steps are left out of the tours."""

    browser_size = "1280x800"

    def _setup_screenshots(self):
        self.screenshot_dir = os.environ.get("CLIENT_BALANCE_SCREENSHOTS")
        if self.screenshot_dir:
            os.makedirs(self.screenshot_dir, exist_ok=True)
            self._patch_console_for_screenshots()

    def _screenshot_cookies(self, kwargs):
        """The tour's keyword arguments, with the cookie that makes the tours
        take their pictures when they are asked for."""
        if self.screenshot_dir:
            kwargs["cookies"] = dict(kwargs.get("cookies") or {}, client_balance_screenshots="1")
        return kwargs

    def _patch_console_for_screenshots(self):
        handle_console = ChromeBrowser._handle_console
        case = self

        def patched(browser, type, args=None, stackTrace=None, **kw):  # pylint: disable=redefined-builtin
            if type == "log" and args:
                message = str(browser._from_remoteobject(args[0]))
                if message.startswith(SCREENSHOT_SIGNAL):
                    case._take_screenshot(browser, message[len(SCREENSHOT_SIGNAL) :])
            return handle_console(browser, type, args=args, stackTrace=stackTrace, **kw)

        self.patch(ChromeBrowser, "_handle_console", patched)

    def _take_screenshot(self, browser, name):
        """Capture the window, save it, then tell the tour it may go on (the
        step after the signal waits for a class on the body). Runs in the
        browser's event thread: nothing here may wait for Chrome's answer."""
        if not SCREENSHOT_NAME.match(name):
            browser._websocket_send(
                "Runtime.evaluate",
                params={"expression": f"console.error({'bad screenshot name ' + name!r})"},
            )
            return
        path = os.path.join(self.screenshot_dir, f"{name}.png")

        def save(future):
            try:
                data = base64.b64decode(future.result(timeout=0)["data"], validate=True)
            except Exception as error:
                message = f"screenshot {name} failed: {error}"
                expression = f"console.error({message!r})"
            else:
                with open(path, "wb") as image:
                    image.write(data)
                self._logger.info("screenshot %s saved", path)
                expression = f"document.body.classList.add('o_client_balance_shot_{name}')"
            browser._websocket_send("Runtime.evaluate", params={"expression": expression})

        future = browser._websocket_send("Page.captureScreenshot", with_future=True)
        future.add_done_callback(save)


class ClientBalanceTourCase(TourScreenshots, HttpCase):
    """A workflow clicked in a headless browser (an Odoo tour), as a user with
    the lowest right that should be enough for it. Needs Odoo's HTTP server:
    ``./dev test`` runs these with Odoo's own test runner (step 4)."""

    def setUp(self):
        super().setUp()
        if not server.server:
            self.skipTest("needs Odoo's HTTP server: run by Odoo's test runner")
        # ./dev test gives invoicing users the Pay from Balance group for
        # Odoo's own tests: the tours' users have exactly the groups given.
        invoicing = self.env.ref("account.group_account_invoice")
        invoicing.implied_ids -= self.env.ref("client_balance.client_balance_group_spend")
        # A printed document is downloaded the same way with or without
        # wkhtmltopdf on the machine (Odoo renders HTML in tests anyway).
        self.patch(type(self.env["ir.actions.report"]), "get_wkhtmltopdf_state", lambda _self: "ok")
        self._setup_screenshots()

    def start_workflow_tour(self, url, tour, login, **kwargs):
        """``start_tour``, with the screenshots' cookie when they are asked for."""
        kwargs.setdefault("timeout", 180)
        self.start_tour(url, tour, login=login, **self._screenshot_cookies(kwargs))

    def _user(self, login, groups, **values):
        """An internal user with exactly these groups (xml ids), in the main
        company, password = login."""
        return new_test_user(
            self.env,
            login=login,
            groups=",".join(groups),
            name=values.pop("name", login.replace("_", " ").title()),
            **values,
        )

    def _client(self, name, **values):
        return self.env["res.partner"].create(dict({"name": name}, **values))

    def _account(self, client, balance_type=None, topup=0.0):
        """The client's account of ``balance_type`` (Deposits by default),
        topped up by ``topup`` at the bank."""
        balance_type = balance_type or self.env.ref("client_balance.client_balance_type_deposits")
        account = self.env["client.balance.account"].browse(
            client.client_balance_open(balance_type.id)
        )
        if topup:
            account.topup(topup, self._bank_journal().id)
        return account

    def _liability(self, move, account):
        """The items of ``move`` on the liability account of ``account``."""
        return move.line_ids.filtered(lambda line: line.account_id == account.liability_account_id)

    def _bank_journal(self):
        return self.env["account.journal"].search(
            [("type", "=", "bank"), ("company_id", "=", self.env.company.id)], limit=1
        )

    def _invoice(self, partner, amount, name="Services", post=True):
        invoice = self.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": partner.id,
                "invoice_line_ids": [
                    Command.create({"name": name, "price_unit": amount, "tax_ids": []})
                ],
            }
        )
        if post:
            invoice.action_post()
        return invoice
