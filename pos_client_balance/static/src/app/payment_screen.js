import { _t } from "@web/core/l10n/translation";
import { patch } from "@web/core/utils/patch";
import { ConnectionLostError } from "@web/core/network/rpc";
import { AlertDialog } from "@web/core/confirmation_dialog/confirmation_dialog";
import { PaymentScreen } from "@point_of_sale/app/screens/payment_screen/payment_screen";

patch(PaymentScreen.prototype, {
    setup() {
        super.setup(...arguments);
        // Read from the server when the customer is known, not for every
        // client at start-up.
        this.refreshClientBalances();
    },

    /** The methods as listed: the client's balances first once a customer is chosen. */
    get paymentMethodsBalanceFirst() {
        const methods = this.payment_methods_from_config;
        if (!this.currentOrder.get_partner()) {
            return methods;
        }
        return [
            ...methods.filter((method) => method.is_client_balance),
            ...methods.filter((method) => !method.is_client_balance),
        ];
    },

    clientBalanceLine(method) {
        return this.pos.clientBalanceOf(this.currentOrder.get_partner(), method);
    },

    /**
     * Read the customer's balances again. Offline, what was read last is
     * kept (the server checks once more when the order reaches it).
     */
    async refreshClientBalances() {
        const partner = this.currentOrder.get_partner();
        if (!partner || !this.pos.clientBalanceMethods.length) {
            return;
        }
        try {
            await this.pos.fetchClientBalances(partner);
        } catch (error) {
            if (!(error instanceof ConnectionLostError)) {
                throw error;
            }
        }
    },

    /** What ``method`` can still take: its available amount less its other lines. */
    clientBalanceLeft(method, exceptLine = null) {
        const info = this.clientBalanceLine(method);
        const taken = this.paymentLines
            .filter(
                (line) => line !== exceptLine && line.payment_method_id === method && line.amount > 0
            )
            .reduce((sum, line) => sum + line.amount, 0);
        return info?.account ? info.available - taken : 0;
    },

    showClientBalanceError(title, body) {
        this.dialog.add(AlertDialog, { title, body });
    },

    async addNewPaymentLine(paymentMethod) {
        if (!paymentMethod.is_client_balance) {
            return super.addNewPaymentLine(...arguments);
        }
        const order = this.currentOrder;
        const partner = order.get_partner();
        if (!partner) {
            this.showClientBalanceError(
                _t("Customer required"),
                _t("Choose the customer whose balance pays, then choose %s again.", paymentMethod.name)
            );
            return false;
        }
        // A sale takes from the balance; a refund gives back to it.
        if (order.get_due() > 0) {
            await this.refreshClientBalances();
            const info = this.clientBalanceLine(paymentMethod);
            if (!info) {
                this.showClientBalanceError(
                    _t("Balance unknown"),
                    _t("The till is offline and has not read %s's balance yet: pay with another method.", partner.name)
                );
                return false;
            }
            if (!info.account) {
                this.showClientBalanceError(
                    _t("No client account"),
                    _t("%(partner)s has no account %(method)s pays from.", {
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
                    _t("%(account)s has nothing available.", { account: info.account })
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
        const isBalance = Boolean(line?.payment_method_id?.is_client_balance);
        const result = super.updateSelectedPaymentline(...arguments);
        // A line whose amount is erased is deleted.
        if (isBalance && this.paymentLines.includes(line) && line.amount > 0) {
            this.clampClientBalanceLine(line);
        }
        return result;
    },

    /** A balance line takes at most what is available and what is due. */
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
        const info = this.clientBalanceLine(method);
        this.showClientBalanceError(
            _t("Too much from the balance"),
            left < due
                ? _t("%(account)s has %(available)s available: take at most that.", {
                      account: info?.account || method.name,
                      available: this.env.utils.formatCurrency(left),
                  })
                : _t("The balance pays at most the amount due, %s.", this.env.utils.formatCurrency(due))
        );
    },

    async _isOrderValid(isForceValidate) {
        if (!(await super._isOrderValid(...arguments))) {
            return false;
        }
        const lines = this.paymentLines.filter(
            (line) => line.payment_method_id.is_client_balance && line.amount > 0
        );
        if (!lines.length) {
            return true;
        }
        if (!this.currentOrder.get_partner()) {
            this.showClientBalanceError(
                _t("Customer required"),
                _t("A balance pays only for its own customer: choose the customer.")
            );
            return false;
        }
        await this.refreshClientBalances();
        for (const method of new Set(lines.map((line) => line.payment_method_id))) {
            const left = this.clientBalanceLeft(method);
            if (left < -1e-9) {
                const info = this.clientBalanceLine(method);
                this.showClientBalanceError(
                    _t("Not enough on the balance"),
                    _t("%(account)s has %(available)s available now: lower the amount taken from it.", {
                        account: info?.account || method.name,
                        available: this.env.utils.formatCurrency(info?.available || 0),
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
