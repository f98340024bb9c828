import * as Chrome from "@point_of_sale/../tests/tours/utils/chrome_util";
import * as Dialog from "@point_of_sale/../tests/tours/utils/dialog_util";
import * as ProductScreen from "@point_of_sale/../tests/tours/utils/product_screen_util";
import * as PaymentScreen from "@point_of_sale/../tests/tours/utils/payment_screen_util";
import * as ReceiptScreen from "@point_of_sale/../tests/tours/utils/receipt_screen_util";
import * as TicketScreen from "@point_of_sale/../tests/tours/utils/ticket_screen_util";
import { scan_barcode } from "@point_of_sale/../tests/tours/utils/common";
import { registry } from "@web/core/registry";
import { screenshot } from "@client_balance/../tests/tours/client_balance_tour_utils";

/** The register opened, the client chosen, `product` sold: the payment screen. */
function startWith(product) {
    return [
        Chrome.startPoS(),
        Dialog.confirm("Open Register"),
        ProductScreen.clickPartnerButton(),
        ProductScreen.clickCustomer("Salon Balance Client"),
        ProductScreen.clickDisplayedProduct(product),
        ProductScreen.clickPayButton(),
    ].flat();
}

function startWithHaircut() {
    return startWith("Salon Haircut");
}

/** The rest paid in cash, the order validated: the receipt. */
function payRestInCash() {
    return [
        PaymentScreen.clickPaymentMethod("Cash"),
        PaymentScreen.remainingIs("0.00"),
        PaymentScreen.clickValidate(),
        ReceiptScreen.isShown(),
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
            screenshot("pos_pay_from_balance", ".paymentlines .paymentline.selected"),
            payRestInCash(),
            {
                content: "the receipt prints the balance after the payment",
                trigger: ".pos-receipt .client-balance-after:contains(/\\b0\\.00/)",
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
            payRestInCash(),
            ReceiptScreen.clickNextOrder(),
        ].flat(),
});

// A gym sells 50.00 of store credit for cash; the balance cannot pay for it.
registry.category("web_tour.tours").add("PosClientBalanceStoreCreditTour", {
    steps: () =>
        [
            startWith("Gym Store Credit"),
            PaymentScreen.clickPaymentMethod("Client Deposits"),
            Dialog.is({ title: "Credit sold" }),
            Dialog.confirm(),
            payRestInCash(),
            ReceiptScreen.clickNextOrder(),
        ].flat(),
});

// The canteen: Ivan's company takes over 20.00 a day; 15.00 is used
// already. His card is scanned, the allowance pays 5.00 of an 18.00 meal and
// he pays 13.00 in cash.
registry.category("web_tour.tours").add("PosClientBalanceStaffCardTour", {
    steps: () =>
        [
            Chrome.startPoS(),
            Dialog.confirm("Open Register"),
            scan_barcode("045000000017"),
            {
                content: "the card's person, company and what is left are shown",
                trigger: ".modal-body:contains('Canteen Client Co'):contains(/\\b5\\.00 left of/)",
            },
            screenshot("canteen_pos_card", ".modal-body:contains(/\\b5\\.00 left of/)"),
            Dialog.confirm(),
            ProductScreen.customerIsSelected("Ivan Canteen"),
            ProductScreen.clickDisplayedProduct("Canteen Meal"),
            ProductScreen.clickPayButton(),
            PaymentScreen.clickPaymentMethod("Staff Allowance"),
            PaymentScreen.selectedPaymentlineHas("Staff Allowance", "5.00"),
            PaymentScreen.remainingIs("13.00"),
            payRestInCash(),
            {
                content: "the receipt prints what is left for the period",
                trigger: ".pos-receipt .client-balance-after:contains('Left this period')",
            },
            ReceiptScreen.clickNextOrder(),
        ].flat(),
});

// The haircut paid 20.00 from the balance and 10.00 in cash is refunded: the
// 20.00 goes back to the balance on its own, the 10.00 in cash.
registry.category("web_tour.tours").add("PosClientBalanceRefundTour", {
    steps: () =>
        [
            startWithHaircut(),
            PaymentScreen.clickPaymentMethod("Client Deposits"),
            payRestInCash(),
            ReceiptScreen.clickNextOrder(),
            ProductScreen.clickRefund(),
            TicketScreen.selectOrder("-0001"),
            ProductScreen.clickNumpad("1"),
            TicketScreen.confirmRefund(),
            ProductScreen.clickPayButton(),
            PaymentScreen.selectedPaymentlineHas("Client Deposits", "-20.00"),
            PaymentScreen.remainingIs("-10.00"),
            PaymentScreen.clickPaymentMethod("Cash"),
            PaymentScreen.clickValidate(),
            ReceiptScreen.isShown(),
            ReceiptScreen.clickNextOrder(),
        ].flat(),
});
