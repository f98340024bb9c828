from odoo import fields, models


class ClientBalanceAllowanceCharge(models.Model):
    _inherit = "client.balance.allowance.charge"

    pos_order_id = fields.Many2one(
        "pos.order",
        string="Point of Sale Order",
        readonly=True,
        index="btree_not_null",
        help="The till's order this charge was made for.",
    )
