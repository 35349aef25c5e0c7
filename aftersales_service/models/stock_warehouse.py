from odoo import api, fields, models


class StockWarehouse(models.Model):
    """Give every warehouse a workshop and the operation types that feed it.

    The workshop location and the parts issue/return types are created through the host's
    warehouse hooks (``_get_locations_values``, ``_get_picking_type_create_values``...), the way
    ``repair`` adds its repair operation type, so new warehouses get them on creation and the
    host's own "create what is missing" logic keeps them in place.
    """

    _inherit = "stock.warehouse"

    # Parts issuing
    aftersales_workshop_location_id = fields.Many2one(
        "stock.location",
        string="Workshop Location",
        check_company=True,
        copy=False,
        domain="[('usage', '=', 'internal')]",
        help="Where issued spare parts wait for the technicians; service orders consume them "
        "from here when the company issues parts through the warehouse.",
    )
    aftersales_parts_issue_type_id = fields.Many2one(
        "stock.picking.type",
        string="Parts Issue Type",
        check_company=True,
        copy=False,
        help="Internal transfers from stock to the workshop for service orders.",
    )
    aftersales_parts_return_type_id = fields.Many2one(
        "stock.picking.type",
        string="Parts Return Type",
        check_company=True,
        copy=False,
        help="Internal transfers bringing unused parts back from the workshop to stock.",
    )

    # Customers' units in for service
    aftersales_service_location_id = fields.Many2one(
        "stock.location",
        string="Units in Service Location",
        check_company=True,
        copy=False,
        domain="[('usage', '=', 'internal')]",
        help="Where customers' units wait and are repaired: under the warehouse but outside "
        "its stock, so sales, replenishment and parts issuing never draw from it and the "
        "products' On Hand and forecasts leave them out (they are not ours).",
    )

    # Loaner units lent to customers while theirs are in service
    aftersales_loaner_location_id = fields.Many2one(
        "stock.location",
        string="Loaners Location",
        check_company=True,
        copy=False,
        domain="[('usage', '=', 'internal')]",
        help="Where the units lent to customers during a repair wait: under the warehouse but "
        "outside its stock, so sales and replenishment never reserve or count them.",
    )

    # Host hooks ---------------------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        warehouses = super().create(vals_list)
        warehouses._aftersales_adopt_service_location()
        self.env["res.company"].invalidate_model(["aftersales_clock_tz"])
        return warehouses

    def write(self, vals):
        res = super().write(vals)
        if {"partner_id", "company_id", "active", "sequence"} & set(vals):
            # The claims' clock falls back on the first warehouse's address
            # (res_company_clock.py): drop the cached zone once the change is written.
            self.env["res.company"].invalidate_model(["aftersales_clock_tz"])
        return res

    def unlink(self):
        res = super().unlink()
        self.env["res.company"].invalidate_model(["aftersales_clock_tz"])
        return res

    def _create_missing_locations(self, vals):
        res = super()._create_missing_locations(vals)
        self._aftersales_adopt_service_location()
        return res

    def _get_locations_values(self, vals, code=False):
        values = super()._get_locations_values(vals, code=code)
        code = (vals.get("code") or code or "").replace(" ", "").upper()
        company_id = vals.get("company_id", self.default_get(["company_id"])["company_id"])
        values["aftersales_workshop_location_id"] = {
            "name": self.env._("Workshop"),
            "active": True,
            "usage": "internal",
            "barcode": self._valid_barcode(code + "WORKSHOP", company_id),
        }
        # A sibling of WH/Stock, not a child: the host's deliveries and replenishment work
        # on WH/Stock and its children, so a customer's unit here is never reserved for
        # someone else's order (the host reserves owned quants too).
        values["aftersales_service_location_id"] = {
            "name": self.env._("Units in Service"),
            "active": True,
            "usage": "internal",
            "aftersales_units_in_service": True,
            "barcode": self._valid_barcode(code + "SERVICE", company_id),
        }
        # Loaners: a sibling of WH/Stock too, for the same reason (never sold, never
        # replenished); flagged so the lend action and the loaner pool find them.
        values["aftersales_loaner_location_id"] = {
            "name": self.env._("Loaners"),
            "active": True,
            "usage": "internal",
            "aftersales_loaner": True,
            "barcode": self._valid_barcode(code + "LOANER", company_id),
        }
        return values

    def _get_sequence_values(self, name=False, code=False):
        values = super()._get_sequence_values(name=name, code=code)
        name = name or self.name
        code = code or self.code
        values.update(
            {
                "aftersales_parts_issue_type_id": {
                    "name": self.env._("%(name)s Sequence parts issue", name=name),
                    "prefix": code
                    + "/"
                    + (self.aftersales_parts_issue_type_id.sequence_code or "PI")
                    + "/",
                    "padding": 5,
                    "company_id": self.company_id.id,
                },
                "aftersales_parts_return_type_id": {
                    "name": self.env._("%(name)s Sequence parts return", name=name),
                    "prefix": code
                    + "/"
                    + (self.aftersales_parts_return_type_id.sequence_code or "PR")
                    + "/",
                    "padding": 5,
                    "company_id": self.company_id.id,
                },
            }
        )
        return values

    def _get_picking_type_create_values(self, max_sequence):
        data, next_sequence = super()._get_picking_type_create_values(max_sequence)
        common = {
            "code": "internal",
            "company_id": self.company_id.id,
            "use_create_lots": False,
            "use_existing_lots": True,
            "reservation_method": "at_confirm",
            "show_operations": True,
        }
        data.update(
            {
                "aftersales_parts_issue_type_id": dict(
                    common,
                    name=self.env._("Parts Issue"),
                    default_location_src_id=self.lot_stock_id.id,
                    default_location_dest_id=self.aftersales_workshop_location_id.id,
                    sequence=next_sequence + 1,
                    sequence_code="PI",
                ),
                "aftersales_parts_return_type_id": dict(
                    common,
                    name=self.env._("Parts Return"),
                    default_location_src_id=self.aftersales_workshop_location_id.id,
                    default_location_dest_id=self.lot_stock_id.id,
                    sequence=next_sequence + 2,
                    sequence_code="PR",
                ),
            }
        )
        return data, next_sequence + 3

    def _get_picking_type_update_values(self):
        data = super()._get_picking_type_update_values()
        code = self.code.replace(" ", "").upper()
        data.update(
            {
                "aftersales_parts_issue_type_id": {
                    "active": self.active,
                    "barcode": code + "PI",
                    "default_location_src_id": self.lot_stock_id.id,
                    "default_location_dest_id": self.aftersales_workshop_location_id.id,
                },
                "aftersales_parts_return_type_id": {
                    "active": self.active,
                    "barcode": code + "PR",
                    "default_location_src_id": self.aftersales_workshop_location_id.id,
                    "default_location_dest_id": self.lot_stock_id.id,
                },
            }
        )
        return data

    def _create_or_update_sequences_and_picking_types(self):
        created = super()._create_or_update_sequences_and_picking_types()
        issue_type = self.env["stock.picking.type"].browse(
            created.get("aftersales_parts_issue_type_id") or self.aftersales_parts_issue_type_id.id
        )
        return_type = created.get("aftersales_parts_return_type_id") or (
            self.aftersales_parts_return_type_id.id
        )
        if issue_type and return_type and issue_type.return_picking_type_id.id != return_type:
            # The host's return wizard on an issue then proposes the parts return type.
            issue_type.return_picking_type_id = return_type
        return created

    # Set-up --------------------------------------------------------------------------------

    def _aftersales_setup_workshop(self):
        """Create the workshop location and the parts issue/return types where missing.

        Called on install for warehouses that existed before; safe to call again (it only
        fills gaps, through the same host hooks a new warehouse goes through).
        """
        for warehouse in self.with_context(active_test=False):
            warehouse._create_missing_locations({})
            warehouse._aftersales_adopt_service_location()
            if not (
                warehouse.aftersales_parts_issue_type_id
                and warehouse.aftersales_parts_return_type_id
            ):
                created = warehouse._create_or_update_sequences_and_picking_types()
                if created:
                    warehouse.write(created)
        return True

    def _aftersales_adopt_service_location(self):
        """Keep each warehouse's units-in-service location flagged and outside the
        warehouse's location tree.

        The host counts a product's On Hand and forecast over every location under the
        warehouse's view location (``product.product._get_domain_locations``: WH and all its
        children), and its procurement, reports and reservations all go by that tree. The
        host creates the warehouse's locations under the view location (``create``,
        ``_create_missing_locations``); the units-in-service one is moved from there under
        "Physical Locations", next to the host's transit locations, and named after the
        warehouse: a customer's unit is then nowhere in what is counted, forecast, replenished
        or reserved as ours, with no change to how the host computes any of it. Asked for
        explicitly (``location`` in the context), the location shows what it holds."""
        parent = self.env.ref("stock.stock_location_locations", raise_if_not_found=False)
        for warehouse in self:
            location = warehouse.aftersales_service_location_id
            if not location:
                continue
            vals = {}
            if not location.aftersales_units_in_service:
                vals["aftersales_units_in_service"] = True
            view = warehouse.view_location_id
            if parent and view and location.parent_path.startswith(view.parent_path):
                vals.update(
                    location_id=parent.id,
                    name=self.env._("%(code)s Units in Service", code=warehouse.code),
                )
            if vals:
                location.sudo().write(vals)

    @api.model
    def _aftersales_setup_all_warehouses(self):
        """Install and update: every warehouse, archived ones included, gets what it misses."""
        warehouses = self.with_context(active_test=False).search([])  # pylint: disable=no-search-all
        res = warehouses._aftersales_setup_workshop()
        # Written now: a later rollback to a savepoint (e.g. failed demo data) drops the
        # ORM's pending writes, not what is already in the database.
        self.env.flush_all()
        return res

    @api.model
    def _aftersales_workshop_by_location(self):
        """{workshop location id: warehouse} for every warehouse (one query, cached per call)."""
        warehouses = self.with_context(active_test=False).search(
            [("aftersales_workshop_location_id", "!=", False)]
        )
        return {wh.aftersales_workshop_location_id.id: wh for wh in warehouses}
