from odoo import api, fields, models


class StockLocation(models.Model):
    _inherit = "stock.location"

    aftersales_units_in_service = fields.Boolean(
        string="Units in Service",
        copy=False,
        index=True,
        help="Customers' units in for service wait here. They are not our stock: the location "
        "is outside every warehouse's location tree, so product On Hand and forecasts leave it "
        "out unless it is asked for explicitly.",
    )
    aftersales_service_warehouse_ids = fields.One2many(
        "stock.warehouse", "aftersales_service_location_id", string="Serves Warehouses"
    )

    @api.depends("aftersales_service_warehouse_ids")
    def _compute_warehouse_id(self):
        """A units-in-service location lies outside its warehouse's tree (see
        ``stock.warehouse._aftersales_adopt_service_location``) and still belongs to that
        warehouse: its units are listed, grouped and routed by it."""
        res = super()._compute_warehouse_id()
        for location in self:
            if location.aftersales_service_warehouse_ids and not location.warehouse_id:
                location.warehouse_id = location.aftersales_service_warehouse_ids[:1]
        return res
