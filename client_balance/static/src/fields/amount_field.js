import { registry } from "@web/core/registry";
import { MonetaryField, monetaryField } from "@web/views/fields/monetary/monetary_field";

/**
 * A monetary input that opens empty rather than at 0.00, for amounts the
 * user must type (a top-up, an adjustment).
 */
export class ClientBalanceAmountField extends MonetaryField {
    get formattedValue() {
        if (!this.props.readonly && !this.value) {
            return "";
        }
        return super.formattedValue;
    }
}

registry.category("fields").add("client_balance_amount", {
    ...monetaryField,
    component: ClientBalanceAmountField,
});
