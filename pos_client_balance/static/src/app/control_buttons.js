import { _t } from "@web/core/l10n/translation";
import { patch } from "@web/core/utils/patch";
import { ControlButtons } from "@point_of_sale/app/screens/product_screen/control_buttons/control_buttons";
import { TextInputPopup } from "@point_of_sale/app/utils/input_popups/text_input_popup";
import { makeAwaitable } from "@point_of_sale/app/store/make_awaitable_dialog";

patch(ControlButtons.prototype, {
    /** A client card whose code cannot be scanned: typed instead. */
    async clickClientCard() {
        const code = await makeAwaitable(this.dialog, TextInputPopup, {
            title: _t("Client card"),
            placeholder: _t("Scan or type the card code"),
        });
        if (code) {
            await this.pos.useClientCard(code);
        }
    },
});
