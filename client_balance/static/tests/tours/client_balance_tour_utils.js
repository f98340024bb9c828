/**
 * Steps shared by the workflow tours of client_balance.
 */

/**
 * A picture of the screen for the manual, once `trigger` is shown. The steps
 * exist only when the screenshots are asked for (./dev screenshots, or
 * ./dev test's step 4, which checks that every picture is still taken): the
 * test then saves the window as `name`.png and tells the tour to go on.
 */
export function screenshot(name, trigger = "body") {
    if (!document.cookie.split("; ").includes("client_balance_screenshots=1")) {
        return [];
    }
    return [
        {
            content: `picture ${name} for the manual`,
            trigger,
            run: async () => {
                // Let loading indicators and animations end: a picture only.
                await new Promise((resolve) => setTimeout(resolve, 600));
                console.log(`client_balance_screenshot:${name}`);
            },
        },
        {
            content: `picture ${name} saved`,
            trigger: `body.o_client_balance_shot_${name}`,
        },
    ];
}

/**
 * The suggestion of a many2one containing `choice`, once the suggestions
 * answer the text typed: those shown on focus are replaced, as new elements,
 * when the search returns, and a click on one of them would choose nothing.
 */
export function suggestion(choice) {
    return (
        ".o-autocomplete--dropdown-menu:not(:has(.o-autocomplete--dropdown-item" +
        `:not(.o_m2o_dropdown_option):not(:contains('${choice}'))))` +
        ` .o-autocomplete--dropdown-item:contains('${choice}')`
    );
}

/** Close the error dialog showing `message` (the wizard under it stays open). */
export function closeErrorSteps(content, message) {
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

/** Text of an element, its spaces folded. */
export function textOf(el) {
    return el.textContent.replace(/\s+/g, " ").trim();
}

/**
 * A step that fails the tour with `message` unless `check()` is true
 * (`check` may be async; it runs once `trigger` is shown).
 */
export function assertStep(content, trigger, check, message) {
    return {
        content,
        trigger,
        run: async () => {
            if (!(await check())) {
                throw new Error(message || `failed: ${content}`);
            }
        },
    };
}
