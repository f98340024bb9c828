import { _t } from "@web/core/l10n/translation";
import { patch } from "@web/core/utils/patch";
import { RPCError } from "@web/core/network/rpc";
import { AlertDialog } from "@web/core/confirmation_dialog/confirmation_dialog";
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
        // Per person id: their staff allowance today ({company, limit, used,
        // remaining, ...}), or null when they have none.
        this.staffAllowances = {};
        // Per person id: why they have no allowance, as the server says.
        this.staffAllowanceErrors = {};
        await super.setup(...arguments);
    },
    get staffAllowanceMethods() {
        return this.config.payment_method_ids.filter((method) => method.client_balance_allowance);
    },
    /** The server's message of a refused call, shown to the cashier. */
    showClientBalanceRefusal(title, error) {
        if (!(error instanceof RPCError)) {
            throw error;
        }
        this.dialog.add(AlertDialog, { title, body: error.data?.message || error.message });
    },
    async fetchStaffAllowance(partner) {
        if (!partner || !this.staffAllowanceMethods.length) {
            return null;
        }
        try {
            this.staffAllowances[partner.id] = await this.data.call(
                "pos.config",
                "client_balance_allowance_state",
                [[this.config.id], partner.id]
            );
        } catch (error) {
            if (!(error instanceof RPCError)) {
                throw error;
            }
            // The person has no allowance: the till says why when asked.
            this.staffAllowances[partner.id] = null;
            this.staffAllowanceErrors[partner.id] = error.data?.message;
        }
        return this.staffAllowances[partner.id];
    },
    /**
     * A client card scanned or typed: its person becomes the order's
     * customer, and the till shows their allowance for the period.
     */
    async useClientCard(code) {
        let info;
        try {
            info = await this.data.call("pos.config", "client_balance_card_lookup", [
                [this.config.id],
                code,
            ]);
        } catch (error) {
            this.showClientBalanceRefusal(_t("Client card"), error);
            return false;
        }
        let partner = this.models["res.partner"].get(info.partner_id);
        if (!partner) {
            [partner] = await this.data.searchRead("res.partner", [["id", "=", info.partner_id]]);
        }
        const order = this.get_order();
        if (partner && order.get_partner() !== partner) {
            order.set_partner(partner);
        }
        this.staffAllowances[info.partner_id] = info;
        this.dialog.add(AlertDialog, {
            title: info.name,
            body: _t(
                "Staff allowance of %(company)s, %(start)s to %(end)s: %(remaining)s left of %(limit)s (%(used)s used).",
                {
                    company: info.company,
                    start: info.period_start,
                    end: info.period_end,
                    remaining: this.env.utils.formatCurrency(info.remaining),
                    limit: this.env.utils.formatCurrency(info.limit),
                    used: this.env.utils.formatCurrency(info.used),
                }
            ),
        });
        return true;
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
        if (partner && this.staffAllowanceMethods.length) {
            this.fetchStaffAllowance(partner).catch(() => {});
        }
        return result;
    },
});
