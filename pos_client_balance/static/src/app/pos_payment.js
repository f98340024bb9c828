import { patch } from "@web/core/utils/patch";
import { PosPayment } from "@point_of_sale/app/models/pos_payment";

patch(PosPayment.prototype, {
    export_for_printing() {
        const result = super.export_for_printing(...arguments);
        // Known once the server has booked the payment (not for an order
        // printed offline, before it reached the server).
        if (
            this.payment_method_id.is_client_balance &&
            typeof this.client_balance_after === "number" &&
            typeof this.pos_order_id.id === "number"
        ) {
            result.client_balance_after = this.client_balance_after;
        }
        return result;
    },
});
