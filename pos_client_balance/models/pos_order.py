from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import UserError

from odoo.addons.client_balance.models.client_balance_operation import cursor_flag, cursor_flagged

from .pos_payment import server_writing, strip_booking_fields

ORDER_BOOKING_FIELDS = ("client_balance_state", "client_balance_hold_reason")
# An order in these states has taken its payments: its balance movements are
# booked.
PAID_STATES = ("paid", "done", "invoiced")


class PosOrder(models.Model):
    _name = "pos.order"
    # Orders whose balance payment is kept aside get an activity for a
    # manager.
    _inherit = ["pos.order", "mail.activity.mixin"]

    client_balance_state = fields.Selection(
        [
            ("booked", "Booked"),
            ("held", "Kept Aside"),
            ("charged", "Charged to Receivable"),
        ],
        string="Client Balance",
        readonly=True,
        copy=False,
        index="btree_not_null",
        help="Booked: the order's client balance payments were taken from the balance when it "
        "reached the server. Kept aside: they no longer fitted when the order reached the "
        "server (an order made offline), and wait for a manager. Charged to receivable: a "
        "manager charged them to the customer's receivable instead.",
    )
    client_balance_hold_reason = fields.Text(
        string="Kept Aside Because",
        readonly=True,
        copy=False,
    )

    @api.model_create_multi
    def create(self, vals_list):
        orders = super().create(
            [strip_booking_fields(self.env, vals, ORDER_BOOKING_FIELDS) for vals in vals_list]
        )
        # An order created paid other than by a till's synchronisation (which
        # books it once its payments are processed) is booked at once.
        if not self._client_balance_syncing():
            for order in orders.filtered(lambda order: order.state in PAID_STATES):
                order._client_balance_book_payments()
        return orders

    def write(self, vals):
        vals = strip_booking_fields(self.env, vals, ORDER_BOOKING_FIELDS)
        if vals.get("state") in ("draft", "cancel"):
            for order in self:
                if order._client_balance_movements():
                    raise UserError(
                        self.env._(
                            "%(order)s has moved client balances: it stays paid. Refund it "
                            "instead.",
                            order=order.name,
                        )
                    )
        result = super().write(vals)
        # Paid other than by a till's synchronisation (action_pos_order_paid
        # called over RPC, say): booked now. Later states (the closing marks
        # every order done) find it booked already.
        if vals.get("state") == "paid" and not self._client_balance_syncing():
            for order in self:
                order._client_balance_book_payments()
        return result

    @api.ondelete(at_uninstall=False)
    def _unlink_except_client_balance_moved(self):
        for order in self:
            if order._client_balance_movements():
                raise UserError(
                    self.env._(
                        "%(order)s has moved client balances: it cannot be deleted. Refund it "
                        "instead.",
                        order=order.name,
                    )
                )

    def _client_balance_write(self, vals):
        with server_writing(self.env):
            self.sudo().write(vals)

    def _client_balance_movements(self):
        """The operations this order booked."""
        self.ensure_one()
        order = self.sudo()
        return (
            order.payment_ids.client_balance_operation_id | order.lines.client_balance_operation_id
        )

    # ------------------------------------------------------------------
    # Booking when the order reaches the server
    # ------------------------------------------------------------------

    @api.model
    def sync_from_ui(self, orders):
        # The till names, in the context, the order its cashier is validating
        # now (client_balance_validating: uuids): a balance payment of that
        # order that does not fit is refused for the cashier to see; others
        # (made offline, synced later) are kept aside instead of failing
        # every later synchronisation. The orders are booked once their
        # payments are processed (_process_saved_order).
        with cursor_flag(self.env.cr, "pos_client_balance_sync"):
            return super().sync_from_ui(orders)

    @api.model
    def _client_balance_syncing(self):
        return cursor_flagged(self.env.cr, "pos_client_balance_sync")

    def _process_saved_order(self, draft):
        booking = not draft and self.state != "cancel"
        if booking:
            if self._client_balance_allowance_payments() and not self.to_invoice:
                # The company's share stays due on the invoice, as for any
                # charge to a staff allowance.
                self.to_invoice = True
            self._client_balance_book_payments()
        result = super()._process_saved_order(draft)
        if booking and self.client_balance_state == "booked":
            self._client_balance_charge_allowance()
        return result

    def _client_balance_payments(self):
        """The balance payments of this order not booked yet."""
        self.ensure_one()
        return self.sudo().payment_ids.filtered(
            lambda payment: (
                payment.payment_method_id.client_balance_type_id
                and not payment.client_balance_operation_id
                and not self.currency_id.is_zero(payment.amount)
            )
        )

    def _client_balance_allowance_payments(self):
        """The staff allowance payments of this order."""
        self.ensure_one()
        return self.sudo().payment_ids.filtered(
            lambda payment: (
                payment.payment_method_id.client_balance_allowance
                and not self.currency_id.is_zero(payment.amount)
            )
        )

    def _client_balance_credit_lines(self):
        """The lines of this order selling client balance credit, not booked
        yet. An invoiced order's credit is booked by its invoice."""
        self.ensure_one()
        if self.to_invoice:
            return self.env["pos.order.line"]
        return self.sudo().lines.filtered(
            lambda line: (
                line.product_id.client_balance_credit and not line.client_balance_operation_id
            )
        )

    def _client_balance_book_payments(self, hold=True):
        """Book this paid order's movements of client balances, all or none:
        the credit its lines sell, its balance payments, its staff allowance
        share. What no till can send (a balance line of the wrong sign, more
        than the total, no customer) is refused. What does not fit the
        balance or the allowance now raises for the cashier validating the
        order; when the order reaches the server later (``hold``), it is kept
        aside for a manager."""
        self.ensure_one()
        if hold and self.client_balance_state == "held":
            return
        credit_lines = self._client_balance_credit_lines()
        payments = self._client_balance_payments()
        allowance = self._client_balance_allowance_payments()
        if allowance and self._client_balance_charge():
            allowance = self.env["pos.payment"]
        if not (credit_lines or payments or allowance):
            return
        self._client_balance_check_order(credit_lines, allowance)
        try:
            with self.env.cr.savepoint():
                if credit_lines and not self._is_pos_order_paid():
                    raise UserError(
                        self.env._(
                            "%(order)s is not fully paid: the client balance credit it sells is "
                            "not given.",
                            order=self.name,
                        )
                    )
                # Every account this order moves, locked in id order: two
                # orders moving the same accounts cannot deadlock.
                accounts = {
                    line: line._client_balance_credit_account() for line in credit_lines
                } | {
                    payment: payment._client_balance_account(credit=payment.amount < 0)
                    for payment in payments
                }
                if accounts:
                    self.env["client.balance.operation"]._lock_accounts(
                        self.env["client.balance.account"]
                        .sudo()
                        .union(*accounts.values())
                        .sorted("id")
                    )
                for line in credit_lines.sorted("id"):
                    line._client_balance_book_credit()
                # The accounts this order sells credit to: not paid from.
                credited = (
                    self.sudo()
                    .lines.client_balance_operation_id.filtered(
                        lambda operation: operation.amount > 0
                    )
                    .account_id
                )
                for payment in payments.sorted("id"):
                    payment._client_balance_book(not_from=credited)
                if allowance:
                    self._client_balance_check_allowance(allowance)
        except UserError as error:
            if not (hold and self._client_balance_may_hold()):
                raise
            self._client_balance_hold(error.args[0])
            return
        self._client_balance_write(
            {"client_balance_state": "booked", "client_balance_hold_reason": False}
        )

    def _client_balance_check_order(self, credit_lines, allowance):
        """What no till sends, refused whenever the order arrives: balance or
        allowance lines without a customer, of the wrong sign or beyond the
        total; a refund to a balance of what was not sold to that customer."""
        self.ensure_one()
        currency = self.currency_id
        balance = self.sudo().payment_ids.filtered("payment_method_id.client_balance_type_id")
        if (balance or allowance or credit_lines) and not self.partner_id:
            method = (balance | allowance).payment_method_id[:1]
            raise UserError(
                self.env._(
                    "%(what)s moves a client balance or allowance: choose the customer of the "
                    "order first.",
                    what=method.display_name or credit_lines.product_id[:1].display_name,
                )
            )
        if balance:
            self._client_balance_check_payments(balance)
        if allowance:
            self._client_balance_check_allowance_order(allowance)
        if any(currency.compare_amounts(payment.amount, 0) < 0 for payment in balance):
            self._client_balance_check_refund()

    def _client_balance_check_refund(self):
        """Money given to a balance by a refund: for products of an earlier
        order of the same client, no more of them than were sold."""
        self.ensure_one()
        lines = self.sudo().lines
        originals = lines.refunded_orderline_id
        client = self.partner_id.commercial_partner_id
        if (
            not lines
            or not all(lines.mapped("refunded_orderline_id"))
            or originals.order_id.partner_id.commercial_partner_id != client
            or any(
                original.currency_id.compare_amounts(original.refunded_qty, original.qty) > 0
                for original in originals
            )
        ):
            raise UserError(
                self.env._(
                    "%(order)s: a refund gives money to %(client)s's balance only for products "
                    "of an earlier order of theirs, no more than were sold. Refund in cash or by "
                    "card otherwise.",
                    order=self.name,
                    client=client.display_name,
                )
            )

    # ------------------------------------------------------------------
    # Staff allowance
    # ------------------------------------------------------------------

    def _client_balance_check_payments(self, payments):
        """A sale is paid from the balance by positive amounts, at most its
        total; a refund gives back negative ones, at most its total."""
        self.ensure_one()
        currency = self.currency_id
        refund = currency.compare_amounts(self.amount_total, 0) < 0
        total = sum(payments.mapped("amount"))
        if any(
            currency.compare_amounts(payment.amount, 0) and (payment.amount > 0) == refund
            for payment in payments
        ):
            raise UserError(
                self.env._(
                    "%(order)s: a refund gives money back to the balance and a sale takes it "
                    "from the balance; a balance payment line of the other sign is refused.",
                    order=self.name,
                )
            )
        if currency.compare_amounts(abs(total), abs(self.amount_total)) > 0:
            raise UserError(
                self.env._(
                    "%(order)s: %(paid)s from the balance is more than the order's total of "
                    "%(total)s. Pay at most the total from the balance.",
                    order=self.name,
                    paid=currency.format(abs(total)),
                    total=currency.format(abs(self.amount_total)),
                )
            )

    def _client_balance_check_allowance_order(self, payments):
        """A staff allowance pays a sale of a person whose company has one, in
        its currency, at most the order's total."""
        self.ensure_one()
        currency = self.currency_id
        person = self.partner_id.sudo()
        method = payments.payment_method_id[:1]
        self.env["res.partner"]._client_balance_check_allowance_enabled(person)
        employer = person.commercial_partner_id
        if any(currency.compare_amounts(payment.amount, 0) < 0 for payment in payments):
            raise UserError(
                self.env._(
                    "%(method)s pays sales only: refund the order in cash or by card, and cancel "
                    "its charge under Client Balances > Staff Allowance Charges.",
                    method=method.display_name,
                )
            )
        allowance_currency = employer.client_balance_allowance_currency_id
        if currency != allowance_currency:
            raise UserError(
                self.env._(
                    "The allowance of %(company)s is in %(allowance_currency)s and this till sells "
                    "in %(currency)s.",
                    company=employer.display_name,
                    allowance_currency=allowance_currency.name,
                    currency=currency.name,
                )
            )
        if currency.compare_amounts(sum(payments.mapped("amount")), self.amount_total) > 0:
            raise UserError(
                self.env._(
                    "%(order)s: the allowance pays at most the order's total of %(total)s.",
                    order=self.name,
                    total=currency.format(self.amount_total),
                )
            )

    def _client_balance_check_allowance(self, payments):
        """The company's share fits what remains of the person's limit for
        the period (the card's row locked, so that two tills cannot both
        take the last of it); returns the allowance's state."""
        self.ensure_one()
        currency = self.currency_id
        person = self.partner_id.sudo()
        employer = person.commercial_partner_id
        Partner = self.env["res.partner"].sudo()
        Partner._client_balance_lock_card(person)
        today = Partner._client_balance_today(self.company_id)
        Partner._client_balance_check_allowance_dates(person, today)
        state = Partner._client_balance_card_state(person, today)
        if currency.compare_amounts(sum(payments.mapped("amount")), state["remaining"]) > 0:
            raise UserError(
                self.env._(
                    "%(person)s has %(remaining)s left of the allowance of %(company)s for this "
                    "period: the company pays at most that, %(person)s pays the rest.",
                    person=person.display_name,
                    remaining=currency.format(state["remaining"]),
                    company=employer.display_name,
                )
            )
        return state

    def _client_balance_charge(self):
        return (
            self.env["client.balance.allowance.charge"]
            .sudo()
            .search([("pos_order_id", "=", self.id)], limit=1)
        )

    def _client_balance_charge_allowance(self):
        """Record the charge of this order's staff allowance payments: the
        company's share stays due on its invoice, the person paid the rest
        at the till."""
        self.ensure_one()
        payments = self._client_balance_allowance_payments()
        invoice = self.sudo().account_move
        if not payments or not invoice or self._client_balance_charge():
            return
        Partner = self.env["res.partner"].sudo()
        person = self.partner_id.sudo()
        employer = person.commercial_partner_id
        today = Partner._client_balance_today(self.company_id)
        state = Partner._client_balance_card_state(person, today)
        currency = self.currency_id
        share = currency.round(sum(payments.mapped("amount")))
        self.env["client.balance.allowance.charge"].sudo().create(
            {
                "person_id": person.id,
                "employer_id": employer.id,
                "company_id": self.company_id.id,
                "currency_id": currency.id,
                "invoice_id": invoice.id,
                "pos_order_id": self.id,
                "date": today,
                "period": employer.client_balance_allowance_period,
                "period_start": state["period_start"],
                "period_end": state["period_end"],
                "amount_total": self.amount_total,
                "company_share": share,
                "person_share": currency.round(self.amount_total - share),
                "user_id": self.env.uid,
            }
        )
        with server_writing(self.env):
            payments.write(
                {"client_balance_after": currency.round(max(state["remaining"] - share, 0.0))}
            )

    def _client_balance_may_hold(self):
        """This order reached the server on its own (a synchronisation of an
        order made earlier), not while its cashier validates it."""
        self.ensure_one()
        return self._client_balance_syncing() and self.uuid not in (
            self.env.context.get("client_balance_validating") or ()
        )

    def _client_balance_hold(self, reason):
        self.ensure_one()
        self._client_balance_write(
            {"client_balance_state": "held", "client_balance_hold_reason": reason}
        )
        note = self.env._(
            "The client balance payment of this order was not booked when the order reached "
            "the server: %(reason)s It is kept aside: book it once the balance allows it, or "
            "charge it to the customer's receivable.",
            reason=reason,
        )
        order = self.sudo()
        order.message_post(body=note)
        order.activity_schedule(
            "mail.mail_activity_data_todo",
            user_id=self._client_balance_responsible().id,
            summary=self.env._("Client balance payment kept aside"),
            note=Markup("<p>%s</p>") % note,
        )

    def _client_balance_responsible(self):
        """Who is asked to settle a payment kept aside: the session's
        responsible when they manage client balances, else the first such
        manager of the company."""
        self.ensure_one()
        group = self.env.ref("client_balance.client_balance_group_manager")
        managers = group.sudo().users.filtered(
            lambda user: self.company_id in user.company_ids and user.active and not user.share
        )
        user = self.session_id.user_id
        return user if user in managers else (managers.sorted("id")[:1] or user)

    # ------------------------------------------------------------------
    # Orders kept aside: a manager settles them
    # ------------------------------------------------------------------

    def _client_balance_check_held(self):
        self.env["client.balance.account"]._check_group(
            "client_balance.client_balance_group_manager"
        )
        for order in self:
            if order.client_balance_state != "held":
                raise UserError(
                    self.env._(
                        "%(order)s has no client balance payment kept aside.", order=order.name
                    )
                )

    def action_pos_order_invoice(self):
        for order in self:
            if order.sudo().lines.client_balance_operation_id:
                raise UserError(
                    self.env._(
                        "The client balance credit %(order)s sold is on the balance already: "
                        "the order cannot be invoiced afterwards. Invoice the sale of credit at "
                        "the till, or sell it on an invoice.",
                        order=order.name,
                    )
                )
        return super().action_pos_order_invoice()

    def action_client_balance_book(self):
        """Book the payments kept aside from the balance now (the client has
        topped it up, say), as they would have been at the till."""
        self._client_balance_check_held()
        for order in self:
            order._client_balance_book_payments(hold=False)
            order._client_balance_write({"client_balance_state": "booked"})
            order._client_balance_charge_allowance()
            order.session_id._client_balance_reconcile_clearing(
                order._client_balance_movements().move_id.line_ids
            )
            order._client_balance_settled()
        return True

    def action_client_balance_charge_receivable(self):
        """Charge the payments kept aside to the customer's receivable: the
        client owes them as any unpaid sale (Dr receivable / Cr the method's
        clearing account), and Odoo's follow-up takes it from there. A staff
        allowance's share kept aside is charged to the company."""
        self._client_balance_check_held()
        for order in self:
            # The credit the order sells is the customer's all the same.
            for line in order._client_balance_credit_lines().sorted("id"):
                line._client_balance_book_credit()
            order.session_id._client_balance_reconcile_clearing(
                order._client_balance_movements().move_id.line_ids
            )
            if order._client_balance_payments():
                order._client_balance_charge_receivable()
            # A staff allowance's share is on the company's receivable
            # already (the order's invoice): the charge records that the
            # company takes it, beyond its limit.
            order._client_balance_charge_allowance()
            order._client_balance_write({"client_balance_state": "charged"})
            order._client_balance_settled()
        return True

    def _client_balance_charge_receivable(self):
        self.ensure_one()
        order = self.sudo()
        payments = order._client_balance_payments()
        partner = self.env["res.partner"]._find_accounting_partner(order.partner_id)
        if not partner:
            raise UserError(
                self.env._(
                    "%(order)s has no customer: there is no receivable to charge.",
                    order=order.name,
                )
            )
        receivable = partner.with_company(order.company_id).property_account_receivable_id
        currency = order.currency_id
        company = order.company_id
        lines = []
        for payment in payments:
            clearing = payment.payment_method_id._client_balance_clearing_account(company)
            balance = currency._convert(
                payment.amount, company.currency_id, company, fields.Date.context_today(self)
            )
            common = {"currency_id": currency.id, "name": order.name}
            lines += [
                {
                    **common,
                    "account_id": receivable.id,
                    "partner_id": partner.id,
                    "amount_currency": payment.amount,
                    "balance": balance,
                },
                {
                    **common,
                    "account_id": clearing.id,
                    "amount_currency": -payment.amount,
                    "balance": -balance,
                },
            ]
        move = (
            self.env["account.move"]
            .sudo()
            .with_company(company)
            .create(
                {
                    "move_type": "entry",
                    "journal_id": order.session_id.config_id.journal_id.id,
                    "date": fields.Date.context_today(self),
                    "ref": self.env._(
                        "%(order)s: balance payment charged to the receivable", order=order.name
                    ),
                    "partner_id": partner.id,
                    "line_ids": [fields.Command.create(vals) for vals in lines],
                }
            )
        )
        move.action_post()
        order.session_id._client_balance_reconcile_clearing(
            (move.line_ids | payments.account_move_id.line_ids).filtered(
                lambda line: line.account_id != receivable
            )
        )
        order.message_post(
            body=self.env._(
                "The client balance payment kept aside is charged to the customer's receivable: "
                "%(move)s.",
                move=move.name,
            )
        )
        return move

    def _client_balance_settled(self):
        self.sudo().activity_ids.filtered(
            lambda activity: (
                activity.activity_type_id == self.env.ref("mail.mail_activity_data_todo")
                and activity.summary == self.env._("Client balance payment kept aside")
            )
        ).action_done()
