import { _t } from "@web/core/l10n/translation";
import { patch } from "@web/core/utils/patch";
import { PosPayment } from "@point_of_sale/app/models/pos_payment";

patch(PosPayment.prototype, {
    export_for_printing() {
        const result = super.export_for_printing(...arguments);
        // Known once the server has booked the payment: not for an order
        // printed offline, before it reached the server, nor for one whose
        // payment was kept aside.
        const method = this.payment_method_id;
        if (
            this.pos_order_id.client_balance_state === "booked" &&
            (method.is_client_balance || method.client_balance_allowance)
        ) {
            result.client_balance_after = this.client_balance_after;
            result.client_balance_label = method.is_client_balance
                ? _t("Balance after")
                : _t("Left this period");
        }
        return result;
    },
});
