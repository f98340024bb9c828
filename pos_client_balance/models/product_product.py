from odoo import api, models


class ProductProduct(models.Model):
    _inherit = "product.product"

    @api.model
    def _load_pos_data_fields(self, config_id):
        # The till asks for a customer when the order sells credit, and does
        # not let the credited balance pay for it.
        return [*super()._load_pos_data_fields(config_id), "client_balance_credit"]
