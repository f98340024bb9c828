# Copyright 2026 client_balance contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
{
    "name": "Client Balance in the Point of Sale",
    "summary": "Pay from client balances at the till, validated and booked on the server "
    "when the order arrives",
    "version": "18.0.1.0.0",
    "category": "Sales/Point of Sale",
    "website": "https://github.com/client-balance/client_balance",
    "author": "client_balance contributors",
    "license": "LGPL-3",
    "application": False,
    "installable": True,
    "auto_install": True,
    "depends": ["client_balance", "point_of_sale"],
    "data": [
        "data/barcode_rule_data.xml",
        "views/pos_payment_method_views.xml",
        "views/pos_order_views.xml",
    ],
    "assets": {
        "point_of_sale._assets_pos": [
            "pos_client_balance/static/src/**/*",
        ],
        "web.assets_tests": [
            "pos_client_balance/static/tests/tours/**/*",
        ],
    },
    "demo": [
        "demo/pos_client_balance_demo.xml",
    ],
}
