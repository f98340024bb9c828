from odoo import api, models
from odoo.exceptions import UserError


class ClientBalanceReceipt(models.AbstractModel):
    """What the receipts of operations share: each one prints only the kinds
    of operation ``client.balance.operation._receipt_reports`` gives it."""

    _name = "report.client_balance.receipt"
    _description = "Client Balance Operation Receipt"

    @api.model
    def _get_report_values(self, docids, data=None):
        operations = self.env["client.balance.operation"].browse(docids)
        report_name = self._name.removeprefix("report.")
        kinds = [
            kind
            for kind, xmlid in operations._receipt_reports().items()
            if self.env.ref(xmlid).report_name == report_name
        ]
        wrong = operations.filtered(lambda operation: operation.kind not in kinds)
        if wrong:
            labels = dict(operations._fields["kind"]._description_selection(self.env))
            raise UserError(
                self.env._(
                    "%(operations)s cannot be printed on this receipt: it is for %(kinds)s only.",
                    operations=", ".join(wrong.mapped("display_name")),
                    kinds=", ".join(labels[kind] for kind in kinds),
                )
            )
        return {"doc_ids": docids, "doc_model": operations._name, "docs": operations}


class ClientBalanceAdvanceReceipt(models.AbstractModel):
    _name = "report.client_balance.report_advance_receipt"
    _inherit = "report.client_balance.receipt"
    _description = "Advance Receipt"


class ClientBalanceSettlementReceipt(models.AbstractModel):
    _name = "report.client_balance.report_settlement_receipt"
    _inherit = "report.client_balance.receipt"
    _description = "Settlement Receipt"
