# Copyright 2026 client_balance contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
{
    "name": "Client Balance",
    "summary": "Prepaid client balances (deposits, store credit, advances, "
    "allowances) booked as real journal entries on liability accounts",
    "version": "18.0.1.2.0",
    "category": "Accounting/Accounting",
    "website": "https://github.com/client-balance/client_balance",
    "author": "client_balance contributors",
    "license": "LGPL-3",
    "application": False,
    "installable": True,
    "depends": ["account", "mail", "portal"],
    "data": [
        "security/client_balance_security.xml",
        "security/ir.model.access.csv",
        "data/client_balance_type_data.xml",
        "data/client_balance_cron.xml",
        "data/product_data.xml",
        "data/mail_template_data.xml",
        "views/client_balance_type_views.xml",
        "views/client_balance_integrity_views.xml",
        "views/client_balance_account_views.xml",
        "views/client_balance_operation_views.xml",
        "views/res_partner_views.xml",
        "views/account_move_views.xml",
        "views/client_balance_allowance_views.xml",
        "views/client_balance_report_views.xml",
        "views/client_balance_portal_templates.xml",
        "wizards/client_balance_wizard_views.xml",
        "wizards/account_payment_register_views.xml",
        "report/client_balance_report.xml",
        "report/report_invoice.xml",
        "report/client_balance_card_report.xml",
        "report/client_balance_allowance_statement.xml",
        "report/client_balance_statement.xml",
        "views/client_balance_menus.xml",
    ],
    "assets": {
        "web.assets_backend": [
            "client_balance/static/src/**/*",
        ],
        "web.assets_tests": [
            "client_balance/static/tests/tours/**/*",
        ],
    },
    "demo": [
        "demo/client_balance_demo.xml",
    ],
}
