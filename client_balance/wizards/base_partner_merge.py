from odoo import api, models


class BasePartnerMergeAutomaticWizard(models.TransientModel):
    _inherit = "base.partner.merge.automatic.wizard"

    @api.model
    def _update_values(self, src_partners, dst_partner):
        # A client card moves to the merged contact (its own first): the
        # merged-away contacts give theirs up before the merge writes it.
        code = dst_partner.sudo().client_balance_card_code or next(
            (code for code in src_partners.sudo().mapped("client_balance_card_code") if code),
            False,
        )
        src_partners.sudo().filtered("client_balance_card_code").write(
            {"client_balance_card_code": False}
        )
        res = super()._update_values(src_partners, dst_partner)
        if code and dst_partner.sudo().client_balance_card_code != code:
            dst_partner.sudo().client_balance_card_code = code
        return res
