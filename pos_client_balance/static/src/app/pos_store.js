import { patch } from "@web/core/utils/patch";
import { PosStore } from "@point_of_sale/app/store/pos_store";

patch(PosStore.prototype, {
    async setup() {
        // Per customer id, per balance method id: what the server said the
        // method can take ({method_id, account, available}).
        this.clientBalances = {};
        // The uuids of the orders the cashier is validating now: the server
        // refuses their balance payments when they no longer fit, instead of
        // keeping them aside as it does for orders made offline.
        this.clientBalanceValidating = [];
        await super.setup(...arguments);
    },
    get clientBalanceMethods() {
        return this.config.payment_method_ids.filter((method) => method.is_client_balance);
    },
    async fetchClientBalances(partner) {
        if (!partner || !this.clientBalanceMethods.length) {
            return {};
        }
        const lines = await this.data.call("pos.config", "client_balance_available", [
            [this.config.id],
            partner.id,
        ]);
        const byMethod = {};
        for (const line of lines) {
            byMethod[line.method_id] = line;
        }
        this.clientBalances[partner.id] = byMethod;
        return byMethod;
    },
    clientBalanceOf(partner, method) {
        return partner ? this.clientBalances[partner.id]?.[method.id] : undefined;
    },
    getSyncAllOrdersContext(orders, options = {}) {
        const context = super.getSyncAllOrdersContext(...arguments);
        if (this.clientBalanceValidating.length) {
            context.client_balance_validating = [...this.clientBalanceValidating];
        }
        return context;
    },
    async selectPartner() {
        const result = await super.selectPartner(...arguments);
        const partner = this.get_order()?.get_partner();
        if (partner && this.clientBalanceMethods.length) {
            // Offline, the till cannot know: the payment screen says so.
            this.fetchClientBalances(partner).catch(() => {});
        }
        return result;
    },
});
