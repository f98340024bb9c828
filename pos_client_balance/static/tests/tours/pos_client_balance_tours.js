import * as Chrome from "@point_of_sale/../tests/tours/utils/chrome_util";
import * as Dialog from "@point_of_sale/../tests/tours/utils/dialog_util";
import * as ProductScreen from "@point_of_sale/../tests/tours/utils/product_screen_util";
import * as PaymentScreen from "@point_of_sale/../tests/tours/utils/payment_screen_util";
import * as ReceiptScreen from "@point_of_sale/../tests/tours/utils/receipt_screen_util";
import { registry } from "@web/core/registry";

function startWithHaircut() {
    return [
        Chrome.startPoS(),
        Dialog.confirm("Open Register"),
        ProductScreen.clickPartnerButton(),
        ProductScreen.clickCustomer("Salon Balance Client"),
        ProductScreen.clickDisplayedProduct("Salon Haircut"),
        ProductScreen.clickPayButton(),
    ].flat();
}

// The client has 20.00 on the deposit; the haircut costs 30.00.
registry.category("web_tour.tours").add("PosClientBalancePartlyTour", {
    steps: () =>
        [
            startWithHaircut(),
            {
                content: "the client's balance method is listed first, with what is available",
                trigger:
                    ".paymentmethods .paymentmethod:first-child .payment-name:contains('Client Deposits')",
            },
            {
                content: "the available amount is read from the server",
                trigger:
                    ".paymentmethod:contains('Client Deposits') .client-balance-available:contains('20.00')",
            },
            PaymentScreen.clickPaymentMethod("Client Deposits"),
            PaymentScreen.selectedPaymentlineHas("Client Deposits", "20.00"),
            PaymentScreen.remainingIs("10.00"),
            PaymentScreen.clickPaymentMethod("Cash"),
            PaymentScreen.remainingIs("0.00"),
            PaymentScreen.clickValidate(),
            ReceiptScreen.isShown(),
            {
                content: "the receipt prints the balance after the payment",
                trigger: ".pos-receipt .client-balance-after:contains('0.00')",
            },
            ReceiptScreen.clickNextOrder(),
        ].flat(),
});

// The cashier types more than the balance holds: the till refuses it.
registry.category("web_tour.tours").add("PosClientBalanceTooMuchTour", {
    steps: () =>
        [
            startWithHaircut(),
            PaymentScreen.clickPaymentMethod("Client Deposits"),
            PaymentScreen.selectedPaymentlineHas("Client Deposits", "20.00"),
            PaymentScreen.clickNumpad("2 5"),
            Dialog.is({ title: "Too much from the balance" }),
            Dialog.confirm(),
            PaymentScreen.selectedPaymentlineHas("Client Deposits", "20.00"),
            PaymentScreen.clickPaymentMethod("Cash"),
            PaymentScreen.remainingIs("0.00"),
            PaymentScreen.clickValidate(),
            ReceiptScreen.isShown(),
            ReceiptScreen.clickNextOrder(),
        ].flat(),
});
