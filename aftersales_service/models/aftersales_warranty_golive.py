# Copyright 2026 aftersales_service authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import logging

from odoo import api, fields, models
from odoo.tools import SQL, split_every

from .aftersales_warranty_registration import REGISTERING_PURPOSES

_logger = logging.getLogger(__name__)


class AftersalesWarrantyGoLive(models.Model):
    """Go-live registration: the layers of serials delivered before the addon was
    installed, from the stock history (see aftersales_warranty_registration.py for the
    registration of each delivery)."""

    _inherit = "aftersales.warranty"  # pylint: disable=consider-merging-classes-inherited

    @api.model
    def register_past_deliveries(self, date_from=None):
        """Register layers for serials delivered before the addon was installed.

        Takes, for each serial, its latest done delivery to a customer (on or after
        ``date_from``) unless a later refund/exchange return brought it back; existing live
        layers are skipped, so running it again creates nothing, and layers voided from the
        same delivery are not registered again. Returns the created layers.

        For after-sales managers only: it registers entitlements in every allowed company,
        as superuser.
        """
        self._check_aftersales_manager(self.env._("register warranties for past deliveries"))
        date_from = fields.Date.to_date(date_from) if date_from else None
        # Latest registering delivery per serial, in SQL: a go-live may face millions of lines.
        self.env["stock.move.line"].flush_model()
        self.env["stock.move"].flush_model()
        self.env["stock.picking"].flush_model()
        self.env.cr.execute(
            SQL(
                """
                SELECT line_id FROM (
                    SELECT DISTINCT ON (ml.lot_id) ml.id AS line_id, ml.lot_id, ml.date
                      FROM stock_move_line ml
                      JOIN stock_location src ON src.id = ml.location_id
                      JOIN stock_location dst ON dst.id = ml.location_dest_id
                      JOIN product_product pp ON pp.id = ml.product_id
                      JOIN product_template pt ON pt.id = pp.product_tmpl_id
                 LEFT JOIN stock_picking p ON p.id = ml.picking_id
                     WHERE ml.state = 'done'
                       AND ml.lot_id IS NOT NULL
                       AND ml.quantity > 0
                       AND ml.company_id IN %(companies)s
                       AND pt.tracking = 'serial'
                       AND dst.usage = 'customer'
                       AND src.usage != 'customer'
                       AND (p.aftersales_purpose IS NULL OR p.aftersales_purpose IN %(purposes)s)
                  ORDER BY ml.lot_id, ml.date DESC, ml.id DESC
                ) latest
                WHERE (%(date_from)s::date IS NULL OR latest.date >= %(date_from)s::date)
                  -- not brought back since by a return ending the sale (refund or exchange)
                  AND NOT EXISTS (
                    SELECT 1
                      FROM stock_move_line r
                      JOIN stock_move rm ON rm.id = r.move_id
                      JOIN stock_location rsrc ON rsrc.id = r.location_id
                      JOIN stock_location rdst ON rdst.id = r.location_dest_id
                 LEFT JOIN stock_picking rp ON rp.id = r.picking_id
                     WHERE r.lot_id = latest.lot_id
                       AND r.state = 'done'
                       AND (r.date, r.id) > (latest.date, latest.line_id)
                       AND rm.to_refund
                       AND rsrc.usage = 'customer'
                       AND rdst.usage != 'customer'
                       AND rp.aftersales_purpose IS DISTINCT FROM 'intake'
                  )
                ORDER BY latest.lot_id
                """,
                companies=tuple(self.env.companies.ids),
                purposes=tuple(p for p in REGISTERING_PURPOSES if p),
                date_from=date_from,
            )
        )
        line_ids = [row[0] for row in self.env.cr.fetchall()]
        MoveLine = self.env["stock.move.line"].sudo()
        created = self.browse()
        for chunk in split_every(2000, line_ids, MoveLine.browse):
            created |= self._register_units(
                [(line.move_id, line.lot_id) for line in chunk], skip_voided=True
            )
            self.env.invalidate_all()
        _logger.info("Go-live warranty registration created %s layers", len(created))
        return created.sudo(False)
