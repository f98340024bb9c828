import { registry } from "@web/core/registry";
import { assertStep, screenshot, suggestion, textOf } from "./client_balance_tour_utils";

// The salon's front desk (Client Balances / User): the client's form, a new
// deposit account, 100.00 received in cash, then the Advance Receipt.
registry.category("web_tour.tours").add("client_balance_front_desk_open_topup", {
    steps: () => [
        {
            content: "open the client's Client Balances tab",
            trigger: ".o_form_view .o_notebook .nav-link:contains('Client Balances')",
            run: "click",
        },
        {
            content: "open a client account",
            trigger: ".o_form_view button[name=action_client_balance_open]",
            run: "click",
        },
        {
            content: "choose the Deposits type",
            trigger: ".modal div[name=type_id] input",
            run: "edit Deposits",
        },
        {
            content: "the suggestions of the text typed (not those shown on focus)",
            trigger: suggestion("Deposits"),
            run: "click",
        },
        {
            content: "Deposits is chosen",
            trigger:
                "body:not(:has(.o-autocomplete--dropdown-menu)) .modal div[name=type_id] input:value(Deposits)",
        },
        ...screenshot("salon_open_account", ".modal div[name=type_id] input:value(Deposits)"),
        {
            content: "open the account",
            trigger: ".modal button[name=action_open]",
            run: "click",
        },
        {
            content: "the new account opens: top it up",
            trigger: ".o_form_view .o_field_widget[name=type_id]:contains('Deposits')",
        },
        {
            trigger: ".o_form_view button[name=action_topup]",
            run: "click",
        },
        assertStep(
            "the amount opens empty",
            ".modal div[name=amount] input",
            () => document.querySelector(".modal div[name=amount] input").value === "",
            "the top-up amount does not open empty"
        ),
        {
            content: "the client paid 100.00",
            trigger: ".modal div[name=amount] input",
            run: "edit 100.00",
        },
        {
            content: "a memo",
            trigger: ".modal div[name=memo] input",
            run: "edit Ten visits paid ahead",
        },
        ...screenshot("salon_topup", ".modal div[name=memo] input:value(Ten visits paid ahead)"),
        {
            content: "confirm: the receipt prints and the wizard closes",
            trigger: ".modal button[name=action_confirm]",
            run: "click",
        },
        {
            content: "the balance is shown on the account",
            trigger: "body:not(:has(.modal)) .o_form_view .o_field_widget[name=balance]:contains('100.00')",
        },
        {
            content: "back to the client",
            trigger: ".o_breadcrumb .breadcrumb-item a:contains('Salon Client Olena')",
            run: "click",
        },
        {
            trigger: ".o_form_view .o_notebook .nav-link:contains('Client Balances')",
            run: "click",
        },
        {
            content: "the client's form lists the account and its balance",
            trigger: ".o_form_view div[name=client_balance_account_ids] .o_data_row:contains('Deposits'):contains('100.00')",
        },
        ...screenshot("salon_client_balances", ".o_form_view div[name=client_balance_account_ids]"),
        {
            content: "the client's operations",
            trigger: ".o_form_view button[name=action_client_balance_operations]",
            run: "click",
        },
        {
            trigger: ".o_list_view .o_data_row:contains('Top-up'):contains('100.00') td[name=description]",
            run: "click",
        },
        {
            content: "print the receipt again from the operation",
            trigger: ".o_form_view button[name=action_print_receipt]",
            run: "click",
        },
        assertStep(
            "the Advance Receipt names the client and the amount",
            ".o_form_view .o_field_widget[name=name]",
            async () => {
                const id = window.location.pathname.split("/").pop();
                const response = await fetch(
                    `/report/html/client_balance.report_advance_receipt/${id}`
                );
                const html = await response.text();
                const doc = new DOMParser().parseFromString(html, "text/html");
                const text = textOf(doc.body);
                return (
                    response.ok &&
                    text.includes("Salon Client Olena") &&
                    text.includes("100.00")
                );
            },
            "the Advance Receipt does not name the client and 100.00"
        ),
    ],
});

// The front desk reads a client's history, a visit paid from the balance
// among it: the invoice's number is shown, though the user cannot open
// invoices.
registry.category("web_tour.tours").add("client_balance_front_desk_history", {
    steps: () => [
        {
            content: "the client's operations",
            trigger: ".o_form_view button[name=action_client_balance_operations]",
            run: "click",
        },
        {
            content: "the payment from the balance names its invoice",
            trigger: ".o_list_view .o_data_row:contains('Spend') td[name=invoice_names]:contains('INV/')",
        },
        {
            content: "search the history by invoice number",
            trigger: ".o_searchview_input",
            run: "edit INV/",
        },
        {
            trigger: ".o_searchview_autocomplete .o_menu_item:contains('Search Invoice for')",
            run: "click",
        },
        {
            content: "only the payment of the invoice is left",
            trigger:
                ".o_list_view:not(:has(.o_data_row:contains('Top-up'))) .o_data_row:contains('Spend')",
        },
        {
            trigger: ".o_list_view .o_data_row:contains('Spend') td[name=description]",
            run: "click",
        },
        {
            content: "the operation's form shows the invoice's number and the balance after",
            trigger: ".o_form_view .o_field_widget[name=invoice_names]:contains('INV/')",
        },
        {
            trigger: ".o_form_view .o_field_widget[name=balance_after]:contains('40.00')",
        },
    ],
});
