from odoo import api, fields, models


class StockMovePartsMissing(models.Model):
    """Parts not there yet: what an issue waits for (the purchase, the receipt date) and how
    available each part is, for the warehouse queue and the service order's parts tab.

    The purchase and the expected receipt date are read for the whole list in one query
    (``_aftersales_read_issue_sources``), never per record.
    """

    _inherit = "stock.move"  # pylint: disable=consider-merging-classes-inherited

    aftersales_issue_availability = fields.Selection(
        [("available", "Available"), ("partial", "Partially Available"), ("waiting", "Waiting")],
        string="Part Availability",
        compute="_compute_aftersales_issue_availability",
        help="Of a pending parts issue: all of it is reserved in stock (available), part of "
        "it (partially available) or nothing yet (waiting for stock or a purchase).",
    )
    aftersales_purchase_id = fields.Many2one(
        "purchase.order",
        string="Purchase",
        compute="_compute_aftersales_issue_sources",
        compute_sudo=True,
        help="The request for quotation or purchase order buying the missing quantity of "
        "this part (of its pending issue, for a service order's part line).",
    )
    aftersales_date_receipt = fields.Datetime(
        string="Expected Receipt",
        compute="_compute_aftersales_issue_sources",
        compute_sudo=True,
        help="When the missing quantity should arrive: the date of the incoming receipt "
        "chained to the issue, else the planned date of the purchase line buying it.",
    )

    @api.depends("state", "aftersales_parts_role")
    def _compute_aftersales_issue_availability(self):
        states = {
            "assigned": "available",
            "partially_available": "partial",
            "confirmed": "waiting",
            "waiting": "waiting",
        }
        for move in self:
            move.aftersales_issue_availability = (
                move.aftersales_parts_role == "issue" and states.get(move.state) or False
            )

    # Display only, read fresh by each request: no dependency on the receipts' and purchase
    # lines' own fields, which would make every write on a move look up its chained moves.
    @api.depends("state", "move_orig_ids", "created_purchase_line_ids")
    def _compute_aftersales_issue_sources(self):
        # Lines being edited in a form are new records: read what their saved origin has.
        sources = self._origin._aftersales_read_issue_sources()
        Purchase = self.env["purchase.order"]
        for move in self:
            purchase_id, date = sources.get(move._origin.id, (False, False))
            move.aftersales_purchase_id = Purchase.browse(purchase_id)
            move.aftersales_date_receipt = date

    def _aftersales_read_issue_sources(self):
        """{move id: (purchase order id, expected receipt)} of issue moves and of the part
        lines they feed, in one query for the whole recordset.

        The purchase is the one linked to the issue: the receipt move chained to it (a
        confirmed purchase) or the purchase line created for it (a request for quotation).
        The expected receipt is the latest date among the receipt moves still to come,
        else among the purchase lines not cancelled (their planned date).
        """
        ids = tuple(id_ for id_ in self.ids if isinstance(id_, int))
        if not ids:
            return {}
        self.env["stock.move"].flush_model(
            [
                "state",
                "date",
                "aftersales_parts_role",
                "purchase_line_id",
                "move_orig_ids",
                "created_purchase_line_ids",
            ]
        )
        self.env["purchase.order.line"].flush_model(["date_planned", "state", "order_id"])
        self.env.cr.execute(
            """
            WITH target AS (
                SELECT move.id AS move_id, move.id AS issue_id
                  FROM stock_move move
                 WHERE move.id IN %(ids)s
                   AND move.aftersales_parts_role = 'issue'
                UNION ALL
                SELECT rel.move_dest_id, issue.id
                  FROM stock_move_move_rel rel
                  JOIN stock_move issue ON issue.id = rel.move_orig_id
                 WHERE rel.move_dest_id IN %(ids)s
                   AND issue.aftersales_parts_role = 'issue'
                   AND issue.state NOT IN ('done', 'cancel')
            ), source AS (
                SELECT target.move_id,
                       CASE WHEN origin.state NOT IN ('done', 'cancel') THEN origin.date END
                           AS date_expected,
                       line.order_id
                  FROM target
                  JOIN stock_move_move_rel rel ON rel.move_dest_id = target.issue_id
                  JOIN stock_move origin ON origin.id = rel.move_orig_id
             LEFT JOIN purchase_order_line line ON line.id = origin.purchase_line_id
                UNION ALL
                SELECT target.move_id,
                       CASE WHEN line.state != 'cancel' THEN line.date_planned END,
                       line.order_id
                  FROM target
                  JOIN stock_move_created_purchase_line_rel created
                    ON created.move_id = target.issue_id
                  JOIN purchase_order_line line ON line.id = created.created_purchase_line_id
            )
            SELECT move_id,
                   MAX(order_id),
                   MAX(date_expected)
              FROM source
          GROUP BY move_id
            """,
            {"ids": ids},
        )
        return {move_id: (order_id, date) for move_id, order_id, date in self.env.cr.fetchall()}

    def _action_cancel(self):
        # A part line removed from its order (or cancelled) no longer needs what its
        # pending issue still waits for: cancel that demand too, else the warehouse keeps
        # a backorder for nothing and the purchase's receipt gets reserved for it.
        pending = self.filtered(
            lambda m: m.repair_id and m.repair_line_type == "add" and m.state != "cancel"
        ).move_orig_ids.filtered(
            lambda m: m.aftersales_parts_role == "issue" and m.state not in ("done", "cancel")
        )
        res = super()._action_cancel()
        if pending:
            pending._action_cancel()
        return res
