import { registry } from "@web/core/registry";
import { assertStep, screenshot, textOf } from "./client_balance_tour_utils";

/** Close the error dialog showing `message` (the wizard under it stays open). */
function closeErrorSteps(content, message) {
    return [
        {
            content,
            trigger: `.modal .o_error_dialog:contains(${JSON.stringify(message)})`,
        },
        {
            content: "close the error: the wizard stays open",
            trigger: ".modal .o_error_dialog .modal-footer .btn-primary",
            run: "click",
        },
        {
            trigger: "body:not(:has(.o_error_dialog))",
        },
    ];
}

// The salon's cashier (Client Balances / Pay from Balance): a client holding
// 100.00 of deposit pays 100.00 of a 150.00 invoice from the balance.
registry.category("web_tour.tours").add("client_balance_salon_pay_from_balance", {
    steps: () => [
        {
            content: "the invoice shows the client's available balance",
            trigger:
                ".o_form_view .o_field_widget[name=client_balance_available]:contains('100.00')",
        },
        {
            content: "pay from the balance",
            trigger: ".o_form_view .o_form_statusbar button[name=action_client_balance_spend]",
            run: "click",
        },
        assertStep(
            "the wizard proposes the client's account and all that is available",
            ".modal div[name=account_id] input:value(Deposits - Salon Client Iryna)",
            () => document.querySelector(".modal div[name=amount] input").value === "100.00",
            "Pay from Balance does not propose 100.00"
        ),
        {
            content: "bad input: more than the balance holds",
            trigger: ".modal div[name=amount] input",
            run: "edit 120.00",
        },
        {
            trigger: ".modal .modal-footer button[name=action_confirm]",
            run: "click",
        },
        ...closeErrorSteps("the addon refuses it", "100.00 available"),
        {
            content: "the cashier takes 100.00",
            trigger: ".modal div[name=amount] input",
            run: "edit 100.00",
        },
        ...screenshot("salon_pay_from_balance", ".modal div[name=amount] input:value(100.00)"),
        {
            trigger: ".modal .modal-footer button[name=action_confirm]",
            run: "click",
        },
        {
            content: "the wizard closes; the invoice is partly paid",
            trigger: "body:not(:has(.modal)) .o_form_view .ribbon:contains('Partial')",
        },
        {
            content: "its payments name the client account",
            trigger:
                ".o_form_view .o_field_widget[name=invoice_payments_widget]:contains('from Deposits - Salon Client Iryna')",
        },
        {
            content: "50.00 stays due",
            trigger: ".o_form_view .o_field_widget[name=amount_residual]:contains('50.00')",
        },
        {
            content: "the balances paid 100.00",
            trigger: ".o_form_view .o_field_widget[name=client_balance_paid]:contains('100.00')",
        },
        {
            content: "show the totals, the payment and the amount due",
            trigger: ".o_form_view .o_field_widget[name=amount_residual]",
            run() {
                this.anchor.scrollIntoView({ block: "center" });
            },
        },
        ...screenshot(
            "salon_invoice_paid_from_balance",
            ".o_form_view .o_field_widget[name=invoice_payments_widget]"
        ),
    ],
});

// The distributor's accountant (Pay from Balance): 20 159.00 received on an
// invoice of 20 000.00, the 159.00 credited to the balance; then 8 500.00 on
// an invoice of 10 000.00, the missing 1 500.00 debited from the balance.
registry.category("web_tour.tours").add("client_balance_distributor_payment_differences", {
    steps: () => [
        {
            content: "register the payment of the 20 000.00 invoice",
            trigger: ".o_form_view .o_form_statusbar button[name=action_register_payment]",
            run: "click",
        },
        {
            content: "the wizard shows the available balance first",
            trigger: ".modal .alert-info:contains('Available client balance'):contains('2,000.00')",
        },
        {
            content: "the client paid 20 159.00",
            trigger: ".modal div[name=amount] input",
            run: "edit 20159.00 && click .modal .modal-title",
        },
        {
            content: "credit the difference to the client balance",
            trigger: ".modal div[name=client_balance_credit_difference] input",
            run: "click",
        },
        {
            content: "the difference is shown",
            trigger: ".modal div[name=client_balance_credit_amount]:contains('159.00')",
        },
        {
            content: "it goes to the client's default account",
            trigger:
                ".modal div[name=client_balance_account_id] input:value(Deposits - Distributor Client Perfect Trade)",
        },
        assertStep(
            "Odoo's Keep open / Mark as fully paid is hidden",
            ".modal div[name=client_balance_credit_amount]",
            () => !document.querySelector(".modal div[name=payment_difference_handling]"),
            "the payment difference handling is still offered"
        ),
        ...screenshot(
            "distributor_overpayment",
            ".modal div[name=client_balance_credit_amount]:contains('159.00')"
        ),
        {
            trigger: ".modal .modal-footer button[name=action_create_payments]",
            run: "click",
        },
        {
            content: "the invoice is paid",
            trigger:
                "body:not(:has(.modal)) .o_form_view .ribbon:contains('Paid'), body:not(:has(.modal)) .o_form_view .ribbon:contains('In Payment')",
        },
        {
            content: "back to the invoices",
            trigger: ".o_breadcrumb .breadcrumb-item a:contains('Invoices')",
            run: "click",
        },
        {
            content: "open the 10 000.00 invoice",
            trigger:
                ".o_list_view .o_data_row:contains('Distributor Client Perfect Trade'):contains('10,000.00') td[name=name]",
            run: "click",
        },
        {
            content: "register its payment",
            trigger: ".o_form_view .o_form_statusbar button[name=action_register_payment]",
            run: "click",
        },
        {
            content: "the balance now holds 2 159.00",
            trigger: ".modal .alert-info:contains('Available client balance'):contains('2,159.00')",
        },
        {
            content: "the client paid 8 500.00",
            trigger: ".modal div[name=amount] input",
            run: "edit 8500.00 && click .modal .modal-title",
        },
        {
            content: "1 500.00 is left due",
            trigger: ".modal div[name=client_balance_left_due]:contains('1,500.00')",
        },
        {
            content: "debit the rest from the client balance",
            trigger: ".modal div[name=client_balance_debit] input",
            run: "click",
        },
        assertStep(
            "the amount to debit is what is left due",
            ".modal div[name=client_balance_debit_amount] input:value(1,500.00)",
            () => !document.querySelector(".modal div[name=payment_difference_handling]"),
            "the payment difference handling is still offered"
        ),
        {
            content: "bad input: more than is left due",
            trigger: ".modal div[name=client_balance_debit_amount] input",
            run: "edit 1600.00",
        },
        {
            trigger: ".modal .modal-footer button[name=action_create_payments]",
            run: "click",
        },
        ...closeErrorSteps("the addon refuses it", "is left due after this payment"),
        {
            content: "debit 1 500.00",
            trigger: ".modal div[name=client_balance_debit_amount] input",
            run: "edit 1500.00",
        },
        ...screenshot(
            "distributor_underpayment",
            ".modal div[name=client_balance_debit_amount] input"
        ),
        {
            trigger: ".modal .modal-footer button[name=action_create_payments]",
            run: "click",
        },
        {
            content: "the invoice is paid",
            trigger:
                "body:not(:has(.modal)) .o_form_view .ribbon:contains('Paid'), body:not(:has(.modal)) .o_form_view .ribbon:contains('In Payment')",
        },
        {
            content: "its payments name the client account for the 1 500.00",
            trigger:
                ".o_form_view .o_field_widget[name=invoice_payments_widget]:contains('from Deposits - Distributor Client Perfect Trade')",
        },
    ],
});
