from odoo import api, fields, models


class StockPickingParts(models.Model):
    """Parts issues waiting for goods: the purchases buying what is missing and when it
    should arrive, shown on the transfer and in the warehouse queue."""

    _inherit = "stock.picking"  # pylint: disable=consider-merging-classes-inherited

    aftersales_parts_purchase_ids = fields.Many2many(
        "purchase.order",
        string="Parts Purchases",
        compute="_compute_aftersales_parts_missing",
        compute_sudo=True,
        help="Requests for quotation or purchase orders buying the parts this issue still "
        "waits for.",
    )
    aftersales_date_receipt = fields.Datetime(
        string="Expected Receipt",
        compute="_compute_aftersales_parts_missing",
        compute_sudo=True,
        help="When the last missing part of this issue should arrive (its incoming receipt, "
        "else the purchase's planned date).",
    )

    @api.depends("move_ids.state", "move_ids.move_orig_ids")
    def _compute_aftersales_parts_missing(self):
        issues = self.filtered(lambda p: p.aftersales_purpose == "parts_issue")
        (self - issues).aftersales_parts_purchase_ids = False
        (self - issues).aftersales_date_receipt = False
        # One query for every move of the list (see stock.move._aftersales_read_issue_sources).
        sources = issues.move_ids._origin._aftersales_read_issue_sources()
        Purchase = self.env["purchase.order"]
        for picking in issues:
            purchase_ids = set()
            dates = []
            for move in picking.move_ids:
                purchase_id, date = sources.get(move._origin.id, (False, False))
                if purchase_id:
                    purchase_ids.add(purchase_id)
                if date and move.state not in ("done", "cancel"):
                    dates.append(date)
            picking.aftersales_parts_purchase_ids = Purchase.browse(sorted(purchase_ids))
            picking.aftersales_date_receipt = max(dates) if dates else False
