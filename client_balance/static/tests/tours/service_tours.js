import { browser } from "@web/core/browser/browser";
import { registry } from "@web/core/registry";
import {
    assertStep,
    closeErrorSteps,
    screenshot,
    suggestion,
    textOf,
} from "./client_balance_tour_utils";

/** Steps opening a menu item of the Invoicing app,
 * as a user clicks it. */
function goToMenu(section, item, content) {
    // The apps menu only when the tour is not in Invoicing already (a tour
    // opening an action by its URL has no app's menus).
    const outside = `body:not(:has(.o_main_navbar button[data-menu-xmlid='${section}']))`;
    return [
        {
            content: "open the apps menu",
            trigger: ".o_navbar_apps_menu button:enabled",
            isActive: [outside],
            run: "click",
        },
        {
            content: "open Invoicing",
            trigger: ".o_app[data-menu-xmlid='account.menu_finance']",
            isActive: [outside],
            run: "click",
        },
        {
            content: `open the ${section} menu`,
            trigger: `.o_main_navbar button[data-menu-xmlid='${section}']`,
            run: "click",
        },
        {
            content,
            trigger: `.dropdown-item[data-menu-xmlid='${item}']`,
            run: "click",
        },
    ];
}

/** A many2one (or many2many tags) field of a dialog set by typing `text`,
 * then choosing the suggestion containing `choice`. */
function chooseIn(field, text, choice = text, content = `choose ${text}`) {
    return [
        {
            content,
            trigger: `.modal div[name=${field}] input`,
            run: `edit ${text}`,
        },
        {
            content: "the suggestions of the text typed (not those shown on focus)",
            trigger: suggestion(choice),
            run: "click",
        },
        {
            content: `${choice} is chosen`,
            trigger:
                `.modal div[name=${field}]:contains('${choice}'),` +
                ` .modal div[name=${field}] input:value(${choice})`,
        },
        {
            content: "the field's last search is over",
            trigger: "body",
            run: () => new Promise((resolve) => setTimeout(resolve, 400)),
        },
        {
            content: "leave the field (the suggestions close)",
            trigger: ".modal .modal-header .modal-title",
            run: "click",
        },
        {
            content: "no suggestion left open",
            trigger: "body:not(:has(.o-autocomplete--dropdown-menu))",
        },
    ];
}

function cookie(name) {
    const pair = document.cookie.split("; ").find((item) => item.startsWith(`${name}=`));
    return pair && decodeURIComponent(pair.split("=")[1]);
}

/** Calls a model's method as the tour's user (a check, not a click). */
async function callKw(model, method, args, kwargs = {}) {
    const response = await fetch(`/web/dataset/call_kw/${model}/${method}`, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({
            jsonrpc: "2.0",
            method: "call",
            params: { model, method, args, kwargs },
        }),
    });
    const result = await response.json();
    if (result.error) {
        throw new Error(JSON.stringify(result.error.data?.message || result.error));
    }
    return result.result;
}

/** The text of the file `name` of a zip archive (an .xlsx): its entries'
 * sizes are in their local headers, deflated or stored. */
async function zipEntryText(buffer, name) {
    const view = new DataView(buffer);
    let offset = 0;
    while (offset + 30 <= buffer.byteLength && view.getUint32(offset, true) === 0x04034b50) {
        const method = view.getUint16(offset + 8, true);
        const size = view.getUint32(offset + 18, true);
        const nameLength = view.getUint16(offset + 26, true);
        const extraLength = view.getUint16(offset + 28, true);
        const entryName = new TextDecoder().decode(new Uint8Array(buffer, offset + 30, nameLength));
        const start = offset + 30 + nameLength + extraLength;
        const data = new Uint8Array(buffer, start, size);
        if (entryName === name) {
            if (method === 0) {
                return new TextDecoder().decode(data);
            }
            const stream = new Blob([data])
                .stream()
                .pipeThrough(new DecompressionStream("deflate-raw"));
            return await new Response(stream).text();
        }
        offset = start + size;
    }
    return null;
}

// The gym's cashier (Invoicing / Billing only) sells 50.00 of store credit
// on an invoice, first with a negative quantity (refused), and registers the
// member's payment.
registry.category("web_tour.tours").add("client_balance_gym_store_credit_invoice", {
    steps: () => [
        {
            content: "a new customer invoice",
            trigger: ".o_list_view .o_list_button_add",
            run: "click",
        },
        {
            content: "the member",
            trigger: ".o_form_view div[name=partner_id] input",
            run: "edit Gym Member Tina",
        },
        {
            trigger: ".o-autocomplete--dropdown-item:contains('Gym Member Tina')",
            run: "click",
        },
        {
            content: "add a line",
            trigger: "div[name=invoice_line_ids] .o_field_x2many_list_row_add a",
            run: "click",
        },
        {
            content: "the Store Credit product",
            trigger: "div[name=invoice_line_ids] .o_selected_row div[name=product_id] input",
            run: "edit Store Credit",
        },
        {
            trigger: ".o-autocomplete--dropdown-item:contains('Store Credit')",
            run: "click",
        },
        {
            content: "a mistyped quantity: minus 50",
            trigger: "div[name=invoice_line_ids] .o_selected_row div[name=quantity] input",
            run: "edit -50",
        },
        {
            content: "confirm the invoice",
            trigger: ".o_form_view button[name=action_post]",
            run: "click",
        },
        ...closeErrorSteps(
            "a negative amount of credit is refused",
            "sells a negative amount of credit"
        ),
        {
            content: "the invoice stays a draft",
            trigger:
                "body:not(:has(.modal)) .o_form_view .o_statusbar_status button.o_arrow_button_current:contains('Draft')",
        },
        {
            content: "the quantity is the amount of credit: 50",
            trigger: "div[name=invoice_line_ids] .o_data_row td[name=quantity]",
            run: "click",
        },
        {
            trigger: "div[name=invoice_line_ids] .o_selected_row div[name=quantity] input",
            run: "edit 50",
        },
        {
            content: "leave the line: the quantity is taken",
            trigger: ".o_form_view div[name=tax_totals]",
            run: "click",
        },
        {
            content: "no tax on credit: the total is 50.00",
            trigger: ".o_form_view div[name=tax_totals]:contains('50.00'):not(:contains('-'))",
        },
        {
            content: "confirm the invoice",
            trigger: ".o_form_view button[name=action_post]",
            run: "click",
        },
        {
            content: "the invoice is posted",
            trigger:
                ".o_form_view .o_statusbar_status button.o_arrow_button_current:contains('Posted')",
        },
        {
            content: "the member pays",
            trigger: ".o_form_view button[name=action_register_payment]",
            run: "click",
        },
        {
            content: "50.00 on the proposed journal",
            trigger: ".modal div[name=amount] input:value(50.00)",
        },
        {
            trigger: ".modal button[name=action_create_payments]",
            run: "click",
        },
        {
            content: "the invoice is paid",
            trigger:
                "body:not(:has(.modal)) .o_form_view .ribbon:contains('Paid')," +
                " body:not(:has(.modal)) .o_form_view .ribbon:contains('In Payment')",
        },
        {
            content: "the line sells Store Credit",
            trigger: "div[name=invoice_line_ids] .o_data_row:contains('Store Credit'):contains('50.00')",
        },
        ...screenshot("gym_store_credit_invoice", ".o_form_view .ribbon"),
    ],
});

// The canteen's till (Invoicing, Pay from Balance): a mistyped card, then
// Ivan's card: a 15.00 meal taken over whole, an 18.00 meal charged without
// the journal Ivan pays his 13.00 on (refused), then with it; charging the
// first meal twice is refused.
registry.category("web_tour.tours").add("client_balance_canteen_card", {
    steps: () => [
        ...goToMenu(
            "account.menu_finance_receivables",
            "client_balance.client_balance_card_menu",
            "Client Balances > Client Card"
        ),
        {
            content: "a mistyped card code",
            trigger: ".modal div[name=code] input",
            run: "edit TOUR-C-999 && press Enter",
        },
        {
            content: "the card is not found: said plainly",
            trigger: ".modal .alert-warning:contains('No client card TOUR-C-999')",
        },
        {
            content: "Ivan's card, typed in lower case",
            trigger: ".modal div[name=code] input",
            run: "edit tour-c-001 && press Enter",
        },
        {
            content: "the person, the company, the limit, what is used and what is left",
            trigger:
                ".modal div[name=person_id]:contains('Ivan Petrov'):not(:has(input))",
        },
        {
            trigger: ".modal div[name=employer_id]:contains('Acme Staff Ltd')",
        },
        {
            trigger: ".modal div[name=limit]:contains('20.00')",
        },
        {
            trigger: ".modal div[name=used]:contains(/\\b0\\.00/)",
        },
        {
            trigger: ".modal div[name=remaining]:contains('20.00')",
        },
        {
            content: "no warning left",
            trigger: ".modal:not(:has(.alert-warning:visible))",
        },
        ...chooseIn("invoice_id", "Lunch 15.00", "Lunch 15.00", "the 15.00 lunch"),
        {
            content: "the company takes it over whole",
            trigger: ".modal div[name=company_share]:contains('15.00')",
        },
        {
            trigger: ".modal div[name=person_share]:contains(/\\b0\\.00/)",
        },
        ...screenshot("canteen_card", ".modal div[name=company_share]:contains('15.00')"),
        {
            content: "charge",
            trigger: ".modal button[name=action_charge]",
            run: "click",
        },
        {
            content: "charged: the company takes over 15.00",
            trigger: ".o_notification:contains('takes over'):contains('15.00')",
        },
        {
            trigger: "body:not(:has(.modal))",
        },
        // The second meal, over what is left.
        ...goToMenu(
            "account.menu_finance_receivables",
            "client_balance.client_balance_card_menu",
            "the Client Card again"
        ),
        {
            trigger: ".modal div[name=code] input",
            run: "edit TOUR-C-001 && press Enter",
        },
        {
            content: "15.00 used, 5.00 left",
            trigger: ".modal div[name=used]:contains('15.00')",
        },
        {
            trigger: ".modal div[name=remaining]:contains(/\\b5\\.00/)",
        },
        ...chooseIn("invoice_id", "Lunch 18.00", "Lunch 18.00", "the 18.00 lunch"),
        {
            content: "the company takes over 5.00, Ivan pays 13.00",
            trigger: ".modal div[name=company_share]:contains(/\\b5\\.00/)",
        },
        {
            trigger: ".modal div[name=person_share]:contains('13.00')",
        },
        {
            content: "charge without saying where Ivan pays",
            trigger: ".modal button[name=action_charge]",
            run: "click",
        },
        {
            content: "refused: the journal Ivan pays on is missing",
            trigger: ".modal div[name=journal_id].o_field_invalid",
        },
        {
            trigger: ".o_notification:contains('Paid On')",
        },
        assertStep(
            "nothing was charged",
            ".modal div[name=journal_id].o_field_invalid",
            async () =>
                (await callKw("client.balance.allowance.charge", "search_count", [
                    [["invoice_id.ref", "=", "Lunch 18.00"]],
                ])) === 0,
            "the refused charge wrote a charge"
        ),
        ...chooseIn("journal_id", "Cash", "Cash", "Ivan pays 13.00 in cash"),
        {
            trigger: ".modal button[name=action_charge]",
            run: "click",
        },
        {
            content: "charged: 5.00 by the company, 13.00 paid by Ivan",
            trigger: ".o_notification:contains('takes over'):contains('5.00'):contains('paid'):contains('13.00')",
        },
        {
            trigger: "body:not(:has(.modal))",
        },
        // The first meal charged again: refused.
        ...goToMenu(
            "account.menu_finance_receivables",
            "client_balance.client_balance_card_menu",
            "the Client Card once more"
        ),
        {
            trigger: ".modal div[name=code] input",
            run: "edit TOUR-C-001 && press Enter",
        },
        {
            content: "the limit is used up",
            trigger: ".modal div[name=used]:contains('20.00')",
        },
        {
            trigger: ".modal div[name=remaining]:contains(/\\b0\\.00/)",
        },
        ...chooseIn("invoice_id", "Lunch 15.00", "Lunch 15.00", "the 15.00 lunch again"),
        {
            trigger: ".modal div[name=person_share]:contains('15.00')",
        },
        ...chooseIn("journal_id", "Cash", "Cash"),
        {
            trigger: ".modal button[name=action_charge]",
            run: "click",
        },
        ...closeErrorSteps(
            "refused: the lunch is already charged",
            "already charged to the staff allowance"
        ),
        {
            content: "close the card",
            trigger:
                ".modal:not(:contains('already charged')) .modal-footer button:contains('Close')",
            run: "click",
        },
        assertStep(
            "still two charges, nothing paid for the refused one",
            "body:not(:has(.modal))",
            async () => {
                const charges = await callKw(
                    "client.balance.allowance.charge",
                    "search_read",
                    [[["person_id.client_balance_card_code", "=", "TOUR-C-001"]]],
                    { fields: ["company_share", "person_share"], order: "id" }
                );
                return (
                    charges.length === 2 &&
                    charges[0].company_share === 15 &&
                    charges[1].person_share === 13
                );
            },
            "the refused charge changed the charges"
        ),
    ],
});

let exportUrl = null;

function reportFilters() {
    return [
        ...chooseIn("type_ids", "Gift credit", "Gift credit", "only the Gift credit type"),
        ...chooseIn(
            "category_ids",
            "Tour Report Clients",
            "Tour Report Clients",
            "only the clients tagged Tour Report Clients"
        ),
    ];
}

// The back office (Client Balances / User, Invoicing): the Client Balances
// report of the Gift credit type for one client tag, shown, then exported to
// Excel.
registry.category("web_tour.tours").add("client_balance_report_client_balances", {
    steps: () => {
        let date = null;
        return [
            ...goToMenu(
                "account.menu_finance_receivables",
                "client_balance.client_balance_report_menu",
                "Client Balances > Reporting > Client Balances"
            ),
            {
                content: "the date is required: clear it",
                trigger: ".modal div[name=date] input",
                run() {
                    date = this.anchor.value;
                },
            },
            {
                trigger: ".modal div[name=date] input",
                run: "clear",
            },
            {
                trigger: ".modal button[name=action_open]",
                run: "click",
            },
            {
                content: "refused without a date",
                trigger: ".modal div[name=date].o_field_invalid",
            },
            {
                content: "the notice names the date: close it",
                trigger: ".o_notification:contains('As of') .o_notification_close",
                run: "click",
            },
            {
                content: "today again",
                trigger: ".modal div[name=date] input",
                run() {
                    this.anchor.value = date;
                    this.anchor.dispatchEvent(new Event("input", { bubbles: true }));
                    this.anchor.dispatchEvent(new Event("change", { bubbles: true }));
                },
            },
            {
                trigger: ".modal div[name=date]:not(.o_field_invalid)",
            },
            ...reportFilters(),
            {
                content: "show",
                trigger: ".modal button[name=action_open]",
                run: "click",
            },
            {
                content: "one row per client of the tag, a column per currency",
                trigger: ".o_pivot .o_pivot_header_cell_closed:contains('Report Client Anna')",
            },
            {
                trigger: ".o_pivot .o_pivot_header_cell_closed:contains('Report Client Boris')",
            },
            {
                trigger: ".o_pivot thead:contains('USD')",
            },
            assertStep(
                "the gift credit balances and their total, no deposit",
                ".o_pivot tbody",
                () => {
                    const rows = [...document.querySelectorAll(".o_pivot tbody tr")].map(textOf);
                    const anna = rows.find((row) => row.includes("Report Client Anna"));
                    const boris = rows.find((row) => row.includes("Report Client Boris"));
                    const total = rows.find((row) => row.startsWith("Total"));
                    return (
                        rows.length === 3 &&
                        anna?.includes("120.00") &&
                        boris?.includes("45.50") &&
                        total?.includes("165.50") &&
                        !rows.some((row) => row.includes("30.00") || row.includes("60.00"))
                    );
                },
                "the report does not show 120.00 + 45.50 = 165.50 of gift credit"
            ),
            ...screenshot("report_client_balances", "body:not(:has(.o_notification)) .o_pivot"),
            // The same report, exported.
            ...goToMenu(
                "account.menu_finance_receivables",
                "client_balance.client_balance_report_menu",
                "the report again, to export it"
            ),
            ...reportFilters(),
            {
                content: "catch the download (headless Chrome denies it)",
                trigger: ".modal button[name=action_export_xlsx]",
                run() {
                    const open = browser.open;
                    browser.open = (url, ...args) => {
                        browser.open = open;
                        if (String(url).includes("/client_balance/report/xlsx/")) {
                            exportUrl = String(url);
                            document.body.classList.add("o_cb_tour_exported");
                            return null;
                        }
                        return open(url, ...args);
                    };
                },
            },
            {
                content: "Export to Excel",
                trigger: ".modal button[name=action_export_xlsx]",
                run: "click",
            },
            assertStep(
                "the workbook lists the tag's clients, their gift credit and the filters",
                "body.o_cb_tour_exported",
                async () => {
                    const response = await fetch(exportUrl);
                    const type = response.headers.get("Content-Type") || "";
                    const buffer = await response.arrayBuffer();
                    const strings = await zipEntryText(buffer, "xl/sharedStrings.xml");
                    const sheet = await zipEntryText(buffer, "xl/worksheets/sheet1.xml");
                    return (
                        response.ok &&
                        type.includes("spreadsheetml") &&
                        strings?.includes("Report Client Anna") &&
                        strings.includes("Report Client Boris") &&
                        strings.includes("Types: Gift credit") &&
                        strings.includes("Client tags: Tour Report Clients") &&
                        sheet?.includes("<v>120</v>") &&
                        sheet.includes("<v>45.5</v>") &&
                        sheet.includes("<v>165.5</v>")
                    );
                },
                "the exported workbook is not the filtered report"
            ),
            {
                content: "close the report",
                trigger: ".modal button.btn-secondary:contains('Discard')",
                run: "click",
            },
            {
                trigger: "body:not(:has(.modal))",
            },
        ];
    },
});

// The client in the portal: its balance, its history, a search that finds
// nothing, then the invoice paid from the balance.
registry.category("web_tour.tours").add("client_balance_portal_history", {
    steps: () => [
        {
            content: "Your Balances on the portal home",
            trigger: "a[href='/my/balances']:contains('Your Balances')",
            run: "click",
        },
        {
            content: "the client's balance: 70.00, all of it available",
            trigger: ".o_portal_my_doc_table tbody tr:contains('Deposits'):contains('70.00')",
        },
        assertStep(
            "nothing of another client",
            ".o_portal_my_doc_table",
            () => {
                const text = textOf(document.querySelector("#wrap") || document.body);
                return !text.includes("Portal Stranger Max") && !text.includes("555.00");
            },
            "the portal shows another client's balance"
        ),
        {
            content: "open the balance's history",
            trigger: ".o_portal_my_doc_table tbody a:contains('Deposits')",
            run: "click",
        },
        {
            content: "the top-up and the spend, newest first",
            trigger: ".o_portal_my_doc_table tbody tr:contains('Top-up'):contains('Ten classes paid ahead'):contains('100.00')",
        },
        {
            trigger: ".o_portal_my_doc_table tbody tr:contains('Spend'):contains('30.00'):contains('70.00')",
        },
        {
            trigger: ".breadcrumb:contains('Balances')",
        },
        ...screenshot("portal_history", ".o_portal_my_doc_table tbody tr:contains('Spend')"),
        {
            content: "search something that is not there",
            trigger: "input[name=search]",
            run: "edit no such class",
        },
        {
            trigger: "form button[type=submit]:contains('Filter')",
            run: "click",
        },
        {
            content: "nothing found, said plainly",
            trigger: ".alert-warning:contains('No movement on this balance.')",
        },
        {
            content: "search the top-up",
            trigger: "input[name=search]",
            run: "edit Ten classes",
        },
        {
            trigger: "form button[type=submit]:contains('Filter')",
            run: "click",
        },
        {
            trigger: ".o_portal_my_doc_table tbody tr:contains('Top-up')",
        },
        assertStep(
            "only the top-up is found",
            ".o_portal_my_doc_table tbody tr:contains('Top-up')",
            () => document.querySelectorAll(".o_portal_my_doc_table tbody tr").length === 1,
            "the search does not keep the top-up only"
        ),
        {
            content: "back to the whole history",
            trigger: "input[name=search]",
            run: "clear",
        },
        {
            trigger: "form button[type=submit]:contains('Filter')",
            run: "click",
        },
        {
            content: "open the invoice paid from the balance",
            trigger: ".o_portal_my_doc_table tbody tr:contains('Spend') a[href^='/my/invoices/']",
            run: "click",
        },
        {
            content: "the invoice, paid",
            trigger: ".o_portal_sidebar:contains('Paid')",
        },
    ],
});

/** Steps putting the attachment named by the cookie `cookieName` into the
 * import wizard's file input, as choosing it in the file dialog does. */
function uploadFile(cookieName, filename) {
    return [
        {
            content: `choose ${filename}`,
            trigger: ".modal div[name=file] .o_select_file_button",
            run: async () => {
                const response = await fetch(`/web/content/${cookie(cookieName)}?download=true`);
                if (!response.ok) {
                    throw new Error(`cannot read ${filename}: ${response.status}`);
                }
                const blob = await response.blob();
                const input = document.querySelector(".modal div[name=file] input[type=file]");
                const transfer = new DataTransfer();
                transfer.items.add(
                    new File([blob], filename, {
                        type: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    })
                );
                input.files = transfer.files;
                input.dispatchEvent(new Event("change", { bubbles: true }));
            },
        },
        {
            content: `${filename} is uploaded`,
            trigger: `.modal div[name=file] input.o_input:value(${filename})`,
        },
    ];
}

// The migration (Client Balances / Manager, Invoicing): the import refuses
// to preview without a file, shows the bad row of the first file and imports
// nothing, then imports the corrected file.
registry.category("web_tour.tours").add("client_balance_import_errors", {
    steps: () => [
        ...goToMenu(
            "account.menu_finance_receivables",
            "client_balance.client_balance_import_menu",
            "Client Balances > Import"
        ),
        {
            content: "preview without a file",
            trigger: ".modal button[name=action_preview]",
            run: "click",
        },
        {
            content: "refused: the file is missing",
            trigger: ".modal div[name=file].o_field_invalid",
        },
        {
            trigger: ".o_notification:contains('Excel File') .o_notification_close",
            run: "click",
        },
        ...uploadFile("cb_tour_bad_file", "opening_bad.xlsx"),
        {
            trigger: ".modal button[name=action_preview]",
            run: "click",
        },
        {
            content: "one row has an error",
            trigger: ".modal .alert-danger:contains('rows have errors')",
        },
        {
            content: "row 4 names the unknown type",
            trigger:
                ".modal div[name=line_ids] .o_data_row.text-danger:contains('No balance type')",
        },
        assertStep(
            "the good rows are ready, the bad one is in red and says why",
            ".modal div[name=line_ids] .o_data_row",
            () => {
                const rows = [
                    ...document.querySelectorAll(".modal div[name=line_ids] .o_data_row"),
                ];
                const bad = rows.find((row) => textOf(row).includes("No balance type"));
                return (
                    rows.length === 3 &&
                    bad?.classList.contains("text-danger") &&
                    textOf(bad.querySelector("td[name=row]")) === "4" &&
                    rows.filter((row) => textOf(row).includes("Open the account")).length === 2
                );
            },
            "the preview does not show two rows to open and row 4 in error"
        ),
        {
            content: "nothing can be imported",
            trigger: ".modal footer:not(:has(button[name=action_import]))",
        },
        ...screenshot("import_errors", ".modal div[name=line_ids] .o_data_row.text-danger"),
        {
            content: "close",
            trigger: ".modal footer button:contains('Close')",
            run: "click",
        },
        // The corrected file.
        ...goToMenu(
            "account.menu_finance_receivables",
            "client_balance.client_balance_import_menu",
            "Import again"
        ),
        ...uploadFile("cb_tour_good_file", "opening_good.xlsx"),
        {
            trigger: ".modal button[name=action_preview]",
            run: "click",
        },
        {
            content: "two rows are ready",
            trigger: ".modal .alert-info:contains('2 rows are ready to import')",
        },
        {
            content: "import",
            trigger: ".modal button[name=action_import]",
            run: "click",
        },
        {
            content: "two accounts opened, two opening balances booked",
            trigger:
                ".modal .alert-success:contains('2 accounts opened, 2 opening balances booked')",
        },
        {
            trigger: ".modal footer button:contains('Close')",
            run: "click",
        },
        {
            trigger: "body:not(:has(.modal))",
        },
    ],
});
