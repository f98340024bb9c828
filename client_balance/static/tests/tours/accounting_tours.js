import { registry } from "@web/core/registry";
import { assertStep, closeErrorSteps, screenshot, suggestion } from "./client_balance_tour_utils";

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
                this.anchor.scrollIntoView({ block: "end" });
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
                ".modal div[name=client_balance_account_id] input:value(Deposits - Perfect Trade)",
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
                ".o_list_view .o_data_row:contains('Perfect Trade'):contains('10,000.00') td[name=name]",
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
            run: "edit 1500.00 && click .modal .modal-title",
        },
        ...screenshot(
            "distributor_underpayment",
            ".modal div[name=client_balance_debit_amount] input:value(1,500.00)"
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
                ".o_form_view .o_field_widget[name=invoice_payments_widget]:contains('from Deposits - Perfect Trade')",
        },
    ],
});

// The distributor's balance manager (Client Balances / Manager): a mutual
// settlement credited to the client's balance with a description, then a
// top-up entered twice by mistake reversed from its operation.
registry.category("web_tour.tours").add("client_balance_manager_adjust_reverse", {
    steps: () => [
        {
            content: "the client's balances",
            trigger: "button.oe_stat_button[name=action_client_balance_accounts]",
            run: "click",
        },
        {
            content: "open the Deposits account",
            trigger:
                ".o_list_view .o_data_row:contains('Deposits'):contains('1,500.00') td[name=type_id]",
            run: "click",
        },
        {
            content: "adjust the balance",
            trigger: ".o_form_view .o_form_statusbar button[name=action_adjust]",
            run: "click",
        },
        {
            content: "credit the balance by 300.00",
            trigger: ".modal div[name=direction] input[data-value=credit]:checked",
        },
        {
            trigger: ".modal div[name=amount] input",
            run: "edit 300.00",
        },
        {
            content: "bad input: the counterpart is the client balance account itself",
            trigger: ".modal div[name=counterpart_account_id] input",
            run: "edit 201001",
        },
        {
            content: "the suggestions of the text typed (not those shown on focus)",
            trigger: suggestion("Customer deposits"),
            run: "click",
        },
        {
            trigger: ".modal div[name=counterpart_account_id] input:value(/Customer deposits/)",
        },
        {
            content: "the description says why",
            trigger: ".modal div[name=description] textarea",
            run: "edit mutual settlement: our debt for the client's supply of 12 October",
        },
        {
            trigger: ".modal .modal-footer button[name=action_confirm]",
            run: "click",
        },
        ...closeErrorSteps("the addon refuses it", "cannot be a client balance account"),
        {
            content: "the counterpart is what the company owes the client",
            trigger: ".modal div[name=counterpart_account_id] input",
            run: "edit 211000",
        },
        {
            content: "the suggestions of the text typed (not those shown on focus)",
            trigger: suggestion("Account Payable"),
            run: "click",
        },
        {
            trigger: ".modal div[name=counterpart_account_id] input:value(/Account Payable/)",
        },
        ...screenshot(
            "distributor_adjust",
            ".modal div[name=counterpart_account_id] input:value(211000 Account Payable)"
        ),
        {
            trigger: ".modal .modal-footer button[name=action_confirm]",
            run: "click",
        },
        {
            content: "the balance grows by 300.00",
            trigger:
                "body:not(:has(.modal)) .o_form_view .o_field_widget[name=balance]:contains('1,800.00')",
        },
        {
            content: "the account's operations",
            trigger: "button.oe_stat_button[name=action_view_operations]",
            run: "click",
        },
        {
            content: "the adjustment is listed with its description",
            trigger:
                ".o_list_view .o_data_row:contains('Adjustment'):contains('mutual settlement'):contains('300.00')",
        },
        {
            content: "open the top-up entered twice",
            trigger:
                ".o_breadcrumb .active:contains('Client Balance Operations')",
        },
        {
            trigger:
                ".o_list_view .o_data_row:contains('Top-up'):contains('entered twice') td[name=description]",
            run: "click",
        },
        {
            content: "reverse it",
            trigger: ".o_form_view .o_form_statusbar button[name=action_reverse]",
            run: "click",
        },
        {
            content: "confirm",
            trigger: ".modal:contains('Reverse this operation') .modal-footer .btn-primary",
            run: "click",
        },
        {
            content: "the reversal opens, linked to the top-up",
            trigger:
                "body:not(:has(.modal)) .o_form_view .o_field_widget[name=kind]:contains('Reversal')",
        },
        {
            trigger: ".o_form_view .o_field_widget[name=reversed_operation_id] a",
            run: "click",
        },
        {
            content: "the top-up is marked reversed",
            trigger:
                ".o_form_view .o_statusbar_status .o_arrow_button_current:contains('Reversed')",
        },
        assertStep(
            "it cannot be reversed twice",
            ".o_form_view .o_field_widget[name=reversal_operation_id]",
            () => !document.querySelector(".o_form_view button[name=action_reverse]"),
            "Reverse is still offered on a reversed operation"
        ),
        {
            content: "back to the account",
            trigger: ".o_form_view .o_field_widget[name=account_id] a:contains('Deposits - Perfect Trade')",
            run: "click",
        },
        {
            content: "the balance is 500.00 lower",
            trigger: ".o_form_view .o_field_widget[name=balance]:contains('1,300.00')",
        },
    ],
});

// A law firm's assistant (Invoicing, Client Balances / Pay from Balance): a
// retainer of 3 000.00 requested, sent, paid in two parts, then spent.
registry.category("web_tour.tours").add("client_balance_retainer_deposit", {
    steps: () => [
        {
            content: "the client's Client Balances tab",
            trigger: ".o_form_view .o_notebook .nav-link:contains('Client Balances')",
            run: "click",
        },
        {
            content: "request a deposit",
            trigger: ".o_form_view button[name=action_client_balance_request_deposit]",
            run: "click",
        },
        {
            content: "of the Deposits type",
            trigger: ".modal div[name=type_id] input:value(Deposits)",
        },
        {
            content: "3 000.00",
            trigger: ".modal div[name=amount] input",
            run: "edit 3000.00",
        },
        {
            trigger: ".modal .modal-footer button[name=action_confirm]",
            run: "click",
        },
        {
            content: "a draft invoice with one Initial deposit line",
            trigger:
                "body:not(:has(.modal)) .o_form_view .o_field_widget[name=invoice_line_ids] .o_data_row:contains('Initial deposit'):contains('3,000.00')",
        },
        assertStep(
            "the line is the only one",
            ".o_form_view .o_field_widget[name=invoice_line_ids]",
            () =>
                document.querySelectorAll(
                    ".o_form_view .o_field_widget[name=invoice_line_ids] .o_data_row"
                ).length === 1,
            "the deposit invoice has more than one line"
        ),
        {
            content: "confirm it",
            trigger: ".o_form_view .o_form_statusbar button[name=action_post]",
            run: "click",
        },
        {
            content: "posted, on the client account",
            trigger:
                ".o_form_view .o_statusbar_status .o_arrow_button_current:contains('Posted')",
        },
        {
            trigger:
                ".o_form_view .o_field_widget[name=client_balance_deposit_account_id]:contains('Deposits - Andrey Petrov')",
        },
        ...screenshot("retainer_deposit_request", ".o_form_view .o_field_widget[name=amount_residual]"),
        {
            content: "send it",
            trigger: ".o_form_view .o_form_statusbar button[name=action_invoice_sent]",
            run: "click",
        },
        {
            content: "with the deposit request e-mail",
            trigger:
                ".modal div[name=mail_subject] input:value(Deposit Request), .modal div[name=mail_subject]:contains('Deposit Request')",
        },
        {
            trigger: ".modal .modal-footer button[name=action_send_and_print]",
            run: "click",
        },
        {
            content: "sent",
            trigger: "body:not(:has(.modal)) .o-mail-Chatter .o-mail-Message:contains('Deposit Request')",
        },
        {
            content: "the client pays 1 000.00",
            trigger: ".o_form_view .o_form_statusbar button[name=action_register_payment]",
            run: "click",
        },
        {
            trigger: ".modal div[name=amount] input",
            run: "edit 1000.00 && click .modal .modal-title",
        },
        {
            content: "keep the rest due",
            trigger: ".modal div[name=communication] input",
            run: "edit Bank statement 41",
        },
        {
            trigger: ".modal .modal-footer button[name=action_create_payments]",
            run: "click",
        },
        {
            content: "the deposit is partly paid",
            trigger: "body:not(:has(.modal)) .o_form_view .ribbon:contains('Partial')",
        },
        {
            content: "the deposit is not offered to be paid from the balance it credits, nor by a staff card",
            trigger:
                ".o_form_view .o_form_statusbar:not(:has(button[name=action_client_balance_spend])):not(:has(button[name=action_client_balance_card]))",
        },
        {
            content: "the client account",
            trigger: ".o_form_view .o_field_widget[name=client_balance_deposit_account_id] a",
            run: "click",
        },
        {
            content: "the balance holds the deposit, 1 000.00 of it available",
            trigger: ".o_form_view .o_field_widget[name=balance]:contains('3,000.00')",
        },
        {
            trigger: ".o_form_view .o_field_widget[name=pending_deposit]:contains('2,000.00')",
        },
        {
            trigger: ".o_form_view .o_field_widget[name=available]:contains('1,000.00')",
        },
        {
            content: "back to the deposit invoice",
            trigger: ".o_breadcrumb .breadcrumb-item a:contains('INV/')",
            run: "click",
        },
        {
            content: "the client pays the other 2 000.00",
            trigger: ".o_form_view .o_form_statusbar button[name=action_register_payment]",
            run: "click",
        },
        {
            content: "the rest is proposed",
            trigger: ".modal div[name=amount] input:value(2,000.00)",
        },
        {
            trigger: ".modal div[name=communication] input",
            run: "edit Bank statement 44",
        },
        {
            trigger: ".modal .modal-footer button[name=action_create_payments]",
            run: "click",
        },
        {
            content: "the deposit is paid",
            trigger:
                "body:not(:has(.modal)) .o_form_view .ribbon:contains('Paid'), body:not(:has(.modal)) .o_form_view .ribbon:contains('In Payment')",
        },
        {
            content: "the client account",
            trigger: ".o_form_view .o_field_widget[name=client_balance_deposit_account_id] a",
            run: "click",
        },
        {
            content: "all 3 000.00 is available",
            trigger: ".o_form_view .o_field_widget[name=available]:contains('3,000.00')",
        },
        {
            trigger: ".o_form_view .o_notebook .nav-link:contains('Deposit Invoices')",
            run: "click",
        },
        {
            content: "the deposit invoice is listed as paid",
            trigger:
                ".o_form_view div[name=deposit_invoice_ids] .o_data_row:contains('3,000.00') .o_field_widget[name=payment_state]:contains('Paid'), .o_form_view div[name=deposit_invoice_ids] .o_data_row:contains('3,000.00') .o_field_widget[name=payment_state]:contains('In Payment')",
        },
        ...screenshot("retainer_deposit_paid", ".o_form_view div[name=deposit_invoice_ids]"),
        {
            content: "back to the client",
            trigger: ".o_breadcrumb .breadcrumb-item a:contains('Andrey Petrov')",
            run: "click",
        },
        {
            content: "the client's invoices",
            trigger: "button.oe_stat_button[name=action_view_partner_invoices]",
            run: "click",
        },
        {
            content: "the later invoice, for the court hearing",
            trigger: ".o_list_view .o_data_row:contains('2,500.00') td[name=name]",
            run: "click",
        },
        {
            content: "it offers the balance",
            trigger:
                ".o_form_view .o_field_widget[name=client_balance_available]:contains('3,000.00')",
        },
        {
            content: "pay it from the balance",
            trigger: ".o_form_view .o_form_statusbar button[name=action_client_balance_spend]",
            run: "click",
        },
        {
            content: "all of it is paid from the deposit",
            trigger: ".modal div[name=amount] input:value(2,500.00)",
        },
        {
            trigger: ".modal .modal-footer button[name=action_confirm]",
            run: "click",
        },
        {
            content: "the invoice is paid from the client account",
            trigger:
                "body:not(:has(.modal)) .o_form_view .ribbon:contains('Paid'), body:not(:has(.modal)) .o_form_view .ribbon:contains('In Payment')",
        },
        {
            trigger:
                ".o_form_view .o_field_widget[name=invoice_payments_widget]:contains('from Deposits - Andrey Petrov')",
        },
        {
            trigger: ".o_form_view .o_field_widget[name=client_balance_paid]:contains('2,500.00')",
        },
    ],
});
