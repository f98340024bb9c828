import { _t } from "@web/core/l10n/translation";
import { patch } from "@web/core/utils/patch";
import { ConnectionLostError } from "@web/core/network/rpc";
import { AlertDialog } from "@web/core/confirmation_dialog/confirmation_dialog";
import { PaymentScreen } from "@point_of_sale/app/screens/payment_screen/payment_screen";
import { useBarcodeReader } from "@point_of_sale/app/barcode/barcode_reader_hook";

/** A client balance method, or a staff allowance one: what it takes is capped. */
function isCapped(method) {
    return Boolean(method?.is_client_balance || method?.client_balance_allowance);
}

patch(PaymentScreen.prototype, {
    setup() {
        super.setup(...arguments);
        useBarcodeReader({
            client_balance_card: (parsed) => this.pos.useClientCard(parsed.code),
        });
        // Read from the server when the customer is known, not for every
        // client at start-up.
        this.refreshClientBalances();
    },

    onMounted() {
        super.onMounted(...arguments);
        this.refundToClientBalance();
    },

    /**
     * A refund of an order paid from a balance gives the money back to that
     * balance in the share the balance paid of that order (30.00 of 100.00
     * paid from it: 18.00 of a 60.00 refund), the rest as the cashier
     * chooses.
     */
    refundToClientBalance() {
        const order = this.currentOrder;
        if (this.paymentLines.length || order.get_due() >= 0) {
            return;
        }
        const originals = new Set(
            order.lines.map((line) => line.refunded_orderline_id?.order_id).filter(Boolean)
        );
        for (const original of originals) {
            for (const payment of original.payment_ids || []) {
                const method = payment.payment_method_id;
                const due = order.get_due();
                if (
                    due >= 0 ||
                    !method?.is_client_balance ||
                    payment.amount <= 0 ||
                    !this.payment_methods_from_config.includes(method)
                ) {
                    continue;
                }
                const share = original.amount_total
                    ? (payment.amount / original.amount_total) * this.refundedTotal(original)
                    : payment.amount;
                const line = order.add_paymentline(method);
                if (line) {
                    line.set_amount(Math.max(due, -Math.min(share, payment.amount)));
                }
            }
        }
    },

    /** What the current refund gives back of ``original``'s lines. */
    refundedTotal(original) {
        return -this.currentOrder.lines
            .filter((line) => line.refunded_orderline_id?.order_id === original)
            .reduce((sum, line) => sum + line.get_price_with_tax(), 0);
    },

    /** A client balance or staff allowance method: what it takes is capped. */
    isCapped(method) {
        return isCapped(method);
    },

    /** The methods as listed: the customer's balances and allowance first. */
    get paymentMethodsBalanceFirst() {
        const methods = this.payment_methods_from_config;
        if (!this.currentOrder.get_partner()) {
            return methods;
        }
        return [...methods.filter(isCapped), ...methods.filter((method) => !isCapped(method))];
    },

    /**
     * What a capped method can take for the customer: ``{label, available}``
     * (label: the client account, or the company of an allowance); null when
     * the customer has no such account or allowance; undefined when unknown
     * (the till was offline).
     */
    clientBalanceLimit(method) {
        const partner = this.currentOrder.get_partner();
        if (!partner) {
            return null;
        }
        if (method.client_balance_allowance) {
            const info = this.pos.staffAllowances[partner.id];
            return info && { label: info.company, available: info.remaining };
        }
        const info = this.pos.clientBalanceOf(partner, method);
        return info && (info.account ? { label: info.account, available: info.available } : null);
    },

    /**
     * Read the customer's balances and allowance again. Offline, what was
     * read last is kept (the server checks once more when the order reaches
     * it).
     */
    async refreshClientBalances() {
        const partner = this.currentOrder.get_partner();
        if (!partner) {
            return;
        }
        try {
            await this.pos.fetchClientBalances(partner);
            await this.pos.fetchStaffAllowance(partner);
        } catch (error) {
            if (!(error instanceof ConnectionLostError)) {
                throw error;
            }
        }
    },

    /** What ``method`` can still take: its limit less its other lines. */
    clientBalanceLeft(method, exceptLine = null) {
        const limit = this.clientBalanceLimit(method);
        const taken = this.paymentLines
            .filter(
                (line) => line !== exceptLine && line.payment_method_id === method && line.amount > 0
            )
            .reduce((sum, line) => sum + line.amount, 0);
        return limit ? limit.available - taken : 0;
    },

    showClientBalanceError(title, body) {
        this.dialog.add(AlertDialog, { title, body });
    },

    async addNewPaymentLine(paymentMethod) {
        if (!isCapped(paymentMethod)) {
            return super.addNewPaymentLine(...arguments);
        }
        const order = this.currentOrder;
        const partner = order.get_partner();
        if (!partner) {
            this.showClientBalanceError(
                _t("Customer required"),
                paymentMethod.client_balance_allowance
                    ? _t("Scan the person's client card (or choose the person), then choose %s again.", paymentMethod.name)
                    : _t("Choose the customer whose balance pays, then choose %s again.", paymentMethod.name)
            );
            return false;
        }
        if (
            paymentMethod.is_client_balance &&
            order.lines.some((line) => line.product_id.client_balance_credit && line.qty > 0)
        ) {
            this.showClientBalanceError(
                _t("Credit sold"),
                _t("This order sells client balance credit: pay it with cash or card, not from a balance.")
            );
            return false;
        }
        const sale = order.get_due() > 0;
        if (!sale && paymentMethod.client_balance_allowance) {
            this.showClientBalanceError(
                _t("Sales only"),
                _t("%s pays sales only: refund in cash or by card.", paymentMethod.name)
            );
            return false;
        }
        if (sale) {
            // A sale takes from the balance or allowance; a refund gives back
            // to the balance.
            await this.refreshClientBalances();
            const limit = this.clientBalanceLimit(paymentMethod);
            if (limit === undefined) {
                this.showClientBalanceError(
                    _t("Balance unknown"),
                    _t("The till is offline and has not read %s's balance yet: pay with another method.", partner.name)
                );
                return false;
            }
            if (!limit) {
                this.showClientBalanceError(
                    paymentMethod.client_balance_allowance ? _t("No staff allowance") : _t("No client account"),
                    paymentMethod.client_balance_allowance
                        ? this.pos.staffAllowanceErrors[partner.id] ||
                              _t("%s has no staff allowance.", partner.name)
                        : _t("%(partner)s has no account %(method)s pays from.", {
                              partner: partner.name,
                              method: paymentMethod.name,
                          })
                );
                return false;
            }
            const left = this.clientBalanceLeft(paymentMethod);
            if (left <= 0) {
                this.showClientBalanceError(
                    _t("Nothing available"),
                    _t("%(label)s: nothing is left to take.", { label: limit.label })
                );
                return false;
            }
            const line = order.add_paymentline(paymentMethod);
            if (!line) {
                return false;
            }
            if (line.amount > left) {
                line.set_amount(left);
            }
            this.numberBuffer.reset();
            return true;
        }
        const line = order.add_paymentline(paymentMethod);
        if (line) {
            this.numberBuffer.reset();
        }
        return Boolean(line);
    },

    updateSelectedPaymentline(amount = false) {
        const line = this.selectedPaymentLine;
        const capped = isCapped(line?.payment_method_id);
        const result = super.updateSelectedPaymentline(...arguments);
        // A line whose amount is erased is deleted.
        if (capped && this.paymentLines.includes(line) && line.amount > 0) {
            this.clampClientBalanceLine(line);
        }
        return result;
    },

    /** A capped line takes at most what is left and what is due. */
    clampClientBalanceLine(line) {
        const method = line.payment_method_id;
        const due = this.currentOrder.get_due() + line.amount;
        const left = this.clientBalanceLeft(method, line);
        const max = Math.max(0, Math.min(due, left));
        if (line.amount <= max + 1e-9) {
            return;
        }
        line.set_amount(max);
        this.numberBuffer.set(max.toString());
        const limit = this.clientBalanceLimit(method);
        this.showClientBalanceError(
            _t("Too much from the balance"),
            left < due
                ? _t("%(account)s has %(available)s available: take at most that.", {
                      account: limit?.label || method.name,
                      available: this.env.utils.formatCurrency(left),
                  })
                : _t("The balance pays at most the amount due, %s.", this.env.utils.formatCurrency(due))
        );
    },

    async _isOrderValid(isForceValidate) {
        if (!(await super._isOrderValid(...arguments))) {
            return false;
        }
        if (
            !this.currentOrder.get_partner() &&
            this.currentOrder.lines.some((line) => line.product_id.client_balance_credit)
        ) {
            this.showClientBalanceError(
                _t("Customer required"),
                _t("This order sells client balance credit: choose the customer it is credited to.")
            );
            return false;
        }
        const lines = this.paymentLines.filter(
            (line) => isCapped(line.payment_method_id) && line.amount > 0
        );
        if (!lines.length) {
            return true;
        }
        if (!this.currentOrder.get_partner()) {
            this.showClientBalanceError(
                _t("Customer required"),
                _t("A balance or an allowance pays only for its own customer: choose the customer.")
            );
            return false;
        }
        await this.refreshClientBalances();
        for (const method of new Set(lines.map((line) => line.payment_method_id))) {
            if (this.clientBalanceLeft(method) < -1e-9) {
                const limit = this.clientBalanceLimit(method);
                this.showClientBalanceError(
                    _t("Not enough on the balance"),
                    _t("%(account)s has %(available)s available now: lower the amount taken from it.", {
                        account: limit?.label || method.name,
                        available: this.env.utils.formatCurrency(limit?.available || 0),
                    })
                );
                return false;
            }
        }
        return true;
    },

    async _finalizeValidation() {
        const uuid = this.currentOrder.uuid;
        this.pos.clientBalanceValidating.push(uuid);
        try {
            return await super._finalizeValidation(...arguments);
        } finally {
            this.pos.clientBalanceValidating = this.pos.clientBalanceValidating.filter(
                (validating) => validating !== uuid
            );
        }
    },
});
