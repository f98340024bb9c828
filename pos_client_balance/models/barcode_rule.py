from odoo import fields, models


class BarcodeRule(models.Model):
    _inherit = "barcode.rule"

    type = fields.Selection(
        selection_add=[("client_balance_card", "Client Card")],
        ondelete={"client_balance_card": "set default"},
    )
