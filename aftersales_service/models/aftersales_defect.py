# Copyright 2026 aftersales_service authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from collections import defaultdict

from odoo import api, fields, models
from odoo.exceptions import UserError

from ..rules import recovery
from .aftersales_warranty import BASE_KINDS

# What a defect already claimed from its supplier (in a claim past draft) can no longer
# change: the claim was sent on these facts.
CLAIMED_FIELDS = frozenset(
    {
        "component_id",
        "component_lot_id",
        "supplier_id",
        "component_cost",
        "repair_id",
        "claim_id",
        "product_id",
        "lot_id",
        "company_id",
    }
)


class AftersalesDefect(models.Model):
    """One occurrence of a defect on a claim or a service order: the unit, the failed
    component and its lot, who supplied that component, and the codes (symptom, fault,
    cause, resolution). The register feeds the failure analysis, the recovery claims
    against suppliers and the systematic-defect alerts."""

    _name = "aftersales.defect"
    _description = "Defect"
    _order = "date desc, id desc"
    _check_company_auto = True

    claim_id = fields.Many2one(
        "aftersales.claim",
        compute="_compute_claim_id",
        store=True,
        readonly=False,
        precompute=True,
        index="btree_not_null",
        check_company=True,
        ondelete="cascade",
    )
    repair_id = fields.Many2one(
        "repair.order",
        string="Service Order",
        index="btree_not_null",
        check_company=True,
        ondelete="cascade",
    )
    company_id = fields.Many2one(
        "res.company",
        compute="_compute_company_id",
        store=True,
        readonly=False,
        precompute=True,
        required=True,
        index=True,
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    date = fields.Date(required=True, default=fields.Date.context_today, index=True)

    # The unit
    product_id = fields.Many2one(
        "product.product",
        compute="_compute_unit",
        store=True,
        readonly=False,
        precompute=True,
        required=True,
        index=True,
        check_company=True,
    )
    categ_id = fields.Many2one(
        related="product_id.categ_id",
        store=True,
        index=True,
        string="Product Category",
        help="Stored for the failure analysis and the alerts (no join per defect).",
    )
    lot_id = fields.Many2one(
        "stock.lot",
        string="Serial Number",
        compute="_compute_unit",
        store=True,
        readonly=False,
        precompute=True,
        index="btree_not_null",
        check_company=True,
        domain="[('product_id', '=', product_id)]",
    )
    date_delivered = fields.Date(
        string="Delivered On",
        compute="_compute_date_delivered",
        store=True,
        help="Start of the serial's first legal or manufacturer warranty: the day it was "
        "delivered to its first customer.",
    )
    age_months = fields.Integer(
        string="Age in Service (months)",
        compute="_compute_date_delivered",
        store=True,
        aggregator="avg",
        help="Whole months from delivery to the failure.",
    )

    # The failed component and who supplied it
    component_id = fields.Many2one(
        "product.product",
        string="Failed Component",
        index="btree_not_null",
        check_company=True,
    )
    component_lot_id = fields.Many2one(
        "stock.lot",
        index="btree_not_null",
        check_company=True,
        domain="[('product_id', '=', component_id)]",
    )
    supplier_id = fields.Many2one(
        "res.partner",
        compute="_compute_supplier_id",
        store=True,
        readonly=False,
        precompute=True,
        index="btree_not_null",
        help="Who supplied the failed component: the vendor of the receipt that brought its "
        "lot in, else the component's main vendor.",
    )
    component_cost = fields.Monetary(
        compute="_compute_component_cost",
        store=True,
        readonly=False,
        precompute=True,
        help="What the failed component cost when the defect was recorded: its valuation on "
        "the service order when it was consumed, else its lot's or product's cost.",
    )

    # Codes
    symptom_code_id = fields.Many2one(
        "aftersales.defect.code",
        string="Symptom",
        index="btree_not_null",
        domain="[('type', '=', 'symptom')]",
        ondelete="restrict",
    )
    fault_code_id = fields.Many2one(
        "aftersales.defect.code",
        string="Fault",
        index="btree_not_null",
        domain="[('type', '=', 'fault')]",
        ondelete="restrict",
    )
    cause_code_id = fields.Many2one(
        "aftersales.defect.code",
        string="Cause",
        index="btree_not_null",
        domain="[('type', '=', 'cause')]",
        ondelete="restrict",
    )
    resolution_code_id = fields.Many2one(
        "aftersales.defect.code",
        string="Resolution",
        index="btree_not_null",
        domain="[('type', '=', 'resolution')]",
        ondelete="restrict",
    )
    note = fields.Text()

    supplier_claim_line_ids = fields.One2many(
        "aftersales.supplier.claim.line", "defect_id", string="Supplier Claim Lines"
    )
    component_date_received = fields.Date(
        string="Component Received",
        compute="_compute_supplier_id",
        store=True,
        readonly=False,
        precompute=True,  # computed with the supplier, on the same read
        help="Date the component's lot was received from its supplier (the supplier's "
        "warranty runs from it).",
    )
    is_recoverable = fields.Boolean(
        string="Recoverable",
        compute="_compute_is_recoverable",
        help="Within the supplier's warranty (counted from the component's receipt), when "
        "the supplier's terms set one.",
    )
    is_claimed = fields.Boolean(
        string="Claimed from Supplier",
        compute="_compute_is_claimed",
        help="On a supplier claim that is not rejected.",
    )

    def init(self):
        # The alert job and the analysis read failures per product over a date window.
        self.env.cr.execute(
            "CREATE INDEX IF NOT EXISTS aftersales_defect_product_date_idx"
            " ON aftersales_defect (product_id, date)"
        )

    # ------------------------------------------------------------------------------------
    # Computes
    # ------------------------------------------------------------------------------------

    @api.depends("repair_id")
    def _compute_claim_id(self):
        for defect in self:
            defect.claim_id = defect.repair_id.aftersales_claim_id or defect.claim_id

    @api.depends("repair_id", "claim_id")
    def _compute_company_id(self):
        for defect in self:
            defect.company_id = (
                defect.repair_id.company_id
                or defect.claim_id.company_id
                or defect.company_id
                or self.env.company
            )

    @api.depends("repair_id", "claim_id")
    def _compute_unit(self):
        for defect in self:
            source = defect.repair_id or defect.claim_id
            defect.product_id = source.product_id or defect.product_id
            defect.lot_id = source.lot_id or defect.lot_id

    @api.depends("lot_id", "date")
    def _compute_date_delivered(self):
        """One read for all the serials: the first base warranty's start per serial."""
        lots = self.lot_id
        first = {}
        if lots:
            groups = (
                self.env["aftersales.warranty"]
                .sudo()
                ._read_group(
                    [
                        ("lot_id", "in", lots.ids),
                        ("kind", "in", BASE_KINDS),
                        ("state", "!=", "void"),
                    ],
                    ["lot_id"],
                    ["date_start:min"],
                )
            )
            first = {lot.id: date_start for lot, date_start in groups}
        for defect in self:
            delivered = first.get(defect.lot_id.id)
            defect.date_delivered = delivered
            defect.age_months = recovery.months_between(delivered, defect.date) or 0

    @api.depends("component_id", "component_lot_id")
    def _compute_supplier_id(self):
        receipts = self._aftersales_lot_receipts(self.component_lot_id)
        for defect in self:
            supplier, received = receipts.get(defect.component_lot_id.id, (None, False))
            defect.component_date_received = received
            if not supplier and defect.component_id:
                supplier = defect._aftersales_main_vendor()
            defect.supplier_id = supplier.commercial_partner_id if supplier else defect.supplier_id

    @api.model
    def _aftersales_lot_receipts(self, lots):
        """Vendor and date of the first receipt of each lot, ``{lot_id: (partner, date)}``,
        in one query: the partner of the picking that brought the lot in from a supplier
        location (else the vendor of its purchase order)."""
        if not lots:
            return {}
        lines = (
            self.env["stock.move.line"]
            .sudo()
            .search(
                [
                    ("lot_id", "in", lots.ids),
                    ("state", "=", "done"),
                    ("location_id.usage", "=", "supplier"),
                ],
                order="date, id",
            )
        )
        receipts = {}
        for line in lines:
            partner = line.picking_id.partner_id or line.move_id.purchase_line_id.partner_id
            if partner and line.lot_id.id not in receipts:
                receipts[line.lot_id.id] = (partner, line.date.date())
        return receipts

    def _aftersales_main_vendor(self):
        """The component's first vendor price line valid for the defect's company."""
        self.ensure_one()
        sellers = self.component_id.seller_ids.filtered(
            lambda s: not s.company_id or s.company_id == self.company_id
        )
        return sellers[:1].partner_id

    @api.depends("component_id", "component_lot_id")
    def _compute_component_cost(self):
        for defect in self:
            defect.component_cost = defect._aftersales_component_unit_cost()

    def _aftersales_component_unit_cost(self):
        """Unit cost of the failed component when the defect is recorded.

        The part's own valuation on the service order when it was consumed there (what
        the warranty entry booked), else the lot's cost (lot-valuated products), else the
        product's cost in the company. IAS 2.10: cost of purchase is what the supplier
        reimburses; the sale price is not."""
        self.ensure_one()
        component = self.component_id.with_company(self.company_id)
        if not component:
            return 0.0
        moves = self.repair_id.move_ids.filtered(
            lambda m: (
                m.product_id == component and m.repair_line_type == "add" and m.state == "done"
            )
        )
        layers = moves.sudo().stock_valuation_layer_ids
        quantity = sum(layers.mapped("quantity"))
        if quantity:
            return abs(sum(layers.mapped("value")) / quantity)
        lot = self.component_lot_id
        if lot and component.lot_valuated and lot.standard_price:
            return lot.standard_price
        return component.standard_price

    @api.depends("supplier_id", "component_id", "component_date_received", "date")
    def _compute_is_recoverable(self):
        Claim = self.env["aftersales.supplier.claim"]
        for defect in self:
            terms = Claim._aftersales_supplier_terms(
                defect.supplier_id,
                defect.company_id,
                product=defect.component_id,
                on_date=defect.date,
            )
            months = terms.get("warranty_months") or 0
            received = defect.component_date_received
            defect.is_recoverable = not (
                months and received and recovery.months_between(received, defect.date) >= months
            )

    @api.depends("supplier_claim_line_ids.claim_id.state")
    def _compute_is_claimed(self):
        for defect in self:
            defect.is_claimed = any(
                line.claim_id.state != "rejected" for line in defect.supplier_claim_line_ids
            )

    @api.model_create_multi
    def create(self, vals_list):
        defects = super().create(vals_list)
        # The claim is precomputed on draft records before the insert; those drafts may stay
        # in the cached defects of the claim and the order: read them again from the table.
        defects.claim_id.invalidate_recordset(["defect_ids"])
        defects.repair_id.invalidate_recordset(["aftersales_defect_ids"])
        return defects

    @api.depends("product_id", "component_id", "fault_code_id", "symptom_code_id")
    def _compute_display_name(self):
        for defect in self:
            code = defect.fault_code_id or defect.symptom_code_id
            parts = [defect.product_id.display_name, defect.component_id.display_name]
            if code:
                parts.append(code.code)
            defect.display_name = " / ".join(p for p in parts if p)

    # ------------------------------------------------------------------------------------
    # Checks and guards
    # ------------------------------------------------------------------------------------

    @api.constrains("repair_id", "claim_id")
    def _check_source(self):
        for defect in self:
            if not defect.repair_id and not defect.claim_id:
                raise UserError(
                    self.env._("A defect is recorded on a claim or on a service order.")
                )
            repair_claim = defect.repair_id.aftersales_claim_id
            if defect.repair_id and defect.claim_id and repair_claim != defect.claim_id:
                raise UserError(
                    self.env._(
                        "Service order %(order)s does not belong to claim %(other)s.",
                        order=defect.repair_id.name,
                        other=defect.claim_id.name,
                    )
                )

    @api.constrains("component_id", "component_lot_id")
    def _check_component_lot(self):
        for defect in self.filtered("component_lot_id"):
            if defect.component_lot_id.product_id != defect.component_id:
                raise UserError(
                    self.env._(
                        "Lot %(lot)s is not a lot of the failed component %(component)s.",
                        lot=defect.component_lot_id.name,
                        component=defect.component_id.display_name or "-",
                    )
                )

    @api.constrains("component_cost")
    def _check_component_cost(self):
        for defect in self:
            if defect.component_cost < 0:
                raise UserError(self.env._("The cost of a component cannot be negative."))

    def write(self, vals):
        if CLAIMED_FIELDS.intersection(vals):
            sent = self.supplier_claim_line_ids.claim_id.filtered(
                lambda c: c.state not in ("draft", "rejected")
            )
            if sent:
                raise UserError(
                    self.env._(
                        "These defects are claimed from their supplier in %(claims)s: the "
                        "component, supplier and cost they were claimed on cannot change.",
                        claims=", ".join(sent.mapped("name")),
                    )
                )
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_claimed(self):
        if self.supplier_claim_line_ids:
            raise UserError(
                self.env._(
                    "A defect on a supplier claim cannot be deleted: remove it from the claim "
                    "first."
                )
            )

    # ------------------------------------------------------------------------------------
    # Supplier recovery
    # ------------------------------------------------------------------------------------

    def action_create_supplier_claim(self):
        """One draft warranty claim per supplier (and company) for the selected defects not
        claimed yet; returns the claims created."""
        defects = self.browse(list(dict.fromkeys(self.ids)))
        if not defects:
            raise UserError(self.env._("Select the defects to claim from their suppliers."))
        no_supplier = defects.filtered(lambda d: not d.supplier_id)
        if no_supplier:
            raise UserError(
                self.env._(
                    "Defects %(defects)s have no supplier: set the failed component (and "
                    "its lot) or the supplier first.",
                    defects=", ".join(no_supplier.mapped("display_name")),
                )
            )
        todo = defects.filtered(lambda d: not d.is_claimed and d.is_recoverable)
        if not todo:
            raise UserError(
                self.env._(
                    "These defects are already claimed from their suppliers, or outside the "
                    "suppliers' warranty (not recoverable)."
                )
            )
        groups = defaultdict(lambda: self.browse())
        for defect in todo:
            groups[defect.company_id, defect.supplier_id] |= defect
        Claim = self.env["aftersales.supplier.claim"]
        vals_list = [
            Claim._prepare_warranty_claim_vals(partner, company, group)
            for (company, partner), group in groups.items()
        ]
        claims = Claim.create(vals_list)
        return claims._aftersales_open(self.env._("Supplier Claims"))

    def _aftersales_open_defects(self):
        return self._get_records_action(name=self.env._("Defects"))
