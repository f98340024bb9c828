import { patch } from "@web/core/utils/patch";
import { ProductScreen } from "@point_of_sale/app/screens/product_screen/product_screen";
import { useBarcodeReader } from "@point_of_sale/app/barcode/barcode_reader_hook";

patch(ProductScreen.prototype, {
    setup() {
        super.setup(...arguments);
        // A client card scanned: its person becomes the customer.
        useBarcodeReader({
            client_balance_card: (parsed) => this.pos.useClientCard(parsed.code),
        });
    },
});
