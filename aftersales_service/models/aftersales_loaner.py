from odoo import Command, api, fields, models
from odoo.exceptions import UserError

from .aftersales_workflow_mixin import workflow

# Fields only the loan's actions write: the workflow, the documents it created, the money.
WORKFLOW_FIELDS = frozenset(
    {
        "state",
        "date_lent",
        "date_returned",
        "is_overdue",
        "out_picking_id",
        "in_picking_id",
        "return_condition",
        "damage_amount",
        "damage_invoice_id",
    }
)
# What the loan was handed over on: fixed once the unit left.
FROZEN_AFTER_DRAFT = frozenset(
    {"lot_id", "partner_id", "company_id", "location_id", "claim_id", "repair_id"}
)
CONDITIONS = [("ok", "Good"), ("damaged", "Damaged"), ("missing", "Missing")]


def loaner_workflow():
    return workflow("aftersales.loaner")


class AftersalesLoaner(models.Model):
    """One loan of one of our units to a customer while theirs is in service.

    The unit leaves from a Loaners location (outside the warehouse stock) by a delivery that
    is validated when it is handed over, and comes back by a receipt validated on return.
    Law 2300-1 art. 20 p. 2: on request, the seller lends a unit with the same basic
    properties within three days for the time of the repair.
    """

    _name = "aftersales.loaner"
    _description = "Loaner Unit Loan"
    _inherit = ["mail.thread", "mail.activity.mixin", "aftersales.workflow.mixin"]  # noqa: RUF012
    _order = "date_due, id desc"
    _check_company_auto = True
    _aftersales_workflow_fields = WORKFLOW_FIELDS
    _aftersales_workflow_initial = {"state": "draft"}  # noqa: RUF012
    _aftersales_frozen_fields = FROZEN_AFTER_DRAFT

    name = fields.Char(default="New", readonly=True, copy=False, required=True, index="trigram")
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    user_id = fields.Many2one(
        "res.users",
        string="Responsible",
        default=lambda self: self.env.user,
        tracking=True,
        help="Front desk user who follows the loan (gets the overdue activity).",
    )
    lot_id = fields.Many2one(
        "stock.lot",
        string="Loaner Serial",
        required=True,
        index=True,
        tracking=True,
        check_company=True,
        domain="[('product_id.tracking', '=', 'serial')]",
    )
    product_id = fields.Many2one(related="lot_id.product_id", store=True, index=True)
    partner_id = fields.Many2one(
        "res.partner", string="Customer", required=True, index=True, tracking=True
    )
    claim_id = fields.Many2one("aftersales.claim", index="btree_not_null", check_company=True)
    repair_id = fields.Many2one(
        "repair.order", string="Service Order", index="btree_not_null", check_company=True
    )
    location_id = fields.Many2one(
        "stock.location",
        string="Loaners Location",
        check_company=True,
        domain="[('aftersales_loaner', '=', True)]",
        help="Where the unit is lent from and comes back to (default: where it is).",
    )
    state = fields.Selection(
        [("draft", "Draft"), ("lent", "Lent"), ("returned", "Returned"), ("cancel", "Cancelled")],
        default="draft",
        required=True,
        readonly=True,
        index=True,
        copy=False,
        tracking=True,
    )
    date_lent = fields.Datetime(readonly=True, copy=False)
    date_due = fields.Date(
        string="Due Date",
        required=True,
        tracking=True,
        help="When the unit must be back (default: the expected end of the repair).",
    )
    date_returned = fields.Datetime(readonly=True, copy=False)
    is_overdue = fields.Boolean(
        string="Overdue",
        readonly=True,
        copy=False,
        index=True,
        help="Lent and not back by its due date (checked daily).",
    )
    out_picking_id = fields.Many2one(
        "stock.picking", string="Hand-over", readonly=True, copy=False, check_company=True
    )
    in_picking_id = fields.Many2one(
        "stock.picking", string="Return Receipt", readonly=True, copy=False, check_company=True
    )
    return_condition = fields.Selection(CONDITIONS, readonly=True, copy=False, tracking=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    damage_amount = fields.Monetary(readonly=True, copy=False, tracking=True)
    damage_invoice_id = fields.Many2one(
        "account.move", readonly=True, copy=False, check_company=True
    )
    note = fields.Text()

    _sql_constraints = [  # noqa: RUF012
        (
            "damage_amount_positive",
            "CHECK(damage_amount IS NULL OR damage_amount >= 0)",
            "The damage amount of a loan cannot be negative.",
        ),
    ]

    def init(self):
        # A serial is out on one loan at a time, whatever the workers racing to lend it.
        self.env.cr.execute(
            "CREATE UNIQUE INDEX IF NOT EXISTS aftersales_loaner_lot_lent_uniq "
            "ON aftersales_loaner (lot_id) WHERE state = 'lent'"
        )

    # ORM ---------------------------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("name", "New") == "New":
                vals["name"] = self.env["ir.sequence"].next_by_code("aftersales.loaner") or "New"
        return super().create(vals_list)

    def write(self, vals):
        res = super().write(vals)
        if "date_due" in vals:
            self.filtered(lambda loan: loan.state == "lent")._aftersales_update_overdue()
        return res

    def _raise_workflow_fields(self, fnames):
        raise UserError(
            self.env._(
                "Fields %(fields)s of a loan are set by its actions only (lend, return, "
                "cancel) and by the overdue check.",
                fields=", ".join(fnames),
            )
        )

    def _raise_frozen_fields(self, fnames):
        raise UserError(
            self.env._(
                "Fields %(fields)s of a loan cannot change once the unit was handed over.",
                fields=", ".join(fnames),
            )
        )

    def _aftersales_lock_message(self, names):
        return self.env._(
            "Loan %(loans)s is being changed by someone else right now; try again in "
            "a moment.",
            loans=names,
        )

    # Helpers -----------------------------------------------------------------------------

    def _state_label(self):
        return dict(self._fields["state"]._description_selection(self.env))[self.state]

    def _loaner_quant(self):
        """Our own unit of the serial on hand in a loaner location of the loan's company
        (in ``location_id`` when given)."""
        self.ensure_one()
        domain = [
            ("lot_id", "=", self.lot_id.id),
            ("location_id.aftersales_loaner", "=", True),
            ("location_id.usage", "=", "internal"),
            ("company_id", "=", self.company_id.id),
            ("owner_id", "=", False),
            ("quantity", ">", 0),
        ]
        if self.location_id:
            domain.append(("location_id", "=", self.location_id.id))
        quants = self.env["stock.quant"].sudo().search(domain)
        return quants.filtered(lambda q: q.quantity - q.reserved_quantity > 0)[:1]

    def _customer_location(self):
        self.ensure_one()
        return self.partner_id.with_company(
            self.company_id
        ).property_stock_customer or self.env.ref("stock.stock_location_customers")

    def _warehouse(self, location):
        return location.warehouse_id or self.env["stock.warehouse"].search(
            [("company_id", "=", self.company_id.id)], limit=1
        )

    def _prepare_picking_vals(self, purpose, source, destination, picking_type, origin_move=None):
        """A transfer of the loaner unit (out to the customer or back). Its purpose keeps
        it out of warranty registration (Law 2300-1 art. 20 p. 2: the unit is only lent,
        never sold) and puts it in the loaner pool."""
        self.ensure_one()
        return {
            "picking_type_id": picking_type.id,
            "partner_id": self.partner_id.id,
            "location_id": source.id,
            "location_dest_id": destination.id,
            "origin": self.name,
            "company_id": self.company_id.id,
            "aftersales_purpose": purpose,
            "aftersales_loaner_id": self.id,
            "aftersales_claim_id": self.claim_id.id,
            "aftersales_repair_id": self.repair_id.id,
            "move_ids": [
                Command.create(
                    {
                        "name": self.name,
                        "product_id": self.product_id.id,
                        "product_uom_qty": 1,
                        "product_uom": self.product_id.uom_id.id,
                        "location_id": source.id,
                        "location_dest_id": destination.id,
                        "partner_id": self.partner_id.id,
                        "company_id": self.company_id.id,
                        # Valued back at what it left at (stock_account's return price).
                        "origin_returned_move_id": origin_move.id if origin_move else False,
                        "to_refund": False,
                    }
                )
            ],
        }

    def _validate_unit_picking(self, vals):
        """Create the transfer of exactly this serial and validate it now: the unit is
        handed over (or taken back) at the counter."""
        picking = self.env["stock.picking"].sudo().create(vals)
        picking.action_confirm()
        move = picking.move_ids
        move.move_line_ids.unlink()
        self.env["stock.move.line"].sudo().create(
            {
                "move_id": move.id,
                "picking_id": picking.id,
                "product_id": move.product_id.id,
                "product_uom_id": move.product_uom.id,
                "lot_id": self.lot_id.id,
                "quantity": 1,
                "location_id": move.location_id.id,
                "location_dest_id": move.location_dest_id.id,
                "company_id": move.company_id.id,
            }
        )
        move.picked = True
        res = picking.with_context(skip_backorder=True, skip_sms=True).button_validate()
        if res is not True or picking.state != "done":
            raise UserError(
                self.env._("Transfer %(picking)s could not be validated.", picking=picking.name)
            )
        return picking.sudo(False)

    # Actions -----------------------------------------------------------------------------

    def action_lend(self):
        """Hand the serial over: a delivery Loaners → customer, validated → ``lent``.

        Refuses a serial that is not on hand in a loaner location or is already lent (the
        partial unique index on ``lot_id`` where ``state = 'lent'`` settles races)."""
        loans = self._aftersales_lock()
        for loan in loans:
            if loan.state != "draft":
                raise UserError(
                    self.env._(
                        "Loan %(loan)s cannot be lent in state %(state)s.",
                        loan=loan.name,
                        state=loan._state_label(),
                    )
                )
            other = self.sudo().search(
                [("lot_id", "=", loan.lot_id.id), ("state", "=", "lent"), ("id", "!=", loan.id)],
                limit=1,
            )
            if other:
                raise UserError(
                    self.env._(
                        "Loaner %(lot)s is already out on loan %(other)s.",
                        lot=loan.lot_id.name,
                        other=other.sudo().name,
                    )
                )
            if len(loans.filtered(lambda rec, loan=loan: rec.lot_id == loan.lot_id)) > 1:
                raise UserError(
                    self.env._("Loaner %(lot)s cannot go on two loans.", lot=loan.lot_id.name)
                )
            if not loan._loaner_quant():
                raise UserError(
                    self.env._(
                        "Loaner %(lot)s is not available in a Loaners location of %(company)s.",
                        lot=loan.lot_id.name,
                        company=loan.company_id.name,
                    )
                )
        for loan in loans:
            source = loan._loaner_quant().location_id
            warehouse = loan._warehouse(source)
            picking = loan._validate_unit_picking(
                loan._prepare_picking_vals(
                    "loaner_out", source, loan._customer_location(), warehouse.out_type_id
                )
            )
            loan._aftersales_workflow_write(
                {
                    "state": "lent",
                    "location_id": source.id,
                    "out_picking_id": picking.id,
                    "date_lent": fields.Datetime.now(),
                }
            )
            loan._aftersales_update_overdue()
            loan.message_post(
                body=self.env._(
                    "Loaner %(lot)s handed over to %(partner)s, due %(date)s.",
                    lot=loan.lot_id.name,
                    partner=loan.partner_id.display_name,
                    date=loan.date_due,
                )
            )
        self.env.flush_all()  # the unique index answers now, not at commit
        return True

    def action_return(self, condition="ok", damage_amount=0.0):
        """Take the unit back: a receipt customer → Loaners, validated → ``returned``.

        ``condition``: ``ok``, ``damaged`` or ``missing`` (a missing unit is not received;
        its value is the damage). A damage amount makes a draft customer invoice of the
        loaner damage product (the customer is liable for the lent good he damaged or lost,
        Civil Code art. 696 / 393)."""
        conditions = dict(CONDITIONS)
        if condition not in conditions:
            raise UserError(self.env._("Unknown return condition %(c)s.", c=condition))
        amount = self._damage_value(damage_amount)
        if condition == "ok" and amount:
            raise UserError(self.env._("A unit returned in good condition has no damage."))
        loans = self._aftersales_lock()
        for loan in loans:
            if loan.state != "lent":
                raise UserError(
                    self.env._(
                        "Loan %(loan)s is not out (state %(state)s): nothing to return.",
                        loan=loan.name,
                        state=loan._state_label(),
                    )
                )
        for loan in loans:
            vals = {
                "state": "returned",
                "date_returned": fields.Datetime.now(),
                "return_condition": condition,
                "damage_amount": amount,
                "is_overdue": False,
            }
            if condition != "missing":
                source = loan.out_picking_id.location_dest_id or loan._customer_location()
                warehouse = loan._warehouse(loan.location_id)
                picking = loan._validate_unit_picking(
                    loan._prepare_picking_vals(
                        "loaner_in",
                        source,
                        loan.location_id,
                        warehouse.in_type_id,
                        origin_move=loan.out_picking_id.move_ids[:1],
                    )
                )
                vals["in_picking_id"] = picking.id
            if amount:
                # The front desk takes the unit back; the accountant posts the invoice.
                invoice = (
                    self.env["account.move"]
                    .sudo()
                    .with_company(loan.company_id)
                    .create(loan._prepare_damage_invoice_vals(amount))
                )
                vals["damage_invoice_id"] = invoice.id
            loan._aftersales_workflow_write(vals)
            loan.activity_unlink(["mail.mail_activity_data_todo"])
            loan.message_post(
                body=self.env._(
                    "Loaner %(lot)s returned: %(condition)s.",
                    lot=loan.lot_id.name,
                    condition=conditions[condition],
                )
            )
        return True

    def action_cancel(self):
        loans = self._aftersales_lock()
        for loan in loans:
            if loan.state != "draft":
                raise UserError(
                    self.env._(
                        "Only a loan not handed over yet can be cancelled; %(loan)s is %(state)s.",
                        loan=loan.name,
                        state=loan._state_label(),
                    )
                )
        loans._aftersales_workflow_write({"state": "cancel"})
        return True

    def action_open_return(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Return Loaner"),
            "res_model": "aftersales.loaner.return",
            "view_mode": "form",
            "target": "new",
            "context": {"default_loaner_id": self.id},
        }
